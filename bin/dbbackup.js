#!/usr/bin/env node
// Entry point installed as the `dbbackup` command; the compiled CLI lives in dist/.
import { run } from '../dist/cli/main.js';

// Files are private whatever umask the caller had: backups 0600, directories 0700.
process.umask(0o077);

const controller = new AbortController();
let interrupted = 0;
// SIGHUP: the terminal went away (an SSH session dropped under the terminal UI).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
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
  terminal: { stdin: process.stdin, stdout: process.stdout },
  signal: controller.signal,
});
process.exitCode = interrupted || code;
