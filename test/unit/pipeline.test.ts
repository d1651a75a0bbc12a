import { Readable, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/errors.js';
import { createCompressStage, createDecompressStage } from '../../src/pipeline/compress.js';
import { HashStage } from '../../src/pipeline/hash.js';
import { isConsequence, runIntoTool, runPipeline } from '../../src/pipeline/pipeline.js';
import { systemSpawn } from '../../src/process/run-tool.js';
import { ToolError } from '../../src/process/tool-error.js';

const deps = { spawn: systemSpawn, env: process.env };

function collect(): { sink: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, done) => {
      chunks.push(chunk);
      done();
    },
  });
  return { sink, data: () => Buffer.concat(chunks) };
}

async function decompress(algorithm: 'zstd' | 'gzip', input: Buffer): Promise<Buffer> {
  const stage = createDecompressStage(algorithm, deps);
  const { sink, data } = collect();
  await runPipeline({
    source: Readable.from([input]),
    stages: [stage.stream],
    sink,
    parts: [{ name: 'decompress', done: stage.done }],
  });
  return data();
}

const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));

describe('compression stages', () => {
  it.each(['zstd', 'gzip'] as const)('round-trips bytes through %s', async (algorithm) => {
    const stage = createCompressStage({ algorithm, level: 3 }, deps);
    const { sink, data } = collect();
    await runPipeline({
      source: Readable.from([payload]),
      stages: [stage.stream],
      sink,
      parts: [{ name: 'compress', done: stage.done }],
    });
    expect(await decompress(algorithm, data())).toEqual(payload);
  });

  it.each([
    ['zstd', execFileSync('zstd', ['-q', '-c', '-3'], { input: payload })],
    ['gzip', gzipSync(payload)],
  ] as const)('refuses a truncated %s stream with exit code 65', async (algorithm, whole) => {
    const error = await decompress(algorithm, whole.subarray(0, Math.floor(whole.length / 2))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe(ExitCode.data);
  });

  it.each([
    ['zstd', execFileSync('zstd', ['-q', '-c', '-3'], { input: payload })],
    ['gzip', gzipSync(payload)],
  ] as const)('refuses a %s stream with a flipped byte', async (algorithm, whole) => {
    const damaged = Buffer.from(whole);
    const at = Math.floor(damaged.length / 2);
    damaged[at] = (damaged[at] ?? 0) ^ 0xff;
    await expect(decompress(algorithm, damaged)).rejects.toBeInstanceOf(UserError);
  });
});

describe('HashStage', () => {
  it('reports the SHA-256 and length of what passed through unchanged', async () => {
    const hash = new HashStage();
    const { sink, data } = collect();
    await runPipeline({
      source: Readable.from([Buffer.from('abc')]),
      stages: [hash],
      sink,
      parts: [],
    });
    expect(data().toString()).toBe('abc');
    expect(hash.result()).toEqual({
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      bytes: 3,
    });
  });

  it('refuses to report before the stream ended', () => {
    expect(() => new HashStage().result()).toThrow(/before the stream ended/);
  });
});

describe('runPipeline()', () => {
  const failure = (signal: NodeJS.Signals | null, stderrTail = '') =>
    new ToolError({
      tool: 'pg_dump',
      args: [],
      exitCode: signal === null ? 1 : null,
      signal,
      stderrTail,
    });

  it('rejects when a part fails even though the streams ended cleanly', async () => {
    const { sink } = collect();
    const dumpError = failure(null, 'pg_dump: error: query failed');
    await expect(
      runPipeline({
        source: Readable.from([Buffer.from('partial')]),
        stages: [],
        sink,
        parts: [{ name: 'dump', done: Promise.reject(dumpError) }],
      }),
    ).rejects.toBe(dumpError);
  });

  it('prefers the root cause over a broken pipe that followed from it', async () => {
    const disk = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const sink = new Writable({ write: (_c, _e, done) => done(disk) });
    const error = await runPipeline({
      source: Readable.from([Buffer.from('x')]),
      stages: [],
      sink,
      parts: [
        { name: 'dump', done: Promise.reject(failure('SIGPIPE')) },
        { name: 'write', done: Promise.reject(disk) },
      ],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBe(disk);
  });

  it('stops a producer whose exit waits on a reader as soon as the sink fails', async () => {
    const disk = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const sink = new Writable({ write: (_c, _e, done) => done(disk) });
    // The dump settles only once stopped, as pg_dump blocked on a full stdout does.
    let stopDump = (): void => undefined;
    const dump = new Promise<void>((_resolve, reject) => {
      stopDump = () => reject(failure('SIGTERM'));
    });
    const source = new Readable({ read: () => undefined });
    source.push(Buffer.from('x'));
    const error = await runPipeline({
      source,
      stages: [],
      sink,
      parts: [
        { name: 'write', done: Promise.reject(disk) },
        { name: 'dump', done: dump },
      ],
      stop: () => stopDump(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBe(disk);
  });

  it('tells consequences from causes', () => {
    expect(isConsequence(failure('SIGPIPE'))).toBe(true);
    expect(
      isConsequence(failure(null, 'pg_dump: error: could not write to output file: Broken pipe')),
    ).toBe(true);
    expect(isConsequence(Object.assign(new Error('x'), { code: 'EPIPE' }))).toBe(true);
    // pg_dump stopped by our SIGTERM exits 1 saying so, and must not hide what stopped it.
    expect(isConsequence(failure(null, 'pg_dump: terminated by user'))).toBe(true);
    expect(isConsequence(failure(null, 'pg_dump: error: table "terminated by user" is gone'))).toBe(
      false,
    );
    expect(isConsequence(failure(null, 'pg_dump: error: permission denied'))).toBe(false);
    expect(isConsequence(new Error('boom'))).toBe(false);
  });
});

describe('runIntoTool()', () => {
  // The case it exists for, a tool closing its stdin between our last write and our end, is a
  // race no test can force; these pin down that everything else still fails.
  const closingSink = () => {
    const sink: Writable = new Writable({
      write: (_c, _e, done) => done(),
      final: () => setImmediate(() => sink.destroy()),
    });
    return sink;
  };

  it('fails when the tool exits 0 before it read the whole input', async () => {
    const child = spawn('head', ['-c', '1'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const tool = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i += 1) yield Buffer.alloc(1 << 20, 1);
      })(),
    );
    await expect(
      runIntoTool({ source, stages: [], sink: child.stdin, parts: [], tool }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/EPIPE|PREMATURE/) as string });
  });

  it('still fails when the tool failed', async () => {
    const toolError = new Error('pg_restore exited with 1');
    const tool = Promise.reject(toolError);
    tool.catch(() => undefined);
    await expect(
      runIntoTool({
        source: Readable.from([Buffer.from('all of it')]),
        stages: [],
        sink: closingSink(),
        parts: [{ name: 'pg_restore', done: tool }],
        tool,
      }),
    ).rejects.toBe(toolError);
  });
});
