import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressRates } from '../../src/events/events.js';
import { createOutput } from '../../src/events/output.js';
import { formatBytes, formatDuration } from '../../src/events/format.js';
import { classifyHead } from '../../src/jobs/detect-format.js';
import { diffCounts } from '../../src/jobs/restore-single.js';
import { lastErrorLine, ToolError } from '../../src/process/tool-error.js';
import { classifyToolFailure } from '../../src/engines/postgres/errors.js';
import { dbnameConninfo, quoteConninfo } from '../../src/engines/postgres/conninfo.js';
import { ExitCode } from '../../src/errors.js';
import { CoalesceStage } from '../../src/pipeline/coalesce.js';

describe('classifyHead()', () => {
  it.each([
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]), 'zstd', 'unknown'],
    ['gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), 'gzip', 'unknown'],
    ['pg custom', Buffer.from('PGDMP\x01\x0e\x00', 'latin1'), 'none', 'pg-custom'],
    ['sql text', Buffer.from('-- MariaDB dump'), 'none', 'sql'],
    ['binary junk', Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]), 'none', 'unknown'],
  ])('recognises %s', (_what, head, compression, dumpFormat) => {
    expect(classifyHead(head)).toEqual({ compression, dumpFormat });
  });
});

describe('diffCounts()', () => {
  it('names tables whose counts differ or that are missing', () => {
    const expected = [
      { schema: 'public', name: 'a', rows: 3 },
      { schema: 'public', name: 'b', rows: 5 },
      { schema: 'x', name: 'c', rows: 0 },
    ];
    const actual = [
      { schema: 'public', name: 'a', rows: 3 },
      { schema: 'public', name: 'b', rows: 4 },
    ];
    expect(diffCounts(expected, actual)).toEqual([
      'public.b: expected 5 rows, found 4',
      'x.c: expected 0 rows, found no table',
    ]);
  });
});

describe('ToolError', () => {
  it('has a short message without stderr and a long one with its first error line', () => {
    const error = new ToolError({
      tool: 'pg_dump',
      args: ['--format=custom'],
      exitCode: 1,
      signal: null,
      stderrTail: 'pg_dump: dumping contents\npg_dump: error: query failed: ERROR:  boom\n',
    });
    expect(error.shortMessage).toBe('pg_dump exited with 1');
    expect(error.message).toBe('pg_dump exited with 1: pg_dump: error: query failed: ERROR:  boom');
    expect(error.detail).toContain('dumping contents');
  });

  it('says which signal killed a tool', () => {
    const error = new ToolError({
      tool: 'zstd',
      args: [],
      exitCode: null,
      signal: 'SIGKILL',
      stderrTail: '',
    });
    expect(error.message).toBe('zstd was killed by SIGKILL');
  });

  it('picks the last line when no line says error', () => {
    expect(lastErrorLine('one\ntwo\n\n')).toBe('two');
  });
});

describe('classifyToolFailure()', () => {
  it.each([
    ['password authentication failed for user "x"', ExitCode.noPermission],
    ['query would be affected by row-level security policy for table "b"', ExitCode.noPermission],
    ['database "nope" does not exist', ExitCode.noInput],
    ['connection to server on socket failed: Connection refused', ExitCode.unavailable],
    ['aborting because of server version mismatch', ExitCode.config],
    ['could not write to output file: No space left on device', ExitCode.io],
    ['something else', ExitCode.failure],
  ])('maps %j to exit %i', (stderr, code) => {
    const failure = {
      tool: 'pg_dump',
      args: [],
      exitCode: 1,
      signal: null,
      stderrTail: `pg_dump: error: ${stderr}`,
    };
    expect(classifyToolFailure(failure).code).toBe(code);
  });
});

describe('conninfo quoting', () => {
  it('quotes backslashes and single quotes', () => {
    expect(quoteConninfo(`Ops'Data\\x`)).toBe(`'Ops\\'Data\\\\x'`);
    expect(dbnameConninfo('a=b c')).toBe(`dbname='a=b c'`);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('formats %i bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, '0:00'],
    [75_000, '1:15'],
    [3_723_000, '1:02:03'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('createOutput()', () => {
  function capture() {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    return { stdout, stderr, out: () => out, err: () => err };
  }
  const progress = {
    kind: 'progress' as const,
    phase: 'backup' as const,
    database: 'db',
    bytes: 1024,
    totalBytes: 4096,
    elapsedMs: 1000,
  };

  it('writes events and the result as JSON lines on stdout in json mode', () => {
    const io = capture();
    const output = createOutput({ mode: 'json', stdout: io.stdout, stderr: io.stderr });
    output.emit(progress);
    output.result({ ok: true }, ['ignored']);
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'event', kind: 'progress', bytes: 1024 });
    expect(lines[1]).toEqual({ type: 'result', ok: true });
    expect(io.err()).toBe('');
  });

  it('writes progress with rate and ETA on stderr and the result on stdout in text mode', () => {
    const io = capture();
    const output = createOutput({
      mode: 'text',
      stdout: io.stdout,
      stderr: io.stderr,
      now: () => 20_000,
    });
    output.emit(progress);
    output.result({}, ['done']);
    expect(io.err()).toContain(
      "backup 'db': 1.0 KiB of ~4.0 KiB, 1.0 KiB/s, 0:01 elapsed, ETA 0:03",
    );
    expect(io.out()).toBe('done\n');
  });

  it('prints nothing in quiet mode', () => {
    const io = capture();
    const output = createOutput({ mode: 'quiet', stdout: io.stdout, stderr: io.stderr });
    output.emit(progress);
    output.emit({ kind: 'step', text: 'x' });
    output.result({}, ['done']);
    expect(io.out() + io.err()).toBe('');
  });
});

describe('CoalesceStage', () => {
  it('joins small chunks into chunks of at least the size, keeping every byte in order', async () => {
    const input = Array.from({ length: 25 }, (_, i) => Buffer.alloc(10, i));
    const out: Buffer[] = [];
    for await (const chunk of Readable.from(input).pipe(new CoalesceStage(32))) {
      out.push(chunk as Buffer);
    }
    // A reader may take several pushed chunks at once; none but the last is below the size.
    expect(out.slice(0, -1).every((c) => c.length >= 32)).toBe(true);
    expect(out.length).toBeGreaterThan(1);
    expect(Buffer.concat(out).equals(Buffer.concat(input))).toBe(true);
  });
});

describe('progressRates()', () => {
  const at = (bytes: number, totalBytes: number | null, elapsedMs: number) =>
    progressRates({
      kind: 'progress',
      phase: 'backup',
      database: 'd',
      bytes,
      totalBytes,
      elapsedMs,
    });
  it('gives an ETA from the rate once a second and 1 % have passed', () => {
    expect(at(1024, 4096, 1000)).toEqual({ rate: 1024, etaMs: 3000 });
  });
  it('gives none at start-up, before 1 %, past the total or without one', () => {
    expect(at(1024, 4096, 500).etaMs).toBeNull();
    expect(at(1100, 7_400_000, 5000).etaMs).toBeNull();
    expect(at(5000, 4096, 5000).etaMs).toBeNull();
    expect(at(5000, null, 5000).etaMs).toBeNull();
  });
});
