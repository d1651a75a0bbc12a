// One temporary directory per test run: every test's temp files, homes, pipes and throwaway
// servers go under it (TMPDIR, inherited by the workers and the CLI runs they start), and the
// run removes it at the end, whatever a test forgot.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'dbbackup-run-'));
  // Throwaway PostgreSQL servers run as the postgres user inside it: it must be able to pass.
  chmodSync(dir, 0o711);
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      // A file system a failed test left mounted there keeps its mount point.
      console.warn(`could not remove ${dir}: ${(error as Error).message}`);
    }
  };
}
