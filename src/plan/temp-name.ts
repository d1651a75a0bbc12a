// Names of temporary files: recognisable, and traceable to the host and process that wrote them.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { tempPrefix } from './backup-name.js';

/** Who wrote a temporary file. */
export interface TempOwner {
  host: string;
  pid: number;
}

/** This process as a temporary-file owner (host name reduced to [A-Za-z0-9_]). */
export function currentOwner(): TempOwner {
  return { host: hostname().replace(/[^A-Za-z0-9_]/g, '_'), pid: process.pid };
}

/** `.dbbackup-tmp-<host>.<pid>.<random>.<purpose>`: never a backup name. */
export function tempName(purpose: string, owner = currentOwner(), random = randomHex()): string {
  return `${tempPrefix}${owner.host}.${owner.pid}.${random}.${purpose}`;
}

/** The owner encoded in a temporary file's name, or undefined for any other name. */
export function parseTempName(name: string): TempOwner | undefined {
  const match = /^\.dbbackup-tmp-([A-Za-z0-9_]+)\.(\d+)\.[0-9a-f]+\./.exec(name);
  if (match === null) return undefined;
  return { host: match[1] ?? '', pid: Number(match[2]) };
}

/** Whether a temporary file was left by a process of this host that no longer runs. */
export function isStale(owner: TempOwner, self = currentOwner()): boolean {
  if (owner.host !== self.host || owner.pid === self.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function randomHex(): string {
  return randomBytes(6).toString('hex');
}
