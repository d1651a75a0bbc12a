// A throwaway MariaDB server: mariadb-install-db in a temp dir, mariadbd on a free loopback port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { makeCertificates } from './certs.js';
import { runClient, type QueryOn, type Row } from './mysql.js';

const run = promisify(execFile);

/** A running instance; `stop` shuts it down and removes its files. */
export interface MyInstance {
  host: '127.0.0.1';
  port: number;
  /** Its own socket: root logs in over it (unix_socket authentication, as the OS user root). */
  socket: string;
  /** Runs one statement as root and returns the rows. */
  query: QueryOn;
  /** Runs SQL text with the mariadb client as root (utf8mb4, batch), returns the output lines. */
  sql(database: string | undefined, text: string | Readable): Promise<string[]>;
  stop(): Promise<void>;
  /** The CA certificate that signed the server's, when started with `tlsOnly`. */
  caFile?: string;
}

/** Options of {@link startMyInstance}. */
export interface MyInstanceOptions {
  /** The server's global sql_mode, set at startup as a my.cnf would. */
  sqlMode?: string;
  /**
   * Serve TLS with a certificate signed by a CA made for the instance (at `caFile`), and refuse
   * unencrypted TCP connections (require_secure_transport); the socket stays open to root.
   */
  tlsOnly?: boolean;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

// mariadbd refuses to run as root unless told to; as another user it runs as that user.
const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];

function connect(socket: string, database?: string) {
  return mysql.createConnection({
    socketPath: socket,
    user: 'root',
    database,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

async function waitUntilUp(socket: string, server: ChildProcess, log: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (server.exitCode !== null) {
      const text = await fs.readFile(log, 'utf8').catch(() => '');
      throw new Error(`mariadbd exited ${server.exitCode}:\n${text.slice(-2000)}`);
    }
    const session = await connect(socket).catch(() => undefined);
    if (session !== undefined) {
      await session.end();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('mariadbd did not accept connections within 60 s');
}

/** Installs and starts an instance with the Debian server's character set; `stop` it in afterAll. */
export async function startMyInstance(options: MyInstanceOptions = {}): Promise<MyInstance> {
  const root = await fs.mkdtemp(join(tmpdir(), 'dbbackup-myinst-'));
  const data = join(root, 'data');
  const socket = join(root, 'sock');
  const log = join(root, 'error.log');
  // Each instance gets its own temporary directory: two bootstraps at once collide in /tmp.
  const tmp = join(root, 'tmp');
  await fs.mkdir(tmp);
  const install = [`--datadir=${data}`, `--tmpdir=${tmp}`, ...asUser, '--skip-test-db'];
  await run('mariadb-install-db', [
    '--no-defaults',
    ...install,
    '--auth-root-authentication-method=socket',
  ]).catch(async (error: unknown) => {
    await fs.rm(root, { recursive: true, force: true });
    throw error;
  });

  const port = await freePort();
  const certs = options.tlsOnly === true ? await makeCertificates(root) : undefined;
  const tls =
    certs === undefined
      ? []
      : [
          `--ssl-ca=${certs.ca}`,
          `--ssl-cert=${certs.cert}`,
          `--ssl-key=${certs.key}`,
          '--require-secure-transport=ON',
        ];
  const server = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--tmpdir=${tmp}`,
      ...asUser,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socket}`,
      `--pid-file=${join(root, 'pid')}`,
      `--log-error=${log}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_general_ci',
      '--innodb-buffer-pool-size=64M',
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
      '--max-connections=50',
      ...(options.sqlMode === undefined ? [] : [`--sql-mode=${options.sqlMode}`]),
      ...tls,
    ],
    { stdio: 'ignore' },
  );
  // Whatever happens to the test process, the server does not outlive it.
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await fs.rm(root, { recursive: true, force: true });
  };

  try {
    await waitUntilUp(socket, server, log);
  } catch (error) {
    await stop();
    throw error;
  }

  const query = async (sql: string, params: unknown[] = [], database?: string) => {
    const session = await connect(socket, database);
    try {
      const [rows] = await session.query(sql, params);
      return rows as Row[];
    } finally {
      await session.end();
    }
  };
  const sql = async (database: string | undefined, text: string | Readable) => {
    const out = await runClient(database, text, [`--socket=${socket}`, '--user=root']);
    return out.split('\n').filter((line) => line !== '');
  };
  return { host: '127.0.0.1', port, socket, query, sql, stop, caFile: certs?.ca };
}
