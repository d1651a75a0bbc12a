// Resolves where and as whom to connect, once, so the driver and the tools reach the same server.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError } from '../../errors.js';
import { assertPrivateFile } from '../../config/private-file.js';
import { Secret } from '../../config/secret.js';
import type { Connection } from '../engine.js';
import { clientDefaults, readUserOptionFile, toolPasswords } from './my-cnf.js';
import type { TlsSettings } from './tls.js';

/** A server address: a Unix socket file, or a TCP host and port. */
export type Endpoint =
  { kind: 'socket'; path: string } | { kind: 'tcp'; host: string; port: number };

/** The resolved connection of one engine. */
export interface MysqlTarget {
  endpoint: Endpoint;
  user: string;
  password: Secret | undefined;
  /** TLS as ~/.my.cnf asks for it; undefined: none. */
  tls?: TlsSettings;
}

/** Socket files Debian, Red Hat and upstream builds use, in the order they are tried. */
export const socketCandidates = [
  '/run/mysqld/mysqld.sock',
  '/var/run/mysqld/mysqld.sock',
  '/var/lib/mysql/mysql.sock',
  '/tmp/mysql.sock',
];

/** Inputs of {@link resolveTarget}. */
export interface ResolveTargetInput {
  connection: Connection;
  env: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
}

/**
 * Applies our options first, then `~/.my.cnf` `[client]`, then the vendor defaults. As with
 * the vendor clients, host `localhost` (or none) means the socket; a port given without a host
 * means TCP to 127.0.0.1, so the port is never silently ignored.
 */
export async function resolveTarget({
  connection,
  env,
  exists = existsSync,
}: ResolveTargetInput): Promise<MysqlTarget> {
  const groups = await readUserOptionFile(env.HOME);
  // The vendor tools would read a password others can see; refuse it as the config file is.
  if (toolPasswords(groups).length > 0 && env.HOME !== undefined) {
    await assertPrivateFile(join(env.HOME, '.my.cnf'), 'option file');
  }
  const file = clientDefaults(groups);
  const password = connection.password ?? toSecret(file.password);
  if (connection.password !== undefined)
    assertNoConflict(toolPasswords(groups), connection.password);

  const host = connection.host ?? file.host;
  const port = connection.port ?? file.port ?? 3306;
  const socket = connection.socket ?? file.socket;
  let endpoint: Endpoint;
  if (host !== undefined && host !== 'localhost') endpoint = { kind: 'tcp', host, port };
  else if (socket !== undefined) endpoint = { kind: 'socket', path: socket };
  else if (connection.port !== undefined) endpoint = { kind: 'tcp', host: '127.0.0.1', port };
  else
    endpoint = { kind: 'socket', path: socketCandidates.find(exists) ?? '/run/mysqld/mysqld.sock' };

  const user = connection.user ?? file.user ?? env.USER ?? env.LOGNAME ?? userInfo().username;
  // A socket is never encrypted (the server counts it as secure), as with the clients.
  const tls = endpoint.kind === 'tcp' ? file.tls : undefined;
  return { endpoint, user, password, tls };
}

function toSecret(value: string | undefined): Secret | undefined {
  return value === undefined ? undefined : new Secret(value);
}

// The tools read ~/.my.cnf after our option file, so its password would win there while the
// driver used ours: the two would log in differently.
function assertNoConflict(fromFile: string[], ours: Secret): void {
  if (fromFile.every((p) => p === ours.reveal())) return;
  throw new UserError('the password given conflicts with the one in ~/.my.cnf', {
    code: ExitCode.config,
    hint:
      'The client tools read ~/.my.cnf last and would use its password; remove it there, ' +
      'or drop MYSQL_PWD / DBBACKUP_URL / the config file password to use the one in ~/.my.cnf.',
  });
}

/** How the target is shown in manifests and messages. */
export function endpointLabel(endpoint: Endpoint): string {
  return endpoint.kind === 'socket' ? endpoint.path : `${endpoint.host}:${endpoint.port}`;
}

/** Tool arguments for the endpoint and user: not secret, so they may be on the command line. */
export function connectionArgs({ endpoint, user }: MysqlTarget): string[] {
  const where =
    endpoint.kind === 'socket'
      ? ['--protocol=SOCKET', `--socket=${endpoint.path}`]
      : ['--protocol=TCP', `--host=${endpoint.host}`, `--port=${endpoint.port}`];
  return [...where, `--user=${user}`];
}

/** The child's environment: the caller's without MYSQL_PWD (the option file carries it). */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.MYSQL_PWD;
  return out;
}
