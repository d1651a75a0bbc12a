// MySQL-specific pre-restore checks: the client tool, and DEFINER accounts on the target.
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import type { Manifest } from '../../manifest/manifest.js';
import type { Check } from '../engine.js';
import type { DefinerPolicy } from './definers.js';
import { quoteList } from './errors.js';
import type { PickedTool } from './tools.js';

/** What the checks know about the target server. */
export interface RestoreCheckInput {
  manifest: Manifest;
  client: PickedTool;
  policy: DefinerPolicy;
  noOwner: boolean;
  /** DEFINERs the restore will rewrite to CURRENT_USER, or 'all'. */
  rewrite: ReadonlySet<string> | 'all';
  /** Definers of the dump found on the target; undefined when mysql.user is not readable. */
  existing: ReadonlySet<string> | undefined;
  currentUser: string;
}

/** Runs the checks; each failing one carries the error the restore would stop with. */
export function restoreChecks(input: RestoreCheckInput): Check[] {
  return [checkClient(input), checkDefiners(input)];
}

function checkClient({ manifest, client }: RestoreCheckInput): Check {
  if (!client.fits) {
    return failed(
      'client tools',
      `${client.name} cannot restore into this server: ${client.note ?? 'not usable'}`,
      ExitCode.config,
      'Install the client of the server family and version (Debian: mariadb-client).',
    );
  }
  // A MariaDB dump opens with `/*M!999999\- enable the sandbox mode */`, which MySQL's own
  // client rejects as an unknown command.
  if (manifest.server.flavour === 'mariadb' && client.build?.flavour !== 'mariadb') {
    return failed(
      'client tools',
      `the dump was made by MariaDB's ${manifest.tool.name}; ${client.name} is not MariaDB's`,
      ExitCode.config,
      'Restore MariaDB dumps with the mariadb client (Debian package mariadb-client).',
    );
  }
  return { name: 'client tools', ok: true, detail: `${client.name} ${client.version ?? ''}` };
}

function checkDefiners(input: RestoreCheckInput): Check {
  const { manifest, policy, noOwner, rewrite, existing, currentUser } = input;
  const definers = manifest.requires.roles;
  if (noOwner) {
    return ok(`--no-owner: every DEFINER becomes the restoring user (${currentUser})`);
  }
  if (existing === undefined) {
    return policy === 'rewrite'
      ? {
          ...ok(`cannot read mysql.user; DEFINERs other than ${currentUser} become ${currentUser}`),
          warning: `cannot read mysql.user to check DEFINERs: every other DEFINER becomes ${currentUser}`,
        }
      : {
          ...ok('cannot read mysql.user to check DEFINERs (--definers keep)'),
          // Without SUPER the CREATE fails (1227); with it, the object is created and fails
          // at every use (1449), which a restore cannot see.
          warning:
            'cannot read mysql.user: DEFINERs are kept unchecked, and objects whose DEFINER ' +
            'does not exist on the target will fail when used (ERROR 1449)',
        };
  }
  const missing = definers.filter((d) => d !== currentUser && !existing.has(d));
  if (missing.length === 0) return ok(`${definers.length} DEFINER account(s) exist`);
  if (rewrite !== 'all' && rewrite.size > 0) {
    const detail = `missing ${quoteList(missing)}: rewritten to the restoring user (${currentUser})`;
    const warning =
      `DEFINER account(s) ${quoteList(missing)} do not exist on the target: their views, ` +
      `routines, triggers and events are restored with DEFINER ${currentUser}`;
    return { ...ok(detail), warning };
  }
  return failed(
    'definers',
    `target server lacks DEFINER account(s) ${quoteList(missing)}`,
    ExitCode.noInput,
    'Create the accounts first, or restore with --definers rewrite to give their views, ' +
      'routines, triggers and events to the restoring user.',
  );
}

function ok(detail: string): Check {
  return { name: 'definers', ok: true, detail };
}

function failed(name: string, detail: string, code: ExitCodeValue, hint: string): Check {
  return { name, ok: false, detail, error: new UserError(detail, { code, hint }) };
}
