// A throwaway PostgreSQL server for deep verification: initdb in a temp dir, a loopback port.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../config/secret.js';
import { ExitCode, UserError } from '../../errors.js';
import { captureTool, type Spawn } from '../../process/run-tool.js';
import type { Connection } from '../engine.js';

/** A running temporary instance; `stop` shuts it down and removes every file of it. */
export interface TempInstance {
  connection: Connection;
  /** Where it runs, for messages: `temporary PostgreSQL 15 on 127.0.0.1:PORT`. */
  description: string;
  stop(): Promise<void>;
}

/** Options of {@link startTempInstance}. */
export interface TempInstanceOptions {
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  /** The major version the backup came from; the instance uses that or a newer one. */
  major: number;
  /** Root of the PostgreSQL installations (Debian: /usr/lib/postgresql/MAJOR/bin). */
  installRoot?: string;
}

const superuser = 'dbbackup';

/**
 * Starts a private instance: password (scram-sha-256) authentication only, listening on a free
 * port of 127.0.0.1 and a socket inside its own 0700 directory. PostgreSQL refuses to run as
 * root, so as root it runs as the `postgres` system user.
 */
export async function startTempInstance(options: TempInstanceOptions): Promise<TempInstance> {
  const bin = await findBinDir(options.installRoot ?? '/usr/lib/postgresql', options.major);
  const owner = await serverUser();
  const dir = await fs.mkdtemp(join(tmpdir(), 'dbbackup-verify-'));
  const spawn = asUser(options.spawn, owner, dir);
  const password = new Secret(randomBytes(24).toString('base64url'));
  const stop = async () => {
    await captureTool({
      spawn,
      env: options.env,
      tool: join(bin.dir, 'pg_ctl'),
      args: ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'],
    }).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  };

  try {
    if (owner !== undefined) await fs.chown(dir, owner.uid, owner.gid);
    await initCluster({ bin: bin.dir, dir, spawn, env: options.env, password, owner });
    const port = await startServer({ bin: bin.dir, dir, spawn, env: options.env });
    return {
      connection: { host: '127.0.0.1', port, user: superuser, password, database: 'postgres' },
      description: `temporary PostgreSQL ${bin.major} on 127.0.0.1:${port}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface ClusterParts {
  bin: string;
  dir: string;
  spawn: Spawn;
  env: NodeJS.ProcessEnv;
  password: Secret;
  owner: { uid: number; gid: number } | undefined;
}

async function initCluster({ bin, dir, spawn, env, password, owner }: ClusterParts) {
  // The password reaches initdb through a private file, never its arguments.
  const pwfile = join(dir, 'pwfile');
  await fs.writeFile(pwfile, `${password.reveal()}\n`, { mode: 0o600, flag: 'wx' });
  if (owner !== undefined) await fs.chown(pwfile, owner.uid, owner.gid);
  const args = [
    '-D',
    join(dir, 'data'),
    '-U',
    superuser,
    '-A',
    'scram-sha-256',
    `--pwfile=${pwfile}`,
  ];
  try {
    await captureTool({
      spawn,
      env,
      tool: join(bin, 'initdb'),
      args: [...args, '-E', 'UTF8', '--no-locale', '--no-sync'],
    });
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

async function startServer({ bin, dir, spawn, env }: Omit<ClusterParts, 'password' | 'owner'>) {
  const data = join(dir, 'data');
  // Another process may take the free port before the server binds it: try a few.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const settings = [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir.replace(/'/g, "''")}'`,
    ];
    await fs.appendFile(join(data, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
    const args = ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'];
    try {
      await captureTool({ spawn, env, tool: join(bin, 'pg_ctl'), args });
      return port;
    } catch (error) {
      const log = await fs.readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
      if (attempt >= 3 || !/could not bind|address already in use/i.test(log)) throw error;
    }
  }
}

async function findBinDir(root: string, major: number): Promise<{ dir: string; major: number }> {
  const majors = (await fs.readdir(root).catch(() => []))
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= major)
    .sort((a, b) => a - b);
  for (const candidate of majors) {
    const dir = join(root, String(candidate), 'bin');
    if (await isExecutable(join(dir, 'initdb'))) return { dir, major: candidate };
  }
  throw new UserError(
    `no PostgreSQL server ${major} or newer is installed for a temporary instance`,
    {
      code: ExitCode.config,
      hint: `Install the server package (e.g. postgresql-${major}), or use --instance server.`,
    },
  );
}

async function isExecutable(path: string): Promise<boolean> {
  return fs.access(path, fs.constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new UserError('no unprivileged user to run a temporary PostgreSQL as', {
      code: ExitCode.config,
      hint: "PostgreSQL refuses to run as root: create the system user 'postgres' or run dbbackup as another user.",
    });
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function asUser(spawn: Spawn, owner: { uid: number; gid: number } | undefined, cwd: string): Spawn {
  return (command, args, options) => spawn(command, args, { ...options, ...owner, cwd });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string')
    throw new Error('no loopback port to listen on');
  return address.port;
}
