// Plans a cluster restore: which members, what happens to each target database, every check.
import { join } from 'node:path';
import type { Check, DumpEngine } from '../../engines/engine.js';
import { noKeys, type DecryptionKeys } from '../../encryption/keys.js';
import { ExitCode, UserError } from '../../errors.js';
import { databaseMembers, type SetMember } from '../../manifest/set-manifest.js';
import { hashStream } from '../hash-stream.js';
import { checkKey } from '../key-check.js';
import { locateBackup, type LocatedBackup } from '../locate.js';
import { unlockerOf, type BackupUnlocker } from '../unlock-backup.js';
import { locateMember, type LocatedSet } from './locate-set.js';
import type { RestoreJournal } from './restore-journal.js';

/** What will happen to one database of the set. */
export type MemberAction =
  | 'create' // missing: created from its dump, then restored
  | 'into-empty' // exists and is empty: restored into as it is
  | 'recreate' // dropped (--clean-cluster, or left by an interrupted run of ours), then created
  | 'skip'; // restored completely by an earlier, interrupted run of this restore

/** One database of the plan. */
export interface MemberPlan {
  database: string;
  backup: LocatedBackup;
  action: MemberAction;
  sizeBytes: number;
}

/** The plan of a cluster restore. */
export interface ClusterRestorePlan {
  set: string;
  globals: LocatedBackup;
  members: MemberPlan[];
  actions: string[];
  checks: Check[];
  /** The unlocker of each encrypted file (by its path) whose key check passed. */
  unlockers: Map<string, BackupUnlocker>;
}

/** Inputs of {@link planClusterRestore}. */
export interface PlanClusterInput {
  set: LocatedSet;
  engine: DumpEngine;
  journal: RestoreJournal;
  /** Names from --databases; undefined restores every database of the set. */
  only: readonly string[] | undefined;
  cleanCluster: boolean;
  verify: boolean;
  /** Keys for an encrypted set (every member, the globals included, is encrypted alike). */
  keys?: DecryptionKeys;
}

/** Runs every check without changing anything; nothing is dropped or created here. */
export async function planClusterRestore(input: PlanClusterInput): Promise<ClusterRestorePlan> {
  const { set, engine } = input;
  const checks: Check[] = [];
  const chosen = chooseMembers(input, checks);
  const globals = await locateGlobals(set, set.manifest.globals);
  const backups = await Promise.all(chosen.map((m) => locateMember(set, m.database)));

  checks.push(await verifySet(input, globals, backups));
  const unlockers = await checkKeys(input.keys ?? noKeys, [globals, ...backups], checks);
  await engine.probeServer();
  const members: MemberPlan[] = [];
  for (const backup of backups) {
    const manifest = backup.manifest;
    if (manifest === undefined) continue;
    const action = await targetAction(input, manifest.database, checks);
    members.push({ database: manifest.database, backup, action, sizeBytes: manifest.sizes.dump });
    const engineChecks = await engine.checkRestore(manifest, manifest.database, false);
    // The roles (PostgreSQL) and DEFINER accounts (MySQL) come with the set's globals,
    // restored first: their checks cannot hold yet, and run again before each database.
    const later = new Set(['roles', 'definers']);
    for (const check of engineChecks.filter((c) => !later.has(c.name))) {
      checks.push({ ...check, name: `${check.name} '${manifest.database}'` });
    }
  }
  return { set: set.path, globals, members, actions: describe(members), checks, unlockers };
}

// Tries the keys on the header of every encrypted file before anything is restored.
async function checkKeys(keys: DecryptionKeys, backups: LocatedBackup[], checks: Check[]) {
  const unlockers = new Map<string, BackupUnlocker>();
  for (const backup of backups) {
    const manifest = backup.manifest;
    if (manifest === undefined) continue;
    const unlocker = unlockerOf(backup.dataName, manifest, keys);
    const check = await checkKey(backup, manifest, unlocker);
    if (check !== undefined && !check.ok) {
      checks.push(check);
      return unlockers;
    }
    if (unlocker !== undefined) unlockers.set(backup.dataPath, unlocker);
  }
  if (unlockers.size > 0) {
    checks.push({
      name: 'key',
      ok: true,
      detail: `the key given opens all ${unlockers.size} encrypted file(s)`,
    });
  }
  return unlockers;
}

/** The error of the first failing check, if any. */
export function firstClusterFailure(plan: ClusterRestorePlan): Error | undefined {
  return plan.checks.find((c) => !c.ok)?.error;
}

function chooseMembers({ set, only }: PlanClusterInput, checks: Check[]) {
  const all = databaseMembers(set.manifest);
  const names = only ?? all.map((m) => m.database);
  const unknown = names.filter((name) => !all.some((m) => m.database === name));
  if (unknown.length > 0) {
    checks.push(
      fail(
        'selection',
        `not in the set: ${unknown.map((n) => `'${n}'`).join(', ')}`,
        ExitCode.noInput,
        `The set holds: ${all.map((m) => `'${m.database}'`).join(', ')}.`,
      ),
    );
  }
  const chosen = all.filter((m) => names.includes(m.database));
  const broken = chosen.filter((m) => m.status === 'failed');
  if (broken.length > 0) {
    checks.push(
      fail(
        'set',
        `the set is incomplete: ${broken.map((m) => `'${m.database}'`).join(', ')} failed at backup`,
        ExitCode.data,
        'Finish it with `dbbackup backup cluster --resume`, or leave those out with --databases.',
      ),
    );
  }
  return chosen.filter((m) => m.status === 'complete');
}

async function locateGlobals(set: LocatedSet, globals: SetMember): Promise<LocatedBackup> {
  if (globals.status === 'complete') return locateBackup(join(set.path, globals.file), set.path);
  throw new UserError(`the set has no globals: ${globals.error.message}`, {
    code: ExitCode.data,
    hint: 'Finish the set with `dbbackup backup cluster --resume`; roles are restored first.',
  });
}

// --clean-cluster drops databases only after every file of the set checked out.
async function verifySet(
  { verify, cleanCluster }: PlanClusterInput,
  globals: LocatedBackup,
  members: LocatedBackup[],
): Promise<Check> {
  if (!verify) {
    if (cleanCluster) {
      return fail(
        'checksums',
        '--clean-cluster needs the set verified first',
        ExitCode.usage,
        'Leave out --no-verify: databases are dropped only after every file of the set matched.',
      );
    }
    return { name: 'checksums', ok: true, detail: 'skipped (--no-verify)' };
  }
  for (const backup of [globals, ...members]) {
    const manifest = backup.manifest;
    const reason =
      manifest === undefined
        ? 'its manifest is missing'
        : backup.size !== manifest.sizes.stored
          ? `it is ${backup.size} bytes, its manifest says ${manifest.sizes.stored}`
          : (await hashStream(backup.storage.open(backup.dataName))).sha256 !==
              manifest.checksum.value
            ? 'its sha256 does not match its manifest'
            : undefined;
    if (reason !== undefined) {
      return fail(
        'checksums',
        `member '${backup.dataName}' is damaged: ${reason}`,
        ExitCode.data,
        'Use another set; nothing was changed.',
      );
    }
  }
  return { name: 'checksums', ok: true, detail: `${members.length + 1} file(s) match the set` };
}

async function targetAction(
  { engine, journal, cleanCluster }: PlanClusterInput,
  database: string,
  checks: Check[],
): Promise<MemberAction> {
  const state = journal.stateOf(database);
  const found = await engine.findDatabase(database);
  const name = `target '${database}'`;
  if (found === undefined) {
    checks.push({ name, ok: true, detail: 'missing: will be created from its dump' });
    return 'create';
  }
  if (state === 'done') {
    checks.push({ name, ok: true, detail: 'restored by an earlier run of this restore: kept' });
    return 'skip';
  }
  if (state === 'created') {
    checks.push({ name, ok: true, detail: 'left by an interrupted run of this restore: redone' });
    return 'recreate';
  }
  const objects = await engine.countObjects(database);
  if (objects === 0) {
    checks.push({
      name,
      ok: true,
      detail: 'exists and is empty: restored into',
      warning: `'${database}' already existed: its database-level settings are not restored`,
    });
    return 'into-empty';
  }
  if (cleanCluster) {
    checks.push({ name, ok: true, detail: `has ${objects} object(s): dropped and re-created` });
    return 'recreate';
  }
  checks.push(
    fail(
      name,
      `database '${database}' exists and is not empty (${objects} objects)`,
      ExitCode.usage,
      'Pass --clean-cluster to drop and re-create the databases of the set, or leave it out ' +
        'with --databases.',
    ),
  );
  return 'into-empty';
}

function describe(members: MemberPlan[]): string[] {
  const text: Record<MemberAction, string> = {
    create: 'create and restore',
    'into-empty': 'restore into the existing empty',
    recreate: 'drop, re-create and restore',
    skip: 'keep (already restored)',
  };
  return [
    'restore the globals (roles or accounts, memberships, grants); existing ones are kept and altered',
    ...members.map((m) => `${text[m.action]} '${m.database}'`),
  ];
}

function fail(name: string, detail: string, code: UserError['code'], hint: string): Check {
  return { name, ok: false, detail, error: new UserError(detail, { code, hint }) };
}
