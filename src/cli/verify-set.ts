// `verify SET [--database NAME] [--quick | --deep]`: every member of a set (the globals too), or
// one; each member's run is recorded in the catalog like a single backup's.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { DumpEngine, StructureReport } from '../engines/engine.js';
import { createEngine } from '../engines/registry.js';
import { ExitCode, UserError, isUserError } from '../errors.js';
import { formatDuration } from '../events/format.js';
import { isGlobalsManifest } from '../jobs/cluster/globals-engine.js';
import { locateSet, type LocatedSet } from '../jobs/cluster/locate-set.js';
import { locateBackup } from '../jobs/locate.js';
import { missingKeyError, unlockerOf } from '../jobs/unlock-backup.js';
import { restoreAndCompare, type DeepVerifyReport } from '../jobs/verify-deep.js';
import { requireManifest, verifyBackup, type VerifyResult } from '../jobs/verify-backup.js';
import { isEncrypted } from '../manifest/manifest.js';
import type { SetMember } from '../manifest/set-manifest.js';
import type { DecryptionKeys } from '../encryption/keys.js';
import { beginRun, describeError, runSubjectOf } from './catalog-hook.js';
import { engineOf, flagOption, stringOption, type CommandContext } from './context.js';
import { openDeepTarget, type DeepTarget } from './deep-target.js';
import { decryptionKeysOf } from './keys.js';
import { memberOption, setEngineContext } from './set-member.js';

/** How one member's verify ended. */
export interface MemberVerify {
  /** The database, or null for the globals. */
  database: string | null;
  ok: boolean;
  result?: VerifyResult;
  deep?: DeepVerifyReport | null;
  error?: { code: number; message: string };
}

interface SetVerifyRun {
  ctx: CommandContext;
  set: LocatedSet;
  engine: DumpEngine;
  keys: DecryptionKeys;
  quick: boolean;
  deep: boolean;
  /** The deep target, opened at the first member that needs it and shared by the rest. */
  target?: DeepTarget;
}

/** Verifies the members of the set at `path`; fails after all ran when any failed. */
export async function verifySetCommand(ctx: CommandContext, path: string, backupDir: string) {
  const set = await locateSet(path, backupDir);
  const only = memberOption(ctx);
  const members = chooseMembers(set, only);
  // For a set, a typed --database names the member; the maintenance database stays as set.
  const plain = setEngineContext(ctx);
  const configured = engineOf(plain);
  const engine =
    configured.type === set.manifest.engine
      ? configured
      : createEngine(set.manifest.engine, { connection: {}, spawn: ctx.spawn, env: ctx.env });
  const run: SetVerifyRun = {
    ctx: plain,
    set,
    engine,
    keys: await decryptionKeysOf(ctx),
    quick: flagOption(ctx, 'quick'),
    deep: flagOption(ctx, 'deep'),
  };

  const outcomes: MemberVerify[] = [];
  try {
    for (const member of members) outcomes.push(await verifyMember(run, member));
  } finally {
    await run.target?.close();
    await engine.close();
    if (engine !== configured) await configured.close();
  }
  printOutcomes(ctx, set, outcomes);
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw failedError(set, outcomes, failed);
  return ExitCode.ok;
}

function chooseMembers(set: LocatedSet, only: string | undefined): SetMember[] {
  const all = [set.manifest.globals, ...set.manifest.members];
  if (only === undefined) return all;
  const found = set.manifest.members.find((m) => m.database === only);
  if (found === undefined) {
    throw new UserError(`database '${only}' is not in the set '${set.name}'`, {
      code: ExitCode.noInput,
      hint: `The set holds: ${set.manifest.members.map((m) => `'${m.database ?? ''}'`).join(', ')}.`,
    });
  }
  return [found];
}

async function verifyMember(run: SetVerifyRun, member: SetMember): Promise<MemberVerify> {
  const { ctx, set } = run;
  const { database } = member;
  if (member.status === 'failed') {
    const message = `failed at backup: ${member.error.message}`;
    return { database, ok: false, error: { code: ExitCode.data, message } };
  }

  const backup = await locateBackup(join(set.path, member.file), set.path);
  const manifest = requireManifest(backup);
  const isGlobals = isGlobalsManifest(manifest);
  const deep = run.deep && !isGlobals;
  const depth = deep ? 'restore' : run.quick ? 'quick' : 'full';
  const unlocker = unlockerOf(backup.dataName, manifest, run.keys);
  const attempt = beginRun(ctx, runSubjectOf(backup, 'verify', depth));
  try {
    const result = await verifyBackup({
      backup,
      // The globals are a SQL script, not an archive: reading it whole to the end is the check.
      engine: isGlobals ? drainingEngine(run.engine) : run.engine,
      quick: run.quick || deep,
      spawn: ctx.spawn,
      env: ctx.env,
      emit: ctx.output.emit,
      clock: ctx.clock,
      unlocker,
    });
    let report: DeepVerifyReport | null = null;
    if (deep) {
      if (isEncrypted(manifest) && unlocker === undefined) {
        throw missingKeyError(backup.dataName, manifest.encryption);
      }
      if (unlocker !== undefined) await unlocker.check(backup.storage);
      run.target ??= await openDeepTarget(ctx, manifest);
      report = await restoreAndCompare({
        backup,
        manifest,
        engine: run.target.engine,
        where: run.target.where,
        noOwner: run.target.noOwner,
        workdir: stringOption(ctx, 'workdir') ?? backup.storage.location,
        unlocker,
        spawn: ctx.spawn,
        env: ctx.env,
        emit: ctx.output.emit,
        clock: ctx.clock,
      });
    }
    // Without the key only size and checksum were checked: the catalog must not call it deep.
    await attempt.succeeded(result.notChecked.length > 0 ? 'quick' : undefined);
    return { database, ok: true, result, deep: report };
  } catch (error) {
    if (!isUserError(error)) throw error;
    await attempt.failed(error).catch(() => undefined);
    return { database, ok: false, error: describeError(error) };
  }
}

function drainingEngine(engine: DumpEngine): DumpEngine {
  const checkStructure = async (input: Readable): Promise<StructureReport> => {
    let lines = 0;
    for await (const chunk of input) {
      for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
    }
    return { entries: lines, tablesWithData: 0, missingTables: [] };
  };
  return new Proxy(engine, {
    get(target, key) {
      if (key === 'checkStructure') return checkStructure;
      const value: unknown = Reflect.get(target, key, target);
      // Engines keep private fields: their methods must run with the engine itself as `this`.
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

function label(database: string | null): string {
  return database === null ? 'globals' : `'${database}'`;
}

function printOutcomes(ctx: CommandContext, set: LocatedSet, outcomes: MemberVerify[]) {
  const ok = outcomes.every((o) => o.ok);
  const lines = [`set ${set.name}: ${ok ? 'every member verified' : 'verify FAILED'}`];
  for (const o of outcomes) {
    if (!o.ok) {
      lines.push(`  FAILED ${label(o.database)}: ${o.error?.message ?? ''}`);
      continue;
    }
    const limited = (o.result?.notChecked.length ?? 0) > 0;
    lines.push(`  ok ${label(o.database)}: ${limited ? 'size and checksum only' : 'intact'}`);
    for (const note of o.result?.notChecked ?? []) lines.push(`     not checked: ${note}`);
    if (o.deep !== null && o.deep !== undefined) {
      lines.push(
        `     restored into throwaway '${o.deep.database}' on ${o.deep.where} in ` +
          `${formatDuration(o.deep.restoreMs)}; row counts of ${o.deep.tables.length} table(s) match`,
      );
    }
  }
  ctx.output.result(
    { command: 'verify', ok, set: set.path, status: set.manifest.status, members: outcomes },
    lines,
  );
}

function failedError(set: LocatedSet, all: MemberVerify[], failed: MemberVerify[]): UserError {
  const codes = new Set(failed.map((f) => f.error?.code ?? ExitCode.failure));
  const [only] = codes;
  const code =
    codes.size === 1 && only !== undefined
      ? only
      : codes.has(ExitCode.data)
        ? ExitCode.data
        : ExitCode.failure;
  return new UserError(
    `verify of set '${set.name}' failed: ${failed.length} of ${all.length} member(s)`,
    {
      code: code as UserError['code'],
      detail: failed.map((f) => `${label(f.database)}: ${f.error?.message ?? ''}`).join('\n'),
      hint:
        set.manifest.status !== 'complete'
          ? 'The set is incomplete: finish it with `dbbackup backup cluster --resume`, or use another set.'
          : !codes.has(ExitCode.data)
            ? // No member read as damaged: what failed was around the files (server, keys).
              'No file was found damaged; fix what the messages above name and verify again.'
            : 'Use another set for the members that failed; the others can be restored one by one.',
    },
  );
}
