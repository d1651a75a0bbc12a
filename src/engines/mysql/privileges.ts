// Decides from SHOW GRANTS whether an account sees every object a dump must hold (case 029).
import type { Flavour } from './tools.js';

/** One parsed `GRANT ... ON db.* TO ...` line; table and routine grants are not kept. */
export interface Grant {
  privileges: string[];
  /** `*` for global grants; otherwise a database name pattern (`%` and `_` wildcards). */
  database: string;
}

const grantLine = /^GRANT (.+?) ON (\*|`(?:[^`]|``)+`)\.\* TO /;

/** Parses one SHOW GRANTS line; lines that grant on tables, routines or roles give undefined. */
export function parseGrant(line: string): Grant | undefined {
  const match = grantLine.exec(line);
  if (match === undefined || match === null) return undefined;
  const [, list = '', scope = '*'] = match;
  const database = scope === '*' ? '*' : scope.slice(1, -1).replace(/``/g, '`');
  const privileges = list
    .replace(/\([^)]*\)/g, '')
    .split(',')
    .map((p) => p.trim().toUpperCase())
    .filter((p) => p !== '');
  return { privileges, database };
}

/** Tells whether a grant's database pattern covers a name (`\` escapes a wildcard). */
export function matchesPattern(pattern: string, name: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i] ?? '';
    if (ch === '\\' && i + 1 < pattern.length) {
      i += 1;
      regex += escapeRegex(pattern[i] ?? '');
    } else if (ch === '%') regex += '.*';
    else if (ch === '_') regex += '.';
    else regex += escapeRegex(ch);
  }
  return new RegExp(`^${regex}$`, 'su').test(name);
}

function escapeRegex(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The privileges held on a database: global grants plus matching database grants. */
export function privilegesOn(grants: Grant[], database: string): Set<string> {
  const held = new Set<string>();
  for (const grant of grants) {
    if (grant.database !== '*' && !matchesPattern(grant.database, database)) continue;
    for (const p of grant.privileges) held.add(p);
  }
  return held;
}

/** What the check knows about the account and the database. */
export interface DumpPrivilegeInput {
  flavour: Flavour;
  grants: Grant[];
  database: string;
  /** `SELECT 1 FROM mysql.proc LIMIT 0` succeeded (MariaDB, MySQL 5.7). */
  canReadProc: boolean;
  hasViews: boolean;
}

/**
 * Lists what the account lacks to see everything a dump of the database must hold, empty when
 * nothing is missing. Without database-wide SELECT, TRIGGER and EVENT the server hides tables,
 * triggers and events instead of failing, and routines without the routine privilege below;
 * the dump would silently lack them. Roles nested in roles are not followed, so the check may
 * refuse an account that would see everything, never the other way round.
 */
export function missingDumpPrivileges(input: DumpPrivilegeInput): string[] {
  const { flavour, grants, database, canReadProc, hasViews } = input;
  const onDb = privilegesOn(grants, database);
  const global = privilegesOn(
    grants.filter((g) => g.database === '*'),
    database,
  );
  const has = (set: Set<string>, p: string) => set.has(p) || set.has('ALL PRIVILEGES');

  const needed = ['SELECT', 'TRIGGER', 'EVENT', ...(hasViews ? ['SHOW VIEW'] : [])];
  const missing = needed.filter((p) => !has(onDb, p));
  if (!seesRoutines({ flavour, onDb, global, canReadProc, has })) {
    missing.push(
      flavour === 'mariadb'
        ? 'SELECT ON mysql.proc (to read stored routines)'
        : 'SHOW_ROUTINE (to read stored routines)',
    );
  }
  return missing;
}

interface RoutineInput {
  flavour: Flavour;
  onDb: Set<string>;
  global: Set<string>;
  canReadProc: boolean;
  has: (set: Set<string>, p: string) => boolean;
}

// MariaDB before 11.3 and MySQL 5.7 show a routine's body to readers of mysql.proc; MariaDB
// 11.3 adds SHOW CREATE ROUTINE, MySQL 8.0.20 SHOW_ROUTINE; global SELECT works everywhere.
function seesRoutines({ flavour, onDb, global, canReadProc, has }: RoutineInput): boolean {
  if (canReadProc || has(global, 'SELECT')) return true;
  if (flavour === 'mariadb') return has(onDb, 'SHOW CREATE ROUTINE');
  return global.has('SHOW_ROUTINE');
}
