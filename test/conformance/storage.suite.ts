// The StorageTarget conformance suite, run against every implementation.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/errors.js';
import type { StorageTarget } from '../../src/storage/storage.js';

/** How the suite builds a fresh, empty target. */
export interface StorageSuiteOptions {
  name: string;
  create: () => Promise<StorageTarget>;
}

async function write(target: StorageTarget, name: string, data: Buffer | string) {
  const pending = await target.create(name);
  await pipeline(Readable.from([Buffer.from(data)]), pending.stream);
  return pending;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Registers the suite for one implementation. */
export function runStorageSuite({ name, create }: StorageSuiteOptions): void {
  describe(`StorageTarget: ${name}`, () => {
    it('shows nothing under the final name until commit', async () => {
      const target = await create();
      await target.prepare();
      const pending = await write(target, 'a.dump', 'hello');
      expect(await target.stat('a.dump')).toBeUndefined();
      expect(await target.list()).toEqual([]);
      await pending.commit();
      expect(await target.stat('a.dump')).toEqual({ name: 'a.dump', size: 5 });
      expect(await target.list()).toEqual(['a.dump']);
    });

    it('reads back what was written before commit', async () => {
      const target = await create();
      await target.prepare();
      const data = Buffer.from([0, 1, 2, 255, 10, 13]);
      const pending = await write(target, 'b.dump', data);
      expect(await readAll(pending.readBack())).toEqual(data);
      await pending.commit();
      expect(await readAll(target.open('b.dump'))).toEqual(data);
    });

    it('reads back while it flushes, and after', async () => {
      const target = await create();
      await target.prepare();
      const data = Buffer.alloc(3 << 20, 7);
      const pending = await write(target, 'f.dump', data);
      const [read] = await Promise.all([readAll(pending.readBack()), pending.flush()]);
      expect(read.equals(data)).toBe(true);
      expect((await readAll(pending.readBack())).equals(data)).toBe(true);
      await pending.commit();
      expect(await target.stat('f.dump')).toMatchObject({ size: data.length });
    });

    it('publishes nothing on flush, then commits without or with the directory flush', async () => {
      const target = await create();
      await target.prepare();
      const first = await write(target, 'e.dump', 'data');
      const second = await write(target, 'e.dump.manifest.json', '{}');
      await second.flush();
      await first.flush();
      await first.flush();
      expect(await target.list()).toEqual([]);
      await first.commit({ syncDirectory: false });
      await second.commit();
      expect((await target.list()).sort()).toEqual(['e.dump', 'e.dump.manifest.json']);
      expect(await readAll(target.open('e.dump'))).toEqual(Buffer.from('data'));
    });

    it('leaves nothing behind after abort', async () => {
      const target = await create();
      await target.prepare();
      const pending = await write(target, 'c.dump', 'partial');
      await pending.abort();
      await pending.abort();
      expect(await target.stat('c.dump')).toBeUndefined();
      expect(await target.list()).toEqual([]);
    });

    it('never replaces an existing object on commit', async () => {
      const target = await create();
      await target.prepare();
      await (await write(target, 'd.dump', 'first')).commit();
      const second = await write(target, 'd.dump', 'second');
      const error = await second.commit().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((await readAll(target.open('d.dump'))).toString()).toBe('first');
      expect(await target.list()).toEqual(['d.dump']);
    });

    it('writes and reads small objects whole', async () => {
      const target = await create();
      await target.prepare();
      await target.writeSmall('m.json', '{"ok":true}\n');
      expect(await target.readSmall('m.json')).toBe('{"ok":true}\n');
      await target.remove('m.json');
      await target.remove('m.json');
      expect(await target.stat('m.json')).toBeUndefined();
    });

    it('fails to open a missing object with exit code 66', async () => {
      const target = await create();
      await target.prepare();
      const error = await readAll(target.open('missing.dump')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeDefined();
      const code = (error as UserError).code ?? (error as NodeJS.ErrnoException).code;
      expect([ExitCode.noInput, 'ENOENT']).toContain(code);
    });
  });
}
