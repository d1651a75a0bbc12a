// DEFINER clauses in a dump: which to rewrite to CURRENT_USER on restore (case 028), and how.
import { ExitCode, UserError } from '../../errors.js';
import { readQuotedName, startsWith, type HeadRewrite } from './dump-scanner.js';

/** What to do with DEFINER accounts: `rewrite` those missing on the target, or `keep` all. */
export type DefinerPolicy = 'keep' | 'rewrite';

/** Parses the `definers` option; the default keeps a restore working. */
export function parseDefinerPolicy(value: string | undefined): DefinerPolicy {
  const text = (value ?? 'rewrite').trim().toLowerCase();
  if (text === 'keep' || text === 'rewrite') return text;
  throw new UserError(`invalid value '${value ?? ''}' for definers`, {
    code: ExitCode.usage,
    hint: 'Use --definers rewrite (accounts missing on the target become the restoring user) or keep.',
  });
}

// Where mysqldump and mariadb-dump write a DEFINER: views (a top-level line of their own),
// triggers and events (conditional comments), routines (plain CREATE), the last three as the
// first line of a statement inside a DELIMITER ;; block.
const topLevel = [Buffer.from('/*!50013 DEFINER=')];
const inBlock = [
  Buffer.from('/*!50003 CREATE*/ /*!50017 DEFINER='),
  Buffer.from('/*!50106 CREATE*/ /*!50117 DEFINER='),
  Buffer.from('CREATE DEFINER='),
];
const currentUser = Buffer.from('CURRENT_USER');

/** A DEFINER clause found in a line head: its account and byte range. */
export interface DefinerClause {
  account: string;
  start: number;
  end: number;
}

/** Finds the DEFINER account at the start of a line, as `user@host` (information_schema form). */
export function findDefiner(head: Buffer, block: boolean): DefinerClause | undefined {
  const prefix = (block ? inBlock : topLevel).find((p) => startsWith(head, p));
  if (prefix === undefined) return undefined;
  const user = readQuotedName(head, prefix.length);
  if (user === undefined) return undefined;
  if (head[user.end] !== 0x40) return { account: user.name, start: prefix.length, end: user.end };
  const host = readQuotedName(head, user.end + 1);
  if (host === undefined) return undefined;
  return { account: `${user.name}@${host.name}`, start: prefix.length, end: host.end };
}

/**
 * A head rewrite replacing the DEFINER of the listed accounts (or of every account, for
 * `'all'`) with CURRENT_USER. It looks only where a dump writes definers (see above), never
 * into data, which the scanner lexes apart; the rest of each line passes byte for byte.
 */
export function definerRewrite(accounts: ReadonlySet<string> | 'all'): HeadRewrite {
  return (head, context) => {
    if (!context.atStatementStart) return undefined;
    const clause = findDefiner(head, context.inBlock);
    if (clause === undefined) return undefined;
    if (accounts !== 'all' && !accounts.has(clause.account)) return undefined;
    return Buffer.concat([head.subarray(0, clause.start), currentUser, head.subarray(clause.end)]);
  };
}

/** Definers to rewrite: all with --no-owner, those missing on the target with `rewrite`. */
export function definersToRewrite(input: {
  policy: DefinerPolicy;
  noOwner: boolean;
  definers: string[];
  /** Accounts found on the target; undefined when the account list could not be read. */
  existing: ReadonlySet<string> | undefined;
  currentUser: string;
}): ReadonlySet<string> | 'all' {
  const { policy, noOwner, definers, existing, currentUser: me } = input;
  if (noOwner) return 'all';
  if (policy === 'keep') return new Set();
  return new Set(definers.filter((d) => d !== me && !(existing?.has(d) ?? false)));
}
