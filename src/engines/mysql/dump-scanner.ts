// Reads mysqldump / mariadb-dump output as it streams: tables, rows per table, the trailer.

/** Where a line head sits, for rewrites that must only touch statement beginnings. */
export interface HeadContext {
  /** Inside a `DELIMITER ;;` block: routines, triggers and events. */
  inBlock: boolean;
  /** The line begins a statement (always true outside blocks, where data is lexed apart). */
  atStatementStart: boolean;
}

/** Replaces the first bytes of a line; returns undefined to keep them. */
export type HeadRewrite = (head: Buffer, context: HeadContext) => Buffer | undefined;

/** What a scan found. */
export interface ScanResult {
  /** Row count of every table with a CREATE TABLE in the dump, by table name. */
  rows: Map<string, number>;
  /** The dump's last non-empty line is mysqldump's `-- Dump completed` trailer. */
  complete: boolean;
  /** Statements the scanner read: tables, inserts and top-level lines. */
  statements: number;
}

/** The longest line head kept for a decision: a DEFINER clause or a quoted name fits. */
export const headLimit = 2048;

const NL = 0x0a;
const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const BACKTICK = 0x60;
const OPEN = 0x28;
const CLOSE = 0x29;
const SEMI = 0x3b;

const prefixes = {
  blockOn: Buffer.from('DELIMITER ;;'),
  blockOff: Buffer.from('DELIMITER ;'),
  table: Buffer.from('CREATE TABLE `'),
  insert: Buffer.from('INSERT INTO `'),
  trailer: Buffer.from('-- Dump completed'),
};
const watched = Object.values(prefixes);

// Bytes the INSERT lexer stops at; everything else is skipped in a tight loop.
const specialBytes = [QUOTE, BACKTICK, OPEN, CLOSE, SEMI];
const special = new Uint8Array(256);
for (const byte of specialBytes) special[byte] = 1;

type Mode = 'head' | 'line' | 'insert' | 'string' | 'ident';

/**
 * An incremental scanner. Outside `DELIMITER ;;` blocks it lexes every INSERT statement
 * (strings with backslash escapes, backquoted names, parentheses) to count row tuples, so data
 * is never mistaken for a statement; inside blocks it only tracks statement starts. Chunk
 * boundaries may fall anywhere. `push` returns the bytes to pass on, rewritten heads included.
 */
export class DumpScanner {
  readonly #rewrite: HeadRewrite | undefined;
  readonly #rows = new Map<string, number>();
  #mode: Mode = 'head';
  #head = Buffer.alloc(headLimit);
  #headLength = 0;
  #inBlock = false;
  #blockStatementStart = false;
  #lineTail = 0;
  #complete = false;
  #statements = 0;
  #table = '';
  #depth = 0;
  #groups = 0;
  #columnList: boolean | undefined;
  #escaped = false;
  #cached: Buffer | undefined;
  #quoteAt = -2;
  #slashAt = -2;
  #specialsOf: Buffer | undefined;
  readonly #specialAt = new Int32Array(specialBytes.length);

  constructor(rewrite?: HeadRewrite) {
    this.#rewrite = rewrite;
  }

  /** Scans a chunk; returns what to pass downstream (the chunk itself unless a head changed). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.#cached = undefined;
    let i = 0;
    let emitFrom = 0;
    while (i < chunk.length) {
      if (this.#mode === 'head') {
        if (i > emitFrom) out.push(chunk.subarray(emitFrom, i));
        const taken = this.#takeHead(chunk, i, out);
        i += taken;
        emitFrom = i;
      } else if (this.#mode === 'line') {
        i = this.#skipLine(chunk, i);
      } else {
        i = this.#lex(chunk, i);
      }
    }
    // Bytes taken into a head are held there; everything after `emitFrom` passes now.
    if (emitFrom < chunk.length) out.push(chunk.subarray(emitFrom));
    return out;
  }

  /** Ends the scan; returns held-back bytes (a last line without newline) and the result. */
  finish(): { rest: Buffer[]; result: ScanResult } {
    const rest: Buffer[] = [];
    if (this.#mode === 'head' && this.#headLength > 0) this.#decide(true, rest);
    const result = { rows: this.#rows, complete: this.#complete, statements: this.#statements };
    return { rest, result };
  }

  #takeHead(chunk: Buffer, start: number, out: Buffer[]): number {
    const newline = chunk.indexOf(NL, start);
    const lineEnd = newline === -1 ? chunk.length : newline + 1;
    const room = headLimit - this.#headLength;
    const take = Math.min(room, lineEnd - start);
    chunk.copy(this.#head, this.#headLength, start, start + take);
    this.#headLength += take;

    const full = this.#headLength === headLimit;
    const lineDone = take === lineEnd - start && newline !== -1;
    if (lineDone || full || !this.#couldMatch()) {
      const rest = this.#decide(lineDone, out);
      // A decision that starts lexing re-reads what followed the name in the held head.
      if (rest !== undefined) this.#lexHeld(rest);
    }
    return take;
  }

  #couldMatch(): boolean {
    const head = this.#head.subarray(0, this.#headLength);
    if (this.#rewrite !== undefined && head[0] !== OPEN && head[0] !== NL) return true;
    return watched.some((p) => p.subarray(0, head.length).equals(head.subarray(0, p.length)));
  }

  /** Classifies the held head, emits it (maybe rewritten) and sets the next mode. */
  #decide(lineDone: boolean, out: Buffer[]): Buffer | undefined {
    let head: Buffer = Buffer.from(this.#head.subarray(0, this.#headLength));
    this.#headLength = 0;
    const context = { inBlock: this.#inBlock, atStatementStart: this.#atStatementStart() };
    head = this.#rewrite?.(head, context) ?? head;
    out.push(head);

    const lexFrom = this.#classify(head);
    this.#noteLineTail(head);
    if (lexFrom !== undefined) return head.subarray(lexFrom);
    this.#mode = lineDone ? 'head' : 'line';
    if (lineDone) this.#endLine();
    return undefined;
  }

  #atStatementStart(): boolean {
    return !this.#inBlock || this.#blockStatementStart;
  }

  /** Returns the offset where INSERT lexing starts, or undefined for a line to skip. */
  #classify(head: Buffer): number | undefined {
    const blank = head.length === 0 || head[0] === NL;
    if (this.#inBlock) {
      if (startsWith(head, prefixes.blockOff) && !startsWith(head, prefixes.blockOn)) {
        this.#inBlock = false;
      }
      return undefined;
    }
    if (!blank) this.#complete = startsWith(head, prefixes.trailer);
    if (startsWith(head, prefixes.blockOn)) {
      this.#inBlock = true;
      this.#blockStatementStart = true;
      this.#lineTail = SEMI;
      return undefined;
    }
    if (startsWith(head, prefixes.table)) {
      const name = readQuotedName(head, prefixes.table.length - 1);
      if (name !== undefined && !this.#rows.has(name.name)) this.#rows.set(name.name, 0);
      this.#statements += 1;
      return undefined;
    }
    if (!startsWith(head, prefixes.insert)) {
      if (!blank) this.#statements += 1;
      return undefined;
    }
    const name = readQuotedName(head, prefixes.insert.length - 1);
    if (name === undefined) return undefined;
    this.#startInsert(name.name);
    return name.end;
  }

  #startInsert(table: string): void {
    this.#statements += 1;
    this.#table = table;
    this.#depth = 0;
    this.#groups = 0;
    this.#columnList = undefined;
    this.#mode = 'insert';
  }

  #lexHeld(rest: Buffer): void {
    let i = 0;
    while (i < rest.length && this.#mode !== 'head' && this.#mode !== 'line') {
      i = this.#lex(rest, i);
    }
    if (this.#mode === 'line' && i < rest.length) this.#skipLine(rest, i);
  }

  #skipLine(chunk: Buffer, start: number): number {
    const newline = chunk.indexOf(NL, start);
    if (newline === -1) {
      this.#noteLineTail(chunk.subarray(start));
      return chunk.length;
    }
    this.#noteLineTail(chunk.subarray(start, newline));
    this.#mode = 'head';
    this.#endLine();
    return newline + 1;
  }

  // Inside blocks a statement ends with `;;`; remember the last byte that was not blank.
  #noteLineTail(bytes: Buffer): void {
    if (!this.#inBlock) return;
    for (let i = bytes.length - 1; i >= 0; i -= 1) {
      const byte = bytes[i];
      if (byte === NL || byte === 0x20 || byte === 0x0d || byte === 0x09) continue;
      this.#lineTail = byte === SEMI && (i === 0 || bytes[i - 1] === SEMI) ? SEMI : 0;
      return;
    }
  }

  #endLine(): void {
    this.#blockStatementStart = this.#inBlock && this.#lineTail === SEMI;
  }

  /** Lexes INSERT bytes from `start`; returns where it stopped. */
  #lex(chunk: Buffer, start: number): number {
    let i = start;
    const end = chunk.length;
    if (this.#mode === 'string') return this.#lexString(chunk, i);
    if (this.#mode === 'ident') {
      const close = chunk.indexOf(BACKTICK, i);
      if (close === -1) return end;
      this.#mode = 'insert';
      return close + 1;
    }
    if (this.#columnList === undefined) {
      while (i < end && (chunk[i] === 0x20 || chunk[i] === NL)) i += 1;
      if (i === end) return i;
      this.#columnList = chunk[i] === OPEN;
    }
    // Short gaps (numbers, short strings) are walked; long ones (hex blobs) are jumped.
    const walk = Math.min(end, i + 64);
    while (i < walk && special[chunk[i] ?? 0] === 0) i += 1;
    if (i === walk && i < end) i = this.#nextSpecial(chunk, i);
    if (i === end) return i;
    this.#token(chunk[i] ?? 0);
    return i + 1;
  }

  // The next byte the INSERT lexer stops at, by indexOf per special byte. The positions are
  // kept per chunk and only searched again once passed, so each byte is searched once per
  // special byte, at memchr speed.
  #nextSpecial(chunk: Buffer, start: number): number {
    if (this.#specialsOf !== chunk) {
      this.#specialsOf = chunk;
      this.#specialAt.fill(-2);
    }
    let next = chunk.length;
    for (let k = 0; k < specialBytes.length; k += 1) {
      let at = this.#specialAt[k] ?? -1;
      if (at !== -1 && at < start) {
        at = chunk.indexOf(specialBytes[k] ?? 0, start);
        this.#specialAt[k] = at;
      }
      if (at !== -1 && at < next) next = at;
    }
    return next;
  }

  // Jumps between quotes and backslashes with indexOf: text is most of a dump's bytes. The
  // next positions are kept per chunk, so no byte is searched more than twice.
  #lexString(chunk: Buffer, start: number): number {
    let i = start;
    if (this.#escaped) {
      if (i === chunk.length) return i;
      this.#escaped = false;
      i += 1;
    }
    if (this.#cached !== chunk) {
      this.#cached = chunk;
      this.#quoteAt = -2;
      this.#slashAt = -2;
    }
    for (;;) {
      if (this.#quoteAt !== -1 && this.#quoteAt < i) this.#quoteAt = chunk.indexOf(QUOTE, i);
      if (this.#slashAt !== -1 && this.#slashAt < i) this.#slashAt = chunk.indexOf(BACKSLASH, i);
      const quote = this.#quoteAt === -1 ? chunk.length : this.#quoteAt;
      if (this.#slashAt !== -1 && this.#slashAt < quote) {
        i = this.#slashAt + 2;
        if (i > chunk.length) {
          this.#escaped = true;
          return chunk.length;
        }
        continue;
      }
      if (this.#quoteAt === -1) return chunk.length;
      this.#mode = 'insert';
      return quote + 1;
    }
  }

  #token(byte: number): void {
    if (byte === QUOTE) this.#mode = 'string';
    else if (byte === BACKTICK) this.#mode = 'ident';
    else if (byte === OPEN) {
      if (this.#depth === 0) this.#groups += 1;
      this.#depth += 1;
    } else if (byte === CLOSE) this.#depth = Math.max(0, this.#depth - 1);
    else if (byte === SEMI && this.#depth === 0) this.#endInsert();
  }

  #endInsert(): void {
    const tuples = this.#groups - (this.#columnList === true ? 1 : 0);
    this.#rows.set(this.#table, (this.#rows.get(this.#table) ?? 0) + Math.max(0, tuples));
    this.#complete = false;
    this.#mode = 'line';
  }
}

/** Tells whether a buffer starts with a prefix. */
export function startsWith(buffer: Buffer, prefix: Buffer): boolean {
  return buffer.length >= prefix.length && buffer.subarray(0, prefix.length).equals(prefix);
}

/** Reads a backquoted name (`` ` `` doubled inside) at `at`; returns it and the offset after. */
export function readQuotedName(
  buffer: Buffer,
  at: number,
): { name: string; end: number } | undefined {
  if (buffer[at] !== BACKTICK) return undefined;
  const parts: Buffer[] = [];
  let i = at + 1;
  for (;;) {
    const close = buffer.indexOf(BACKTICK, i);
    if (close === -1) return undefined;
    parts.push(buffer.subarray(i, close));
    if (buffer[close + 1] !== BACKTICK) {
      return { name: Buffer.concat(parts).toString('utf8'), end: close + 1 };
    }
    parts.push(buffer.subarray(close, close + 1));
    i = close + 2;
  }
}
