// Watches the processes a CLI run starts, so a test can prove none outlives it (no orphans).
import { readFileSync, readdirSync } from 'node:fs';

/** A process seen under the watched root: pid, start time (to see through pid reuse), name. */
export interface SeenProcess {
  pid: number;
  started: string;
  name: string;
  /** The command line as first seen (empty if the process ended before it was read). */
  argv: string[];
}

/** A running watch; `stop` ends it and returns every descendant seen. */
export interface TreeWatch {
  /** Descendants seen so far. */
  seen(): SeenProcess[];
  stop(): Promise<SeenProcess[]>;
}

interface StatLine {
  ppid: number;
  started: string;
  name: string;
}

/** Reads /proc/PID/stat: parent pid, start time and command name; undefined once gone. */
export function readStat(pid: number): StatLine | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
  // The command name may hold spaces and parentheses: count the fields from its end.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return undefined;
  return { ppid: Number(fields[1]), started: fields[19] ?? '', name };
}

function readArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return [];
  }
}

/** Samples /proc again and again, recording every process whose ancestry reaches `root`. */
export function watchTree(root: number): TreeWatch {
  const seen = new Map<string, SeenProcess>();
  let running = true;

  const pass = () => {
    const parents = new Map<number, number>();
    const stats = new Map<number, StatLine>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat === undefined) continue;
      parents.set(Number(entry), stat.ppid);
      stats.set(Number(entry), stat);
    }
    for (const [pid, stat] of stats) {
      if (pid === root) continue;
      let up = parents.get(pid);
      for (let depth = 0; up !== undefined && up > 1 && depth < 20; depth += 1) {
        if (up === root) {
          const key = `${pid}:${stat.started}`;
          const argv = readArgv(pid);
          const known = seen.get(key);
          // A wrapper (Debian's pg_wrapper) execs the real tool under the same pid.
          if (known === undefined || known.name !== stat.name || known.argv.length === 0) {
            seen.set(key, { pid, started: stat.started, name: stat.name, argv });
          }
          break;
        }
        up = parents.get(up);
      }
    }
  };

  const loop = new Promise<void>((resolve) => {
    const next = () => {
      if (!running) {
        resolve();
        return;
      }
      pass();
      setTimeout(next, 5);
    };
    next();
  });

  return {
    seen: () => [...seen.values()],
    stop: async () => {
      running = false;
      await loop;
      return [...seen.values()];
    },
  };
}

/** The processes of `seen` that still run (same pid and start time), after a grace period. */
export async function survivors(seen: readonly SeenProcess[], graceMs = 1000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const alive = seen.filter((p) => readStat(p.pid)?.started === p.started);
    if (alive.length === 0 || Date.now() >= deadline) {
      return alive.map((p) => `${p.pid} ${p.name}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
