// The sets of a backup directory as `list backups` shows them: one row per set and per member.
import { formatBytes, formatLocalTime } from '../events/format.js';
import { listSets, type FoundSet } from '../jobs/cluster/set-store.js';

/** Table rows (the columns of `list backups`) and JSON entries for the sets. */
export interface SetListing {
  rows: string[][];
  json: unknown[];
}

/** Reads every set of the directory; unfinished and damaged ones are listed as such. */
export async function setListing(backupDir: string): Promise<SetListing> {
  const sets = await listSets(backupDir);
  return { rows: sets.flatMap(rowsOf), json: sets.map(jsonOf) };
}

function statusOf(set: FoundSet): string {
  if (set.problem !== undefined) return `damaged: ${set.problem}`;
  if (set.manifest !== undefined) return set.manifest.status;
  return set.plan === undefined ? 'damaged: no plan' : 'unfinished (resumable)';
}

function rowsOf(set: FoundSet): string[][] {
  const started = set.manifest?.startedAt ?? set.plan?.startedAt;
  const members = set.manifest === undefined ? [] : [set.manifest.globals, ...set.manifest.members];
  const stored = members.reduce((n, m) => n + (m.status === 'complete' ? m.sizes.stored : 0), 0);
  const count = set.manifest?.members.length ?? set.plan?.databases.length ?? 0;
  const head = [
    `(cluster: ${count} database(s))`,
    started === undefined ? '-' : formatLocalTime(started),
    set.manifest === undefined ? '-' : formatBytes(stored),
    '-',
    statusOf(set),
    `${set.name}/`,
  ];
  const lines = members.map((m) => [
    `  ${m.database ?? '(globals)'}`,
    m.status === 'complete' ? formatLocalTime(m.startedAt) : '-',
    m.status === 'complete' ? formatBytes(m.sizes.stored) : '-',
    '-',
    m.status === 'complete' ? 'complete' : `failed: ${m.error.message}`,
    m.status === 'complete' ? `${set.name}/${m.file}` : '-',
  ]);
  return [head, ...lines];
}

function jsonOf(set: FoundSet) {
  return {
    set: set.name,
    path: set.path,
    status: statusOf(set),
    server: set.manifest?.server ?? set.plan?.server ?? null,
    startedAt: set.manifest?.startedAt ?? set.plan?.startedAt ?? null,
    members: set.manifest === undefined ? [] : [set.manifest.globals, ...set.manifest.members],
  };
}
