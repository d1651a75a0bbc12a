// Samples the command lines of every process while a test runs, to prove secrets stay off argv.
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';

/** What a sampling found: the programs seen and each process (`pid: argv`) showing a needle. */
export interface SampleReport {
  programs: Set<string>;
  leaks: string[];
  passes: number;
}

/** A running sampler; `stop` ends it and returns the report. */
export interface ProcSampler {
  stop(): Promise<SampleReport>;
}

/** Reads /proc/PID/cmdline of all processes, pass after pass, until stopped. */
export function sampleCommandLines(needles: readonly string[]): ProcSampler {
  const report: SampleReport = { programs: new Set(), leaks: [], passes: 0 };
  let running = true;

  const pass = () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let text: string;
      try {
        text = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue; // the process ended between readdir and read
      }
      if (text === '') continue;
      const argv = text.split('\0');
      // Debian's /usr/bin/pg_dump is a Perl wrapper: the tool is argv[1] until it execs.
      for (const arg of argv.slice(0, 2)) report.programs.add(basename(arg));
      const line = `${entry}: ${argv.join(' ')}`;
      if (needles.some((n) => text.includes(n)) && !report.leaks.includes(line)) {
        report.leaks.push(line);
      }
    }
    report.passes += 1;
  };

  const loop = new Promise<void>((resolve) => {
    const next = () => {
      if (!running) {
        resolve();
        return;
      }
      pass();
      setImmediate(next);
    };
    next();
  });

  return {
    stop: async () => {
      running = false;
      await loop;
      return report;
    },
  };
}
