#!/usr/bin/env node
// Entry point installed as the `dbbackup` command; the compiled CLI lives in dist/.
import { run } from '../dist/cli/main.js';

// Files are private whatever umask the caller had: backups 0600, directories 0700.
process.umask(0o077);

const controller = new AbortController();
let interrupted = 0;
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.on(signal, () => {
    interrupted = interrupted || code;
    controller.abort(new Error(`interrupted by ${signal}`));
  });
}

const code = await run({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
// Exit at once: while Node drains its event loop it has already dropped the signal handlers,
// and a second Ctrl+C arriving then would kill the process instead of being ignored.
process.exit(interrupted || code);
