// The set manifest of a cluster backup, and the plan written when the set starts (see README).
import { ExitCode, UserError } from '../errors.js';
import type { EngineType, Manifest } from './manifest.js';

/** Names of the two set-level files inside a set directory. */
export const setFiles = { plan: 'set.plan.json', manifest: 'set.manifest.json' } as const;

/** The server a set was taken from. */
export interface SetServer {
  flavour: string;
  version: string;
  host: string;
}

/** Written once when a set starts: what it will hold. A set without a manifest is unfinished. */
export interface SetPlan {
  format: 'dbbackup-set-plan';
  version: 1;
  engine: EngineType;
  server: SetServer;
  startedAt: string;
  /** The `--exclude` patterns the set was planned with. */
  exclude: string[];
  databases: { name: string; sizeBytes: number }[];
}

/** Why a member failed, as the user saw it. */
export interface MemberError {
  code: number;
  message: string;
  hint: string | null;
}

/** One file of a set: a database dump, or the globals (`database` is then null). */
export type SetMember =
  | {
      database: string | null;
      status: 'complete';
      file: string;
      manifestFile: string;
      checksum: Manifest['checksum'];
      sizes: Manifest['sizes'];
      startedAt: string;
      finishedAt: string;
      /** True when an earlier run of the set wrote it and --resume kept it after verifying. */
      kept: boolean;
      warnings: string[];
    }
  | { database: string | null; status: 'failed'; error: MemberError };

/** The set manifest, written last: every member with its checksum, sizes, status and timings. */
export interface SetManifest {
  format: 'dbbackup-manifest';
  version: 1;
  kind: 'cluster';
  /** `incomplete` when the globals or any database failed; the members say why. */
  status: 'complete' | 'incomplete';
  engine: EngineType;
  server: SetServer;
  startedAt: string;
  finishedAt: string;
  /** How many runs wrote the set (1, plus one per --resume). */
  runs: number;
  exclude: string[];
  globals: SetMember;
  members: SetMember[];
}

/** Serialises a set manifest or plan: stable, indented, newline-terminated. */
export function formatSetJson(value: SetManifest | SetPlan): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Parses a stored set manifest; anything unexpected is a data error (65). */
export function parseSetManifest(text: string, where: string): SetManifest {
  const value = parseJson(text, where);
  if (value.format !== 'dbbackup-manifest' || value.kind !== 'cluster') {
    throw invalid(where, 'it is not a dbbackup set manifest');
  }
  if (value.version !== 1) throw invalid(where, `version ${String(value.version)} is unknown`);
  if (!Array.isArray(value.members) || typeof value.globals !== 'object') {
    throw invalid(where, "field 'members' or 'globals' is missing");
  }
  return value as unknown as SetManifest;
}

/** Parses a stored set plan; anything unexpected is a data error (65). */
export function parseSetPlan(text: string, where: string): SetPlan {
  const value = parseJson(text, where);
  if (value.format !== 'dbbackup-set-plan' || value.version !== 1) {
    throw invalid(where, 'it is not a dbbackup set plan');
  }
  if (!Array.isArray(value.databases) || typeof value.server !== 'object') {
    throw invalid(where, "field 'databases' or 'server' is missing");
  }
  return value as unknown as SetPlan;
}

/** The members of a set that hold databases (the globals excluded). */
export function databaseMembers(set: SetManifest): (SetMember & { database: string })[] {
  return set.members.filter((m): m is SetMember & { database: string } => m.database !== null);
}

function parseJson(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(where, 'it is not valid JSON', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(where, 'it is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function invalid(where: string, why: string, cause?: unknown): UserError {
  return new UserError(`set file '${where}' is unreadable: ${why}`, {
    code: ExitCode.data,
    hint: 'The set was damaged; its members can still be restored one by one with `restore single`.',
    cause,
  });
}
