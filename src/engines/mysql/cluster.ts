// The whole-server parts of the MySQL engine that work today, and a clear refusal for the rest.
import type { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import { quoteIdent } from './client.js';

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

/** The error for server-wide objects (users, grants, roles), which this engine cannot copy yet. */
export function globalsUnsupported(): UserError {
  return new UserError('whole-server backups of MySQL/MariaDB users and grants are not supported', {
    code: ExitCode.usage,
    hint:
      'Back up each database with `dbbackup backup single --db-type mariadb`; copying ' +
      'accounts and grants is tracked in issue #4.',
  });
}
