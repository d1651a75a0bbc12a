import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTarget } from '../../src/storage/local/local-target.js';
import { MemoryTarget } from '../../src/storage/memory/memory-target.js';
import { currentOwner, tempName } from '../../src/plan/temp-name.js';
import { testdir } from '../helpers/testdir.js';
import { runStorageSuite } from './storage.suite.js';

runStorageSuite({
  name: 'LocalTarget',
  create: async () => new LocalTarget(join(await testdir(), 'b')),
});
runStorageSuite({ name: 'MemoryTarget', create: () => Promise.resolve(new MemoryTarget()) });

describe('LocalTarget', () => {
  it('creates the directory 0700 and files 0600 whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      const dir = join(await testdir(), 'nested', 'backups');
      const target = new LocalTarget(dir);
      await target.prepare();
      await target.writeSmall('x.json', '{}');
      expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
      expect((await fs.stat(join(dir, 'x.json'))).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('tolerates a concurrent creator of the same directory', async () => {
    const dir = join(await testdir(), 'shared');
    await Promise.all(Array.from({ length: 8 }, () => new LocalTarget(dir).prepare()));
    expect((await fs.stat(dir)).isDirectory()).toBe(true);
  });

  it('does not follow a symlink planted at a temporary path', async () => {
    const root = await testdir({ 'victim.txt': 'keep me' });
    const dir = join(root, 'b');
    const target = new LocalTarget(dir, { randomId: () => 'abcdef' });
    await target.prepare();
    await fs.symlink(
      join(root, 'victim.txt'),
      join(dir, tempName('y.dump', currentOwner(), 'abcdef')),
    );
    await expect(target.create('y.dump')).rejects.toThrow(/temporary file/);
    expect(await fs.readFile(join(root, 'victim.txt'), 'utf8')).toBe('keep me');
  });

  it('removes temporary files left by dead processes of this host, and only those', async () => {
    const dir = await testdir();
    const dead = spawnSync('true').pid ?? 999_999;
    const self = currentOwner();
    const names = {
      dead: tempName('a.dump', { host: self.host, pid: dead }),
      alive: tempName('b.dump', { host: self.host, pid: 1 }),
      otherHost: tempName('c.dump', { host: 'elsewhere', pid: dead }),
      backup: 'db_20261204T042000Z.pgdump.zst',
    };
    for (const name of Object.values(names)) await fs.writeFile(join(dir, name), 'x');
    await new LocalTarget(dir).prepare();
    expect((await fs.readdir(dir)).sort()).toEqual(
      [names.alive, names.otherHost, names.backup].sort(),
    );
  });

  it('refuses names that are not one path segment', async () => {
    const target = new LocalTarget(await testdir());
    await expect(target.stat('../escape')).rejects.toThrow(/single path segment/);
    await expect(target.create('a/b')).rejects.toThrow(/single path segment/);
  });
});
