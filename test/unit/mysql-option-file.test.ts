// The 0600 option file that carries a MySQL/MariaDB password, and the cleanup of killed runs'.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOptionFile, optionFileText } from '../../src/engines/mysql/option-file.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'dbbackup-optfile-test-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A pid that is surely not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('createOptionFile()', () => {
  it('writes the quoted password into a 0600 file inside a 0700 directory, removed after', async () => {
    const file = await createOptionFile('p@ss:w/rd?#&$`\'" \\%; =end', dir);
    expect(file).toBeDefined();
    expect((await fs.stat(file!.path)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(join(file!.path, '..'))).mode & 0o777).toBe(0o700);
    expect(await fs.readFile(file!.path, 'utf8')).toBe(
      optionFileText('p@ss:w/rd?#&$`\'" \\%; =end'),
    );
    await file!.remove();
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('removes the directory a killed run left behind, and keeps a running one', async () => {
    const dead = join(dir, `dbbackup-my-${deadPid()}-abcdef`);
    const alive = join(dir, `dbbackup-my-${process.ppid}-abcdef`);
    const other = join(dir, 'dbbackup-myinst-abcdef');
    for (const path of [dead, alive, other]) await fs.mkdir(path, { mode: 0o700 });
    await fs.writeFile(join(dead, 'client.cnf'), 'password="x"', { mode: 0o600 });

    const file = await createOptionFile('secret', dir);
    const left = await fs.readdir(dir);
    expect(left).toEqual(
      expect.arrayContaining(['dbbackup-myinst-abcdef', `dbbackup-my-${process.ppid}-abcdef`]),
    );
    expect(left.some((name) => join(dir, name) === dead)).toBe(false);
    await file?.remove();
  });
});
