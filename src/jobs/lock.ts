// A lock file per server and backup directory, so two runs never interleave their backups.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError, fileError } from '../errors.js';
import { encodeNameForFile } from '../plan/backup-name.js';

/** What a lock file holds: who took it, so a later run can tell whether it is stale. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The process start time (Linux clock ticks since boot), to see through a reused pid. */
  started: string | null;
  token: string;
  since: string;
  purpose: string;
}

/** Options of {@link acquireLock}. */
export interface AcquireLockInput {
  /** The backup directory the lock protects; it must exist. */
  directory: string;
  /** What is locked: a server, such as `postgres system 7715564224359168120 port 5432`. */
  key: string;
  /** How long to wait for a live holder, in milliseconds; 0 fails at once. */
  timeoutMs: number;
  /** Shown to a run that finds the lock taken, e.g. 'backup cluster'. */
  purpose: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A lock this process holds. */
export interface HeldLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

const pollMs = 200;

/**
 * Takes the lock, waiting up to `timeoutMs` while another live run holds it. A lock left by a
 * process of this host that is gone (killed, crashed) is taken over at once; one held on
 * another host cannot be judged, so it is waited for. Fails with exit code 75 on timeout.
 */
export async function acquireLock(input: AcquireLockInput): Promise<HeldLock> {
  const { directory, key, timeoutMs, now = Date.now, sleep = delay } = input;
  const path = join(directory, `.dbbackup-lock-${encodeNameForFile(key)}`);
  const self = await ownerOfThisProcess(input.purpose);
  const deadline = now() + timeoutMs;

  for (;;) {
    if (await tryCreate(path, self)) return held(path, self.token);
    const holder = await readOwner(path);
    if (holder === undefined) continue;
    if (await isStale(holder)) {
      await takeOver(path, holder);
      continue;
    }
    if (now() >= deadline) throw lockedError(directory, key, holder);
    await sleep(Math.min(pollMs, Math.max(1, deadline - now())));
  }
}

async function tryCreate(path: string, self: LockOwner): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileError('create lock file', path, error);
  }
  try {
    await handle.writeFile(`${JSON.stringify(self)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as LockOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // An empty or cut lock file: being written right now, or its writer crashed before it
    // finished. Only an old one is judged stale (pid 0); a fresh one is waited for.
    if (error instanceof SyntaxError) {
      const age = Date.now() - (await fs.stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
      const host = age > 5000 ? hostname() : '';
      return { pid: 0, host, started: null, token: '', since: '', purpose: 'unknown' };
    }
    throw fileError('read lock file', path, error);
  }
}

/** Whether the holder is a process of this host that no longer runs. */
export async function isStale(holder: LockOwner): Promise<boolean> {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  if (holder.pid <= 0) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const started = await processStart(holder.pid);
  return holder.started !== null && started !== null && started !== holder.started;
}

// Two runs may judge the same lock stale: each renames it aside first, and only the one whose
// renamed file is still the stale one deletes it; a live lock renamed by mistake goes back.
async function takeOver(path: string, stale: LockOwner): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fileError('take over lock file', path, error);
  }
  const moved = await readOwner(aside);
  if (moved !== undefined && moved.token !== stale.token) {
    await fs.link(aside, path).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

function held(path: string, token: string): HeldLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      const owner = await readOwner(path).catch(() => undefined);
      if (owner?.token === token) await fs.rm(path, { force: true });
    },
  };
}

async function ownerOfThisProcess(purpose: string): Promise<LockOwner> {
  return {
    pid: process.pid,
    host: hostname(),
    started: await processStart(process.pid),
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
    purpose,
  };
}

/** Field 22 of /proc/PID/stat: when the process started; null where /proc is missing. */
async function processStart(pid: number): Promise<string | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function lockedError(directory: string, key: string, holder: LockOwner): UserError {
  const since = holder.since === '' ? '' : ` since ${holder.since}`;
  return new UserError(
    `backup directory '${directory}' is locked for '${key}' by '${holder.purpose}' ` +
      `(pid ${holder.pid} on '${holder.host}'${since})`,
    {
      code: ExitCode.tempFail,
      hint:
        'Another dbbackup run is using it; wait for it to finish, or pass --lock-timeout ' +
        'SECONDS to wait for it.',
    },
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
