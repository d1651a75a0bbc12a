// A throwaway PostgreSQL server: initdb in a temp dir, scram-sha-256 over TCP on a free port.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeCertificates } from './certs.js';

const run = promisify(execFile);

/** A running instance; `stop` shuts it down and removes its files. */
export interface PgInstance {
  /** Loopback address with password (scram-sha-256) authentication. */
  host: '127.0.0.1';
  port: number;
  /** Socket directory: trust authentication for the superuser `root`, for setup. */
  socketDir: string;
  /** Runs a SQL file (ON_ERROR_STOP) or a SQL text as superuser over the socket. */
  psql(database: string, input: { file: string } | { sql: string }): Promise<string>;
  stop(): Promise<void>;
  /** The CA certificate that signed the server's, when started with `ssl`. */
  caFile?: string;
}

// Debian keeps the server binaries out of PATH; /usr/local/bin holds them on some machines.
const binDirs = ['/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/lib/postgresql/16/bin'];

async function findBinDir(): Promise<string> {
  for (const dir of binDirs) {
    const ok = await fs.access(join(dir, 'initdb'), constants.X_OK).then(
      () => fs.access(join(dir, 'pg_ctl'), constants.X_OK).then(() => true),
      () => false,
    );
    if (ok) return dir;
  }
  throw new Error(`initdb and pg_ctl not found in ${binDirs.join(', ')}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

async function serverIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

/** Options of {@link startPgInstance}. */
export interface PgInstanceOptions {
  /**
   * Serve TLS with a certificate for 127.0.0.1 signed by a CA made for the instance (its
   * certificate is at `caFile`); `only` refuses unencrypted TCP connections (hostssl).
   */
  ssl?: { only: boolean };
}

/** Creates and starts an instance; call `stop` in afterAll. */
export async function startPgInstance(options: PgInstanceOptions = {}): Promise<PgInstance> {
  const bin = await findBinDir();
  const root = await fs.mkdtemp(join(tmpdir(), 'dbbackup-pg-'));
  const data = join(root, 'data');
  const socketDir = join(root, 'sock');
  await fs.mkdir(socketDir);
  const ids = await serverIds();
  if (ids !== undefined) {
    for (const path of [root, socketDir]) await fs.chown(path, ids.uid, ids.gid);
  }

  const initdb = [
    ...['-D', data, '-U', 'root', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    ...['--auth-local=trust', '--auth-host=scram-sha-256'],
  ];
  await run(...asServerUser(join(bin, 'initdb'), initdb));
  const port = await freePort();
  const settings = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    'fsync = off',
    'max_connections = 30',
  ];
  let caFile: string | undefined;
  if (options.ssl !== undefined) {
    const certs = await makeCertificates(root);
    caFile = certs.ca;
    const serverKey = join(data, 'server.key');
    const serverCert = join(data, 'server.crt');
    await fs.copyFile(certs.key, serverKey);
    await fs.copyFile(certs.cert, serverCert);
    await fs.chmod(serverKey, 0o600);
    if (ids !== undefined) {
      for (const path of [serverKey, serverCert]) await fs.chown(path, ids.uid, ids.gid);
    }
    settings.push('ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'");
    if (options.ssl.only) {
      const hba = join(data, 'pg_hba.conf');
      const text = await fs.readFile(hba, 'utf8');
      await fs.writeFile(hba, text.replace(/^host(\s)/gm, 'hostssl$1'));
    }
  }
  await fs.appendFile(join(data, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  const pgCtl = join(bin, 'pg_ctl');
  await run(
    ...asServerUser(pgCtl, ['-D', data, '-l', join(root, 'log'), '-w', '-t', '60', 'start']),
  );

  const psql = async (database: string, input: { file: string } | { sql: string }) => {
    const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socketDir];
    args.push('-p', String(port), '-U', 'root', '-d', database);
    args.push(...('file' in input ? ['-f', input.file] : ['-c', input.sql]));
    return (await run('psql', args)).stdout;
  };

  const stop = async () => {
    await run(...asServerUser(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'])).catch(
      () => undefined,
    );
    await fs.rm(root, { recursive: true, force: true });
  };

  return { host: '127.0.0.1', port, socketDir, psql, stop, caFile };
}
