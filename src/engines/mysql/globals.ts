// Dumps MySQL/MariaDB accounts, roles and grants with SHOW CREATE USER and SHOW GRANTS.
import { Readable } from 'node:stream';
import { ExitCode, UserError } from '../../errors.js';
import type { GlobalsFacts, GlobalsRun, ServerInfo } from '../engine.js';
import { connectSession, queryRows, quoteIdent, text, type MysqlSession } from './client.js';
import { classifyDriverError } from './errors.js';
import { GlobalsScriptWriter, grantObject, type StatementMeta } from './globals-script.js';
import { byName } from './queries.js';
import type { MysqlTarget } from './target.js';

/**
 * Accounts every freshly installed server makes for itself. They are left out of the dump: a
 * restore must not change how the target's own administrator and internal accounts log in.
 */
export const systemAccounts: readonly string[] = [
  "'root'@'localhost'",
  "'mariadb.sys'@'localhost'",
  "'mysql'@'localhost'",
  "'mysql.sys'@'localhost'",
  "'mysql.session'@'localhost'",
  "'mysql.infoschema'@'localhost'",
];

/** MariaDB's pseudo-role for grants to everyone: it always exists and cannot be created. */
const publicRole = 'PUBLIC';

/** An account or role as listed in mysql.user. */
interface Account {
  user: string;
  host: string;
  isRole: boolean;
  /** `'user'@'host'`, or `'role'` for a role, as messages and markers show it. */
  label: string;
  /** Whether its password is expired (PASSWORD EXPIRE), read from SHOW CREATE USER. */
  expired?: boolean;
}

/** Inputs of {@link startMysqlGlobalsDump}. */
export interface MysqlGlobalsInput {
  target: MysqlTarget;
  server: ServerInfo;
}

/** The tool the globals file's manifest names: this script writer and its format version. */
export const globalsTool = { name: 'dbbackup-mysql-globals', version: '1' };

/**
 * Starts the dump: one driver session reads the account list, then writes every account and
 * role (CREATE … IF NOT EXISTS, then ALTER USER to its exact state), then every grant, role
 * grant and default role, as they stream. Grants on tables and routines are marked
 * `object-grant`, to be applied after the databases. An account list the session cannot read
 * fails the dump (exit 77); an account it cannot read is left out and named in a warning.
 */
export async function startMysqlGlobalsDump(input: MysqlGlobalsInput): Promise<GlobalsRun> {
  const session = await connectSession(input.target);
  let accounts: Account[];
  let self = '?';
  try {
    await session.query("SET SESSION sql_mode = ''");
    if (input.server.flavour === 'mysql') {
      // MySQL 8 prints binary password hashes raw unless asked for hex.
      await session.query('SET SESSION print_identified_with_as_hex = ON').catch(() => undefined);
    }
    self = text((await queryRows(session, 'SELECT CURRENT_USER() AS u'))[0]?.u);
    accounts = await listAccounts(session, input.server);
  } catch (error) {
    await session.end().catch(() => undefined);
    throw unreadable(`'${self}'`, error);
  }

  const facts: GlobalsFacts = {
    tool: globalsTool,
    passwords: true,
    warnings: [],
  };
  const stream = Readable.from(
    writeScript({ session, accounts, server: input.server, facts, self }),
    {
      objectMode: false,
    },
  );
  const done = new Promise<GlobalsFacts>((resolve, reject) => {
    stream.once('end', () => resolve(facts));
    stream.once('error', (error) => reject(classifyDriverError('globals dump failed', error)));
    // Settles nothing after `end` or `error`: a promise settles once.
    stream.once('close', () =>
      reject(new UserError('the globals dump was stopped', { code: ExitCode.failure })),
    );
  });
  done.catch(() => undefined);
  return { stream, done, cancel: () => stream.destroy() };
}

interface ScriptInput {
  session: MysqlSession;
  accounts: Account[];
  server: ServerInfo;
  facts: GlobalsFacts;
  self: string;
}

async function* writeScript(input: ScriptInput): AsyncGenerator<string> {
  const { session, accounts, server, facts } = input;
  const out = new GlobalsScriptWriter();
  try {
    const skipped = accounts.filter((a) => systemAccounts.includes(a.label)).map((a) => a.label);
    const dumped = accounts.filter((a) => !systemAccounts.includes(a.label));
    yield out.header({
      server: `${server.flavour} ${server.version}`,
      host: server.host,
      skipped,
    });
    yield `-- Accounts every new server makes for itself are left out: ${skipped.join(', ')}\n`;
    yield out.statement({ step: 'session' }, '/*!40101 SET NAMES utf8mb4 */');
    yield out.statement({ step: 'session' }, "SET SESSION sql_mode = ''");

    const readable: Account[] = [];
    const denied: string[] = [];
    for (const account of dumped) {
      const created = await createStatements(session, account, server.flavour).catch(
        (error: unknown) => {
          if (!isAccessDenied(error)) throw error;
          denied.push(account.label);
          return undefined;
        },
      );
      if (created === undefined) continue;
      readable.push(account);
      for (const [meta, sql] of created) yield out.statement(meta, sql);
    }
    for (const account of readable) {
      for (const [meta, sql] of await grantStatements(session, account)) {
        yield out.statement(meta, sql);
      }
    }
    if (denied.length > 0) {
      facts.passwords = false;
      facts.warnings.push(
        `account '${input.self}' cannot read the definitions of ${denied.length} account(s), ` +
          `left out of this backup: ${denied.join(', ')}; grant it SELECT ON mysql.* to include them`,
      );
    }
    yield out.end();
  } catch (error) {
    // The stream's error is what the backup reports: it must be a user error, not a bug.
    throw classifyDriverError('globals dump failed', error);
  } finally {
    await session.end().catch(() => undefined);
  }
}

async function listAccounts(session: MysqlSession, server: ServerInfo): Promise<Account[]> {
  // MariaDB marks roles in mysql.user; MySQL's roles are locked accounts, dumped as accounts.
  const role = server.flavour === 'mariadb' ? 'is_role' : "'N'";
  const rows = await queryRows(
    session,
    `SELECT User AS user, Host AS host, ${role} AS r FROM mysql.user`,
  );
  return rows
    .map((row) => {
      const user = text(row.user);
      const host = text(row.host);
      const isRole = text(row.r) === 'Y';
      const label = isRole ? `'${user}'` : `'${user}'@'${host}'`;
      return { user, host, isRole, label };
    })
    .sort((a, b) => byName(a.label, b.label));
}

type Statement = [StatementMeta, string];

async function createStatements(
  session: MysqlSession,
  account: Account,
  flavour: ServerInfo['flavour'],
): Promise<Statement[]> {
  const meta = { account: account.label };
  if (account.isRole) {
    if (account.user === publicRole) return [];
    // Probe now, so a role the session cannot read is left out like an account.
    await showRows(session, 'SHOW GRANTS FOR ?', [account.user]);
    return [[{ step: 'role', ...meta }, `CREATE ROLE IF NOT EXISTS ${quoteIdent(account.user)}`]];
  }
  const [created] = await showRows(session, 'SHOW CREATE USER ?@?', [account.user, account.host]);
  const sql = created ?? '';
  if (!sql.startsWith('CREATE USER ')) {
    throw new Error(`unexpected SHOW CREATE USER output for ${account.label}: ${sql}`);
  }
  const spec = sql.slice('CREATE USER '.length);
  account.expired = / PASSWORD EXPIRE(?! (INTERVAL|NEVER|DEFAULT)\b)/.test(unquoted(spec));
  const statements: Statement[] = [
    [{ step: 'account', ...meta }, `CREATE USER IF NOT EXISTS ${spec}`],
  ];
  const defaults = flavour === 'mariadb' ? defaultsClause(spec) : '';
  if (defaults !== '') {
    const name = `${quoteString(account.user)}@${quoteString(account.host)}`;
    statements.push([{ step: 'account', ...meta }, `ALTER USER ${name}${defaults}`]);
  }
  statements.push([{ step: 'account', ...meta }, `ALTER USER ${spec}`]);
  return statements;
}

const limits = [
  'MAX_QUERIES_PER_HOUR',
  'MAX_UPDATES_PER_HOUR',
  'MAX_CONNECTIONS_PER_HOUR',
  'MAX_USER_CONNECTIONS',
  'MAX_STATEMENT_TIME',
];

/**
 * SHOW CREATE USER leaves out what is at its default. For an account that already exists on
 * the target, the defaults are set explicitly (only those, so no moment passes in a state the
 * dump does not describe): `REQUIRE NONE`, zero limits, `ACCOUNT UNLOCK`, `PASSWORD EXPIRE
 * DEFAULT`. Quoted names and strings are taken out before the clauses are looked for.
 */
export function defaultsClause(spec: string): string {
  const bare = unquoted(spec);
  const parts: string[] = [];
  // No IDENTIFIED clause: no password, which an existing account must lose too.
  if (!/ IDENTIFIED /.test(` ${bare}`))
    parts.push(" IDENTIFIED VIA mysql_native_password USING ''");
  if (!/ REQUIRE /.test(bare)) parts.push(' REQUIRE NONE');
  const unset = limits.filter((limit) => !bare.includes(` ${limit} `));
  if (unset.length > 0) parts.push(` WITH ${unset.map((limit) => `${limit} 0`).join(' ')}`);
  if (!/ ACCOUNT LOCK\b/.test(bare)) parts.push(' ACCOUNT UNLOCK');
  if (!/ PASSWORD EXPIRE (INTERVAL|NEVER|DEFAULT)\b/.test(bare))
    parts.push(' PASSWORD EXPIRE DEFAULT');
  return parts.join('');
}

/** The text with every quoted name and string emptied, so only keywords remain. */
function unquoted(spec: string): string {
  return spec.replace(/`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'/g, "''");
}

/** A string literal as the server reads it with sql_mode '': quotes and backslashes escaped. */
function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

async function grantStatements(session: MysqlSession, account: Account): Promise<Statement[]> {
  const rows = account.isRole
    ? await showRows(session, `SHOW GRANTS FOR ${account.user === publicRole ? 'PUBLIC' : '?'}`, [
        account.user,
      ])
    : await showRows(session, 'SHOW GRANTS FOR ?@?', [account.user, account.host]);
  const statements: Statement[] = [];
  // An existing account on the target may have a default role the dumped one has not.
  if (!account.isRole && !rows.some((sql) => sql.startsWith('SET DEFAULT ROLE '))) {
    const name = `${quoteString(account.user)}@${quoteString(account.host)}`;
    statements.push([
      { step: 'grant', account: account.label },
      `SET DEFAULT ROLE NONE FOR ${name}`,
    ]);
  }
  // GRANT … IDENTIFIED BY PASSWORD sets the password again, which clears PASSWORD EXPIRE.
  if (account.expired === true) {
    const name = `${quoteString(account.user)}@${quoteString(account.host)}`;
    statements.push([
      { step: 'grant', account: account.label },
      `ALTER USER ${name} PASSWORD EXPIRE`,
    ]);
  }
  return rows
    .map((sql): Statement => {
      const object = grantObject(sql);
      const meta = { account: account.label };
      return object === undefined
        ? [{ step: 'grant', ...meta }, sql]
        : [{ step: 'object-grant', ...meta, database: object.database }, sql];
    })
    .concat(statements);
}

/** Runs a SHOW statement and returns the first column of each row. */
async function showRows(session: MysqlSession, sql: string, params: unknown[]) {
  const [rows] = await session.query({ sql, values: params, rowsAsArray: true });
  return (rows as unknown[][]).map((row) => String(row[0]));
}

function isAccessDenied(error: unknown): boolean {
  const errno = (error as { errno?: number }).errno;
  return errno === 1044 || errno === 1142 || errno === 1227;
}

function unreadable(account: string, error: unknown): Error {
  if (!isAccessDenied(error)) return classifyDriverError('unable to list the accounts', error);
  const reason = error instanceof Error ? error.message : String(error);
  return new UserError(`account ${account} cannot read the list of accounts: ${reason}`, {
    code: ExitCode.noPermission,
    hint:
      'Grant it SELECT ON mysql.* to back up accounts, roles and grants; `backup single` ' +
      'backs up one database without them.',
    cause: error,
  });
}
