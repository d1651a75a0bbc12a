// --compression auto: the decision from a sample, made while streaming without losing a byte.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sampleLimit, settleCompression } from '../../src/jobs/compression-choice.js';
import { chooseCompression, parseCompression } from '../../src/plan/compression.js';
import { readHead, replayHead } from '../../src/pipeline/sample.js';

async function drain(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of stream) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

function chunks(data: Buffer, size = 65_536): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) parts.push(data.subarray(at, at + size));
  return Readable.from(parts);
}

describe('parseCompression()', () => {
  it('reads auto and refuses a level on it', () => {
    expect(parseCompression('auto')).toEqual({ algorithm: 'auto', level: null });
    expect(() => parseCompression('auto:3')).toThrow(/unknown compression/);
  });
});

describe('chooseCompression()', () => {
  it.each([
    [
      { bytes: 8_000_000, deflatedBytes: 7_990_000, isWholeDump: false },
      2,
      'none',
      null,
      undefined,
    ],
    [{ bytes: 8_000_000, deflatedBytes: 2_000_000, isWholeDump: false }, 2, 'zstd', 3, 2],
    [{ bytes: 8_000_000, deflatedBytes: 2_000_000, isWholeDump: false }, 4, 'zstd', 3, 4],
    [{ bytes: 8_000_000, deflatedBytes: 2_000_000, isWholeDump: false }, 16, 'zstd', 6, 16],
    [{ bytes: 0, deflatedBytes: 2, isWholeDump: true }, 2, 'zstd', 3, 2],
  ] as const)(
    '%j on %i cores picks %s level %s with %s threads',
    (sample, cores, algorithm, level, threads) => {
      const used = chooseCompression(sample, cores);
      expect(used).toMatchObject({ algorithm, level, chosenBy: 'auto' });
      expect(used.threads).toBe(threads);
      expect(used.reason).toMatch(/deflate to \d+%/);
    },
  );
});

describe('settleCompression()', () => {
  it('picks none for random bytes and replays every byte', async () => {
    const data = randomBytes(sampleLimit + 300_000);
    const settled = await settleCompression({
      request: { algorithm: 'auto', level: null },
      dump: chunks(data),
      cores: 2,
    });
    expect(settled.used.algorithm).toBe('none');
    expect(settled.used.reason).toMatch(/the first \d+ bytes of the dump .* does not compress/);
    expect((await drain(settled.stream)).equals(data)).toBe(true);
  });

  it('picks zstd for text and records the sample', async () => {
    const data = Buffer.from('1\tACADEMY DINOSAUR\tA Epic Drama of a Feminist\n'.repeat(5000));
    const settled = await settleCompression({
      request: { algorithm: 'auto', level: null },
      dump: chunks(data),
      cores: 2,
    });
    expect(settled.used).toMatchObject({ algorithm: 'zstd', level: 3, threads: 2 });
    expect(settled.used.sample?.bytes).toBe(data.length);
    expect(settled.used.reason).toMatch(/^the whole dump/);
    expect((await drain(settled.stream)).equals(data)).toBe(true);
  });

  it('keeps a setting the user chose without reading the dump', async () => {
    const dump = chunks(Buffer.from('x'));
    const settled = await settleCompression({ request: { algorithm: 'gzip', level: 9 }, dump });
    expect(settled.used).toMatchObject({ algorithm: 'gzip', level: 9, chosenBy: 'user' });
    expect(settled.stream).toBe(dump);
  });
});

describe('readHead() and replayHead()', () => {
  it('passes an error of the rest of the stream on', async () => {
    const failing = new Readable({ read() {} });
    failing.push(Buffer.alloc(100, 1));
    const head = await Promise.race([
      readHead(failing, 50),
      new Promise((r) => setTimeout(r, 1000)),
    ]);
    expect(head).toMatchObject({ ended: false });
    const replayed = replayHead(head as { head: Buffer; ended: boolean }, failing);
    setImmediate(() => failing.destroy(new Error('pg_dump died')));
    await expect(drain(replayed)).rejects.toThrow('pg_dump died');
  });
});
