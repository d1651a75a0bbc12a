// A throwaway MariaDB server: mariadb-install-db in a temp dir, its own socket and loopback port.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running instance; `stop` shuts it down and removes its files. */
export interface MariaInstance {
  /** Socket file: root logs in through unix_socket authentication, as on the shared server. */
  socket: string;
  port: number;
  /** Runs SQL text with the mariadb client as root (utf8mb4, batch), returns the output lines. */
  sql(database: string | undefined, text: string | Readable): Promise<string[]>;
  stop(): Promise<void>;
}

/** Options of {@link startMariaInstance}. */
export interface MariaInstanceOptions {
  /** The server's global sql_mode, set at startup as a my.cnf would. */
  sqlMode?: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function waitForSocket(socket: string, log: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    const ready = await run('mariadb', [`--socket=${socket}`, '-uroot', '-e', 'SELECT 1']).then(
      () => true,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`mariadbd did not start:\n${await fs.readFile(log, 'utf8').catch(() => '')}`);
}

/** Creates and starts an instance with a small buffer pool and no binary log. */
export async function startMariaInstance(
  options: MariaInstanceOptions = {},
): Promise<MariaInstance> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'dbbackup-maria-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const log = join(dir, 'error.log');
  const pidFile = join(dir, 'mysqld.pid');
  const port = await freePort();
  // --no-defaults keeps the machine's /etc/mysql settings (and its server) out of it.
  await run('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${data}`,
    '--user=root',
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
  ]);
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    '--user=root',
    `--socket=${socket}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${pidFile}`,
    `--log-error=${log}`,
    '--innodb-buffer-pool-size=32M',
    '--skip-log-bin',
  ];
  if (options.sqlMode !== undefined) args.push(`--sql-mode=${options.sqlMode}`);
  const server = spawn('mariadbd', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  await waitForSocket(socket, log);

  const sql = async (database: string | undefined, text: string | Readable) => {
    const args = [`--socket=${socket}`, '-uroot', '--default-character-set=utf8mb4', '--batch'];
    args.push('--skip-column-names');
    if (database !== undefined) args.push(`--database=${database}`);
    const child = spawn('mariadb', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    (typeof text === 'string' ? Readable.from([text]) : text).pipe(child.stdin);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`mariadb exited ${code}: ${err}`);
    return out.split('\n').filter((line) => line !== '');
  };

  const stop = async () => {
    server.kill('SIGTERM');
    await exited;
    await fs.rm(dir, { recursive: true, force: true });
  };
  return { socket, port, sql, stop };
}
