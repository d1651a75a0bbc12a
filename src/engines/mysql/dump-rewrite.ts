// Dump-side rewrites that keep the original database name out of the dump.
import { quoteIdent } from './client.js';
import { startsWith, type HeadRewrite } from './dump-scanner.js';

/** Inputs of {@link dumpRewrite}. */
export interface DumpRewriteInput {
  database: string;
  charset: string;
  collation: string;
}

const sandbox = Buffer.from('/*M!999999');

/**
 * Two rewrites, so the dump restores correctly under any database name:
 * - mysqldump writes `ALTER DATABASE \`name\` ...` around routines, triggers and events whose
 *   collation differs from the database's; without the name the statement applies to the
 *   database being restored, not to the original (which may exist on the same server).
 * - the database's own default character set and collation, which a dump without
 *   --databases leaves out, are added after the first line as an ALTER DATABASE without name.
 */
export function dumpRewrite({ database, charset, collation }: DumpRewriteInput): HeadRewrite {
  const named = Buffer.from(`ALTER DATABASE ${quoteIdent(database)} `);
  const unnamed = Buffer.from('ALTER DATABASE ');
  let first = true;
  return (head, context) => {
    if (first) {
      first = false;
      return withDefaults(head, defaultsText(charset, collation));
    }
    if (context.inBlock || !startsWith(head, named)) return undefined;
    return Buffer.concat([unnamed, head.subarray(named.length)]);
  };
}

/** The statement that restores the database defaults, empty for names it cannot vouch for. */
export function defaultsText(charset: string, collation: string): string {
  if (!/^\w+$/.test(charset) || !/^\w+$/.test(collation)) return '';
  return (
    '-- dbbackup: default character set and collation of the source database\n' +
    `ALTER DATABASE CHARACTER SET ${charset} COLLATE ${collation};\n`
  );
}

// MariaDB's sandbox line must stay first so the client enables it before anything else.
function withDefaults(head: Buffer, text: string): Buffer {
  if (text === '') return head;
  const lines = Buffer.from(text);
  if (!startsWith(head, sandbox)) return Buffer.concat([lines, head]);
  const newline = head.indexOf(0x0a);
  if (newline === -1) return Buffer.concat([head, Buffer.from('\n'), lines]);
  return Buffer.concat([head.subarray(0, newline + 1), lines, head.subarray(newline + 1)]);
}
