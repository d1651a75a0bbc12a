// PostgreSQL-specific pre-restore checks: client version, roles and extensions on the target.
import { ExitCode, UserError } from '../../errors.js';
import type { Manifest } from '../../manifest/manifest.js';
import type { Check, ServerInfo, ToolInfo } from '../engine.js';
import { majorOf } from './tools.js';

/** Inputs of {@link restoreChecks}; `query` runs on the target server's maintenance database. */
export interface RestoreCheckInput {
  manifest: Manifest;
  target: string;
  noOwner: boolean;
  server: ServerInfo;
  tools: ToolInfo[];
  query: <T extends object>(sql: string, params?: unknown[]) => Promise<T[]>;
}

/** Runs the checks; each failing one carries the error the restore would stop with. */
export async function restoreChecks(input: RestoreCheckInput): Promise<Check[]> {
  return [checkClient(input), await checkRoles(input), await checkExtensions(input)];
}

function checkClient({ manifest, tools }: RestoreCheckInput): Check {
  const tool = tools.find((t) => t.name === 'pg_restore');
  const needed = majorOf(manifest.tool.version);
  if (tool?.version == null) {
    return failed(
      'client tools',
      'pg_restore not found on PATH',
      ExitCode.config,
      'Install the PostgreSQL client tools (Debian package postgresql-client).',
    );
  }
  if (majorOf(tool.version) < needed) {
    return failed(
      'client tools',
      `pg_restore ${tool.version} cannot read a dump made by pg_dump ${manifest.tool.version}`,
      ExitCode.config,
      `Install PostgreSQL client tools ${needed} or newer.`,
    );
  }
  return { name: 'client tools', ok: true, detail: `pg_restore ${tool.version}` };
}

async function checkRoles({ manifest, noOwner, query }: RestoreCheckInput): Promise<Check> {
  const wanted = manifest.requires.roles;
  const rows = await query<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])',
    [wanted],
  );
  const present = new Set(rows.map((r) => r.rolname));
  const missing = wanted.filter((role) => !present.has(role));
  if (missing.length === 0) {
    return { name: 'roles', ok: true, detail: `${wanted.length} referenced role(s) exist` };
  }
  const list = missing.map((r) => `'${r}'`).join(', ');
  if (noOwner) {
    return {
      name: 'roles',
      ok: true,
      detail: `missing ${list}: --no-owner restores without owners and grants`,
      warning:
        `the target server lacks role(s) ${list}: restoring with --no-owner, so every object ` +
        'is owned by the restoring user and the grants of the backup are dropped',
    };
  }
  return failed(
    'roles',
    `target server lacks role(s) ${list}`,
    ExitCode.noInput,
    'Create the roles first (a cluster backup carries them), or pass --no-owner to restore ' +
      'every object owned by you and without grants.',
  );
}

async function checkExtensions({ manifest, query }: RestoreCheckInput): Promise<Check> {
  const wanted = manifest.requires.extensions;
  const rows = await query<{ name: string }>(
    'SELECT name FROM pg_available_extensions WHERE name = ANY($1::text[])',
    [wanted],
  );
  const present = new Set(rows.map((r) => r.name));
  const missing = wanted.filter((ext) => !present.has(ext));
  if (missing.length === 0) {
    return { name: 'extensions', ok: true, detail: `${wanted.length} extension(s) available` };
  }
  return failed(
    'extensions',
    `target server lacks extension(s) ${missing.map((e) => `'${e}'`).join(', ')}`,
    ExitCode.config,
    'Install the extension packages on the target server first.',
  );
}

function failed(
  name: string,
  detail: string,
  code: (typeof ExitCode)[keyof typeof ExitCode],
  hint: string,
): Check {
  return { name, ok: false, detail, error: new UserError(detail, { code, hint }) };
}
