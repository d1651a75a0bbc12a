#!/usr/bin/env node
// Entry point installed as the `dbbackup` command; the compiled CLI lives in dist/.
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

// Loaded after the handlers are in place: loading takes a moment, and a Ctrl+C meanwhile
// should end the run as interrupted (nothing has started yet), not kill it by the signal.
const { run } = await import('../dist/cli/main.js');
if (interrupted !== 0) {
  process.stderr.write('error: interrupted before the run started; nothing was done\n');
  process.exit(interrupted);
}

const code = await run({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  terminal: { stdin: process.stdin, stdout: process.stdout },
  signal: controller.signal,
});
// Exit at once: while Node drains its event loop it has already dropped the signal handlers,
// and a second Ctrl+C arriving then would kill the process instead of being ignored. A signal
// that came after the work was done (the backup published, the restore proven) changed
// nothing: the run says so with 0, as it already printed.
process.exit(code === 0 ? 0 : interrupted || code);
