// The MySQL globals script: plain SQL for the stock client, each statement after a marker line.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ExitCode, UserError } from '../../errors.js';
import type { StructureReport } from '../engine.js';

/** What a statement of the script does; the restore runs them in this order. */
export type GlobalsStep =
  | 'session' // SET NAMES and sql_mode, for the stock client
  | 'account' // CREATE USER IF NOT EXISTS, then ALTER USER to the dumped state
  | 'role' // CREATE ROLE IF NOT EXISTS
  | 'grant' // global and database grants, role grants, default roles
  | 'object-grant' // grants on tables, columns and routines: they need the database restored
  | 'end'; // the last marker, with no statement: a script without it was cut short

/** The facts a marker carries about the statement after it. */
export interface StatementMeta {
  step: GlobalsStep;
  /** The account (`'user'@'host'`) or role the statement is about. */
  account?: string;
  /** For `object-grant`: the database of the table or routine. */
  database?: string;
}

/** One statement read back from a script. */
export interface GlobalsStatement extends StatementMeta {
  sql: string;
}

/** The name of the script format, on its first line. */
export const globalsScriptFormat = 'dbbackup-mysql-globals';

// A marker is `-- dbbackup:NONCE {json}`. The nonce is random per dump, so no line inside a
// statement (an account name may hold a newline) can pass for a marker.
const markerPrefix = (nonce: string) => `-- dbbackup:${nonce} `;

/** Writes a script: a header line, then marked statements. */
export class GlobalsScriptWriter {
  readonly #nonce = randomBytes(8).toString('hex');

  /** The first line: format, version and the nonce of the markers. */
  header(about: Record<string, unknown>): string {
    const head = { format: globalsScriptFormat, version: 1, ...about };
    return `${markerPrefix(this.#nonce)}${JSON.stringify(head)}\n`;
  }

  /** The closing marker. */
  end(): string {
    return `${markerPrefix(this.#nonce)}${JSON.stringify({ step: 'end' })}\n`;
  }

  /** A marked statement, ending in `;` and a newline. */
  statement(meta: StatementMeta, sql: string): string {
    return `${markerPrefix(this.#nonce)}${JSON.stringify(meta)}\n${sql};\n`;
  }
}

/**
 * Reads statements back, line by line: everything between two markers is one statement. Text
 * before the first marker after the header (comments) is skipped. Throws on a script that does
 * not start with the header, and at its end when the closing marker is missing (truncated).
 */
export async function* readGlobalsScript(
  lines: AsyncIterable<string>,
): AsyncGenerator<GlobalsStatement> {
  let prefix: string | undefined;
  let meta: StatementMeta | undefined;
  let body: string[] = [];
  const flush = (): GlobalsStatement | undefined => {
    if (meta === undefined) return undefined;
    const sql = body.join('\n').replace(/;\s*$/, '');
    return { ...meta, sql };
  };

  for await (const line of lines) {
    if (prefix === undefined) {
      prefix = headerPrefix(line);
      continue;
    }
    if (!line.startsWith(prefix)) {
      if (meta !== undefined) body.push(line);
      continue;
    }
    const done = flush();
    if (done !== undefined) yield done;
    meta = JSON.parse(line.slice(prefix.length)) as StatementMeta;
    body = [];
  }
  if (prefix === undefined) throw new Error('the globals script is empty');
  const last = flush();
  if (last?.step !== 'end') throw new Error('the globals script ends before its closing marker');
  yield last;
}

function headerPrefix(line: string): string {
  const match = /^-- dbbackup:([0-9a-f]{16}) (\{.*\})$/.exec(line);
  const head =
    match?.[2] === undefined ? undefined : (JSON.parse(match[2]) as { format?: unknown });
  if (match?.[1] === undefined || head?.format !== globalsScriptFormat) {
    throw new Error(`not a ${globalsScriptFormat} script: it does not start with its header`);
  }
  return markerPrefix(match[1]);
}

/** What a line of SHOW GRANTS grants on: undefined for accounts, roles and `*.*` or `db.*`. */
export function grantObject(line: string): { database: string } | undefined {
  if (!line.startsWith('GRANT ')) return undefined;
  const on = topLevelIndex(line, ' ON ');
  if (on < 0) return undefined;
  let rest = line.slice(on + 4);
  const routine = /^(PROCEDURE|FUNCTION|PACKAGE BODY|PACKAGE) /.exec(rest);
  if (routine !== null) rest = rest.slice(routine[0].length);
  const first = readName(rest);
  if (first === undefined || rest[first.end] !== '.') return undefined;
  const second = readName(rest.slice(first.end + 1));
  if (second === undefined || first.name === undefined) return undefined;
  const isObject = routine !== null || second.name !== undefined;
  return isObject ? { database: first.name } : undefined;
}

/** The index of `needle` outside backquoted names and quoted strings, or -1. */
function topLevelIndex(text: string, needle: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === '\\' && quote !== '`') i += 1;
      else if (c === quote && text[i + 1] === quote) i += 1;
      else if (c === quote) quote = undefined;
    } else if (c === '`' || c === "'" || c === '"') {
      quote = c;
    } else if (text.startsWith(needle, i)) {
      return i;
    }
  }
  return -1;
}

/** A backquoted name (its text) or `*` (no name) at the start of `text`. */
function readName(text: string): { name: string | undefined; end: number } | undefined {
  if (text.startsWith('*')) return { name: undefined, end: 1 };
  if (!text.startsWith('`')) {
    const bare = /^[A-Za-z0-9_$]+/.exec(text);
    return bare === null ? undefined : { name: bare[0], end: bare[0].length };
  }
  let name = '';
  for (let i = 1; i < text.length; i += 1) {
    if (text[i] !== '`') {
      name += text[i] ?? '';
    } else if (text[i + 1] === '`') {
      name += '`';
      i += 1;
    } else {
      return { name, end: i + 1 };
    }
  }
  return undefined;
}

/** The lines of a UTF-8 stream, split on `\n` only (names may hold a `\r`). */
export async function* linesOf(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const chunk of input) {
    const lines = (partial + decoder.write(chunk as Buffer)).split('\n');
    partial = lines.pop() ?? '';
    yield* lines;
  }
  const rest = partial + decoder.end();
  if (rest !== '') yield rest;
}

/** Reads a whole globals script (verify): every marker parses and the closing one is there. */
export async function checkGlobalsScript(input: Readable): Promise<StructureReport> {
  let entries = 0;
  try {
    for await (const statement of readGlobalsScript(linesOf(input))) {
      if (statement.step !== 'end') entries += 1;
    }
  } catch (error) {
    throw new UserError(error instanceof Error ? error.message : String(error), {
      code: ExitCode.data,
      hint: 'The backup is damaged; restore from another backup.',
      cause: error,
    });
  }
  return { entries, tablesWithData: 0, missingTables: [] };
}
