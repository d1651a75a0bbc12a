// Builds a temporary folder from an object literal of file paths and contents.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file's content, or content plus mode. */
export type FileSpec = string | { content: string; mode: number };

/** Creates a fresh directory holding the given files; returns its path. */
export async function testdir(files: Record<string, FileSpec> = {}): Promise<string> {
  const root = await fs.mkdtemp(join(tmpdir(), 'dbbackup-test-'));
  for (const [path, spec] of Object.entries(files)) {
    const full = join(root, path);
    await fs.mkdir(dirname(full), { recursive: true });
    const { content, mode } = typeof spec === 'string' ? { content: spec, mode: 0o600 } : spec;
    await fs.writeFile(full, content, { mode });
    await fs.chmod(full, mode);
  }
  return root;
}
