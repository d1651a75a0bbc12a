// Applies a MySQL globals script statement by statement, keeping accounts that exist.
import type { Readable } from 'node:stream';
import type { GlobalsRestoreReport } from '../engine.js';
import { connectSession, queryRows, text } from './client.js';
import { classifyDriverError } from './errors.js';
import { linesOf, readGlobalsScript, type GlobalsStatement } from './globals-script.js';
import type { MysqlTarget } from './target.js';
import type { Flavour } from './tools.js';

/** Inputs of {@link restoreMysqlGlobals}. */
export interface RestoreMysqlGlobalsInput {
  target: MysqlTarget;
  flavour: Flavour;
  input: Readable;
  /**
   * `accounts`: every statement but the grants on tables and routines, before the databases;
   * `objects`: only those grants, on the databases given, once they are restored.
   */
  pass: { kind: 'accounts' } | { kind: 'objects'; databases: readonly string[] };
}

/**
 * Runs the statements in one session, in script order. An account or role that exists is
 * kept: `CREATE … IF NOT EXISTS` leaves it, the `ALTER USER` after it sets the dumped
 * authentication, TLS requirements, limits, lock and expiry, and the grants are added. Any
 * failing statement fails the restore with the server's error; running it again is harmless.
 */
export async function restoreMysqlGlobals(
  options: RestoreMysqlGlobalsInput,
): Promise<GlobalsRestoreReport> {
  const { target, input, pass } = options;
  const session = await connectSession(target);
  const kept = new Set<string>();
  try {
    const existing = pass.kind === 'accounts' ? await accountsOf(session, options.flavour) : null;
    for await (const statement of readGlobalsScript(linesOf(input))) {
      if (!wanted(statement, pass)) continue;
      const { account, step } = statement;
      if (account !== undefined && (step === 'account' || step === 'role')) {
        if (existing?.has(account) === true) kept.add(`${step} ${account}`);
      }
      try {
        await session.query(statement.sql);
      } catch (error) {
        const what = account === undefined ? step : `${step} of ${account}`;
        throw classifyDriverError(`unable to restore the ${what}`, error);
      }
    }
  } finally {
    input.destroy();
    await session.end().catch(() => undefined);
  }
  return { kept: [...kept] };
}

function wanted(statement: GlobalsStatement, pass: RestoreMysqlGlobalsInput['pass']): boolean {
  if (statement.step === 'session') return true;
  if (statement.step === 'end') return false;
  if (pass.kind === 'accounts') return statement.step !== 'object-grant';
  return (
    statement.step === 'object-grant' &&
    statement.database !== undefined &&
    pass.databases.includes(statement.database)
  );
}

async function accountsOf(session: Awaited<ReturnType<typeof connectSession>>, flavour: Flavour) {
  const role = flavour === 'mariadb' ? 'is_role' : "'N'";
  const rows = await queryRows(
    session,
    `SELECT User AS u, Host AS h, ${role} AS r FROM mysql.user`,
  );
  return new Set(
    rows.map((r) => (text(r.r) === 'Y' ? `'${text(r.u)}'` : `'${text(r.u)}'@'${text(r.h)}'`)),
  );
}
