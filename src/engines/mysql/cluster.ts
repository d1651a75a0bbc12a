// Whole-server helpers of the MySQL engine: listing every database, creating one from its dump.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import { quoteIdent, type MysqlSession } from './client.js';
import { currentGrants, currentUser } from './queries.js';

/** How much of a dump's head is read to find the database defaults line. */
const headBytes = 64 * 1024;

const defaultsLine = /^ALTER DATABASE CHARACTER SET (\w+) COLLATE (\w+);$/m;

/** Reads the first bytes of a stream and stops it. */
export async function readHead(stream: Readable, limit = headBytes): Promise<string> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= limit) break;
  }
  stream.destroy();
  return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}

/**
 * The CREATE DATABASE for a dump: with the default character set and collation the dump
 * carries (dbbackup writes them after its first line), plain when it has none.
 */
export function createStatementFor(name: string, head: string): string {
  const match = defaultsLine.exec(head);
  const base = `CREATE DATABASE ${quoteIdent(name)}`;
  return match === null ? base : `${base} CHARACTER SET ${match[1]} COLLATE ${match[2]}`;
}

/**
 * Fails (exit 77) unless the account may list every database: without the global SHOW
 * DATABASES privilege the server lists only the databases it has grants on, and a cluster
 * backup would leave the others out without a word.
 */
export async function assertListsAllDatabases(session: MysqlSession): Promise<void> {
  const global = (await currentGrants(session)).filter((g) => g.database === '*');
  const privileges = new Set(global.flatMap((g) => g.privileges));
  if (privileges.has('ALL PRIVILEGES') || privileges.has('SHOW DATABASES')) return;
  const account = await currentUser(session);
  throw new UserError(`account '${account}' cannot list every database of the server`, {
    code: ExitCode.noPermission,
    hint:
      `Grant it SHOW DATABASES ON *.*: without it the server hides the databases '${account}' ` +
      'has no grants on, and the set would silently lack them.',
  });
}
