// Every option declared once: flag, type, default, environment, config key and help text.

/** Value types an option can hold; a `list` flag may be repeated and collects strings. */
export type OptionType = 'string' | 'number' | 'boolean' | 'list';

/** Which engine an environment variable belongs to. */
export type EnvScope = 'any' | 'postgres' | 'mysql';

/** The declaration of one option. */
export interface OptionSpec {
  /** Key in parsed values and in the config file (kebab-case, as the flag). */
  key: string;
  type: OptionType;
  /** Placeholder in help, for options that take a value. */
  value?: string;
  description: string;
  default?: string | number | boolean;
  /** Environment variables, first match wins, per engine. */
  env?: Partial<Record<EnvScope, string>>;
  /** Commands that accept the flag; 'global' options are accepted everywhere. */
  scope: 'global' | 'connection' | readonly string[];
  /** A boolean that defaults to true and is turned off with --no-KEY. */
  negatable?: boolean;
  /** Never a flag: only the environment and the config file may set it. */
  secret?: boolean;
  /** The flag's name when it differs from the key (two options share `--database`). */
  flag?: string;
}

const catalogReaders = ['catalog list', 'catalog info', 'catalog stats', 'catalog gaps'];
const catalogUsers = [
  'backup single',
  'backup cluster',
  'restore cluster',
  'restore single',
  'verify',
  ...catalogReaders,
  'catalog search',
  'catalog sync',
  'cleanup',
  'health',
];
const retentionUsers = ['cleanup', 'backup single', 'backup cluster'];

/** All options of the tool. */
export const optionSpecs: readonly OptionSpec[] = [
  {
    key: 'config',
    type: 'string',
    value: 'FILE',
    description: 'config file (default ~/.config/dbbackup/config.json)',
    env: { any: 'DBBACKUP_CONFIG' },
    scope: 'global',
  },
  {
    key: 'db-type',
    type: 'string',
    value: 'TYPE',
    description: 'engine: postgres (pg, postgresql), mysql or mariadb (maria)',
    default: 'postgres',
    env: { any: 'DBBACKUP_DB_TYPE' },
    scope: 'connection',
  },
  {
    key: 'url',
    type: 'string',
    description:
      'connection URL postgresql://, mysql:// or mariadb:// (environment or config file only)',
    env: { any: 'DBBACKUP_URL' },
    scope: 'connection',
    secret: true,
  },
  {
    key: 'host',
    type: 'string',
    value: 'HOST',
    description: 'server host name or address',
    env: { any: 'DBBACKUP_HOST', postgres: 'PGHOST', mysql: 'MYSQL_HOST' },
    scope: 'connection',
  },
  {
    key: 'port',
    type: 'number',
    value: 'PORT',
    description: 'server port',
    env: { any: 'DBBACKUP_PORT', postgres: 'PGPORT', mysql: 'MYSQL_TCP_PORT' },
    scope: 'connection',
  },
  {
    key: 'socket',
    type: 'string',
    value: 'PATH',
    description: 'Unix socket (PostgreSQL: its directory; MySQL: the socket file)',
    env: { any: 'DBBACKUP_SOCKET', mysql: 'MYSQL_UNIX_PORT' },
    scope: 'connection',
  },
  {
    key: 'user',
    type: 'string',
    value: 'NAME',
    description: 'user to connect as',
    env: { any: 'DBBACKUP_USER', postgres: 'PGUSER' },
    scope: 'connection',
  },
  {
    key: 'password',
    type: 'string',
    description: 'password (environment or a 0600 config file only, never a flag)',
    env: { postgres: 'PGPASSWORD', mysql: 'MYSQL_PWD' },
    scope: 'connection',
    secret: true,
  },
  {
    key: 'database',
    type: 'string',
    value: 'NAME',
    description:
      'database for maintenance queries (default postgres / none); typed with a set directory in verify and restore single, the member (the variable never picks one)',
    env: { any: 'DBBACKUP_DATABASE' },
    scope: 'connection',
  },
  {
    key: 'backup-dir',
    type: 'string',
    value: 'DIR',
    description: 'backup directory',
    default: '~/db_backups',
    env: { any: 'DBBACKUP_BACKUP_DIR' },
    scope: 'global',
  },
  {
    key: 'compression',
    type: 'string',
    value: 'ALGO[:LEVEL]',
    description:
      'auto (zstd sized to the cores, none for data that does not compress), zstd[:1-19], gzip[:1-9] or none',
    default: 'auto',
    env: { any: 'DBBACKUP_COMPRESSION' },
    scope: ['backup single', 'backup cluster'],
  },
  {
    key: 'encrypt',
    type: 'boolean',
    description:
      'encrypt the backup (age format) to --recipient/--recipients-file or the passphrase',
    default: false,
    env: { any: 'DBBACKUP_ENCRYPT' },
    scope: ['backup single', 'backup cluster'],
  },
  {
    key: 'recipient',
    type: 'list',
    value: 'AGE1…',
    description: 'age X25519 public key to encrypt to (repeatable)',
    env: { any: 'DBBACKUP_RECIPIENT' },
    scope: ['backup single', 'backup cluster'],
  },
  {
    key: 'recipients-file',
    type: 'string',
    value: 'FILE',
    description: 'file of age public keys to encrypt to, one a line',
    env: { any: 'DBBACKUP_RECIPIENTS_FILE' },
    scope: ['backup single', 'backup cluster'],
  },
  {
    key: 'passphrase',
    type: 'string',
    description: 'encryption passphrase (environment or a 0600 config file only, never a flag)',
    env: { any: 'DBBACKUP_PASSPHRASE' },
    scope: ['backup single', 'restore single', 'verify', 'backup cluster', 'restore cluster'],
    secret: true,
  },
  {
    key: 'passphrase-file',
    type: 'string',
    value: 'FILE',
    description: 'file (mode 0600) whose first line is the encryption passphrase',
    env: { any: 'DBBACKUP_PASSPHRASE_FILE' },
    scope: ['backup single', 'restore single', 'verify', 'backup cluster', 'restore cluster'],
  },
  {
    key: 'identity',
    type: 'list',
    value: 'FILE',
    description: 'age identity file (secret key) to decrypt with (repeatable)',
    env: { any: 'DBBACKUP_IDENTITY' },
    scope: ['restore single', 'verify', 'restore cluster'],
  },
  {
    key: 'jobs',
    type: 'number',
    value: 'N',
    description:
      'parallel jobs: pg_restore workers in restore single (default 1; more stages the dump in --workdir); databases at once in cluster runs (default: the CPU count)',
    default: 1,
    env: { any: 'DBBACKUP_JOBS' },
    scope: ['restore single', 'backup cluster', 'restore cluster'],
  },
  {
    key: 'workdir',
    type: 'string',
    value: 'DIR',
    description: 'directory for temporary staging files (default: the backup directory)',
    env: { any: 'DBBACKUP_WORKDIR' },
    scope: ['restore single'],
  },
  {
    key: 'verify',
    type: 'boolean',
    description: 'skip re-reading checksums (after backup, before restore)',
    default: true,
    negatable: true,
    scope: ['backup single', 'restore single', 'backup cluster', 'restore cluster'],
  },
  {
    key: 'target',
    type: 'string',
    value: 'NAME',
    description: 'database to restore into (default: the name in the manifest)',
    scope: ['restore single'],
  },
  {
    key: 'create',
    type: 'boolean',
    description: 'create the target database when it does not exist',
    default: false,
    scope: ['restore single'],
  },
  {
    key: 'clean',
    type: 'boolean',
    description: 'replace objects in a target that is not empty',
    default: false,
    scope: ['restore single'],
  },
  {
    key: 'no-owner',
    type: 'boolean',
    description: 'restore without owners and grants (when the roles do not exist on the target)',
    default: false,
    scope: ['restore single'],
  },
  {
    key: 'definers',
    type: 'string',
    value: 'rewrite|keep',
    description:
      'MySQL/MariaDB: DEFINER accounts missing on the target become the restoring user ' +
      '(rewrite) or stay and fail the checks (keep)',
    default: 'rewrite',
    env: { any: 'DBBACKUP_DEFINERS' },
    scope: ['restore single'],
  },
  {
    key: 'confirm',
    type: 'boolean',
    description: 'really restore; without it only the plan and the checks are shown',
    default: false,
    scope: ['restore single', 'restore cluster'],
  },
  {
    key: 'exclude',
    type: 'list',
    value: 'PATTERN',
    description: 'leave out databases by name or glob (*, ?, [abc]); repeatable',
    env: { any: 'DBBACKUP_EXCLUDE' },
    scope: ['backup cluster'],
  },
  {
    key: 'resume',
    type: 'boolean',
    description: 'continue the newest unfinished set of this server, keeping members that verify',
    default: false,
    scope: ['backup cluster'],
  },
  {
    key: 'lock-timeout',
    type: 'number',
    value: 'SECONDS',
    description: 'wait this long for another run holding the backup directory lock, then exit 75',
    default: 0,
    env: { any: 'DBBACKUP_LOCK_TIMEOUT' },
    scope: ['backup single', 'backup cluster'],
  },
  {
    key: 'databases',
    type: 'string',
    value: 'A,B',
    description: 'restore only these members of the set (comma-separated names)',
    scope: ['restore cluster'],
  },
  {
    key: 'clean-cluster',
    type: 'boolean',
    description:
      'drop the existing databases that are in the set before restoring them (after the whole set verified)',
    default: false,
    scope: ['restore cluster'],
  },
  {
    key: 'quick',
    type: 'boolean',
    description: 'check only size and SHA-256, not the dump inside',
    default: false,
    scope: ['verify'],
  },
  {
    key: 'deep',
    type: 'boolean',
    description: 'also restore into a throwaway database and compare every table with the manifest',
    default: false,
    scope: ['verify'],
  },
  {
    key: 'instance',
    type: 'string',
    value: 'WHERE',
    description:
      'where --deep restores: server (the configured one) or temp (a temporary PostgreSQL)',
    default: 'server',
    scope: ['verify'],
  },
  {
    key: 'output',
    type: 'string',
    value: 'FILE',
    description: 'where to write the new identity (default ~/.config/dbbackup/identity.txt)',
    scope: ['key generate'],
  },
  {
    key: 'catalog',
    type: 'string',
    value: 'FILE',
    description: 'catalog file (default: .dbbackup-catalog.sqlite in the backup directory)',
    env: { any: 'DBBACKUP_CATALOG' },
    scope: catalogUsers,
  },
  {
    key: 'database-name',
    flag: 'database',
    type: 'string',
    value: 'NAME',
    description: 'only backups of this database (exact name)',
    scope: ['catalog list'],
  },
  {
    key: 'database-glob',
    flag: 'database',
    type: 'string',
    value: 'GLOB',
    description: 'only databases matching this pattern (*, ?, [abc]; quote it for the shell)',
    scope: ['catalog stats', 'catalog gaps', 'catalog search', 'cleanup', 'health'],
  },
  {
    key: 'since',
    type: 'string',
    value: 'TIME',
    description:
      'only backups started at or after TIME (ISO 8601, UTC unless a zone is given, or an age like 7d)',
    scope: ['catalog list', 'catalog search'],
  },
  {
    key: 'until',
    type: 'string',
    value: 'TIME',
    description: 'only backups started at or before TIME (ISO 8601 or an age like 7d)',
    scope: ['catalog search'],
  },
  {
    key: 'limit',
    type: 'number',
    value: 'N',
    description: 'at most N backups, newest first',
    scope: ['catalog list', 'catalog search'],
  },
  {
    key: 'verified',
    type: 'string',
    value: 'yes|no',
    description: 'only backups whose checksum was (yes) or was not (no) verified',
    scope: ['catalog search'],
  },
  {
    key: 'encrypted',
    type: 'string',
    value: 'yes|no',
    description: 'only encrypted (yes) or unencrypted (no) backups',
    scope: ['catalog search'],
  },
  {
    key: 'interval',
    type: 'string',
    value: 'DURATION',
    description: 'the backup schedule, e.g. 24h or 1h; a backup more than 25% late is missed',
    default: '24h',
    scope: ['catalog gaps', 'health'],
  },
  {
    key: 'format',
    type: 'string',
    value: 'FORMAT',
    description: 'table (for people), json or csv (for scripts)',
    default: 'table',
    scope: [...catalogReaders, 'catalog search'],
  },
  {
    key: 'keep-last',
    type: 'number',
    value: 'N',
    description: 'retention: keep the N newest successful backups of each database',
    scope: retentionUsers,
  },
  {
    key: 'keep-days',
    type: 'number',
    value: 'D',
    description: 'retention: keep successful backups younger than D days',
    scope: retentionUsers,
  },
  {
    key: 'gfs',
    type: 'string',
    value: 'D,W,M,Y',
    description:
      'retention: keep the newest backup of each of the last D days, W weeks, M months, Y years (UTC)',
    scope: retentionUsers,
  },
  {
    key: 'dry-run',
    type: 'boolean',
    description: 'print what would be deleted and why the rest is kept; delete nothing',
    default: false,
    scope: ['cleanup'],
  },
  {
    key: 'cleanup',
    type: 'boolean',
    description:
      'after a successful backup, apply the retention options to that database (cluster: to the sets of that server)',
    default: false,
    scope: ['backup single', 'backup cluster'],
  },
  {
    key: 'max-age',
    type: 'string',
    value: 'DURATION',
    description: 'health: warning when the newest backup is older, critical past twice that',
    default: '26h',
    scope: ['health'],
  },
  {
    key: 'json',
    type: 'boolean',
    description: 'print results and progress events as JSON lines on stdout',
    default: false,
    scope: 'global',
  },
  {
    key: 'quiet',
    type: 'boolean',
    description: 'print nothing but errors',
    default: false,
    scope: 'global',
  },
];

/** Looks up an option by key; throws on a typo in the code. */
export function specOf(key: string): OptionSpec {
  const spec = optionSpecs.find((s) => s.key === key);
  if (spec === undefined) throw new Error(`unknown option '${key}'`);
  return spec;
}

/** Tells whether an option applies to a command (e.g. 'backup single'). */
export function appliesTo(spec: OptionSpec, command: string, usesServer: boolean): boolean {
  if (spec.scope === 'global') return true;
  if (spec.scope === 'connection') return usesServer;
  return spec.scope.includes(command);
}
