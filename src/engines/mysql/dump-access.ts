// Refuses a dump the account could only make partially: hidden objects are not an error to
// the server, so the check runs before mariadb-dump starts (case 029).
import { ExitCode, UserError } from '../../errors.js';
import type { MysqlSession } from './client.js';
import { missingDumpPrivileges } from './privileges.js';
import { canReadProc, currentGrants, currentUser, hasViews } from './queries.js';
import type { Flavour } from './tools.js';

/** Fails with exit code 77 when the account cannot see every object of the database. */
export async function assertCanDump(
  session: MysqlSession,
  flavour: Flavour,
  database: string,
): Promise<void> {
  const missing = missingDumpPrivileges({
    flavour,
    grants: await currentGrants(session),
    database,
    canReadProc: await canReadProc(session),
    hasViews: await hasViews(session, database),
  });
  if (missing.length === 0) return;

  const account = await currentUser(session);
  const routines = flavour === 'mariadb' ? 'SELECT ON mysql.proc' : 'SHOW_ROUTINE ON *.*';
  throw new UserError(
    `account '${account}' cannot see every object of '${database}': it lacks ${missing.join(', ')}`,
    {
      code: ExitCode.noPermission,
      hint:
        `Grant SELECT, SHOW VIEW, TRIGGER, EVENT on the database and ${routines} to '${account}'; ` +
        'without them the server hides tables, triggers, events or routines from the dump.',
    },
  );
}
