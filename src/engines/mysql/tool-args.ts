// Argument lists for the dump tool and the client, per server family. No secret is ever here.
import { compareMinor, type Flavour } from './tools.js';
import { connectionArgs, type MysqlTarget } from './target.js';

/** Inputs of {@link dumpArgs}. */
export interface DumpArgsInput {
  flavour: Flavour;
  toolVersion: string;
  serverVersion: string;
  /** `--defaults-extra-file=PATH`, when a password is handed over. */
  optionFile?: string;
  target: MysqlTarget;
  database: string;
}

/**
 * The dump: one consistent InnoDB snapshot without locking writers, rows streamed, every kind
 * of object, binary data as hex (safe through any character set), utf8mb4, DROP before each
 * CREATE so a restore can replace, and the database as a positional argument without
 * --databases, so the dump holds no CREATE DATABASE or USE and restores under any name.
 */
export function dumpArgs(input: DumpArgsInput): string[] {
  const { flavour, toolVersion, serverVersion, optionFile, target, database } = input;
  // The tools accept --defaults-extra-file only as their very first argument.
  const args = optionFile === undefined ? [] : [optionFile];
  args.push(
    ...connectionArgs(target),
    '--single-transaction',
    '--quick',
    '--routines',
    '--events',
    '--triggers',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--add-drop-table',
    '--no-tablespaces',
    '--max-allowed-packet=1G',
  );
  if (flavour === 'mariadb') args.push('--add-drop-trigger');
  else args.push(...mysqlOnlyArgs(toolVersion, serverVersion));
  args.push('--', database);
  return args;
}

/**
 * Flags for MySQL's mysqldump. With GTIDs on, it would write SET @@GLOBAL.GTID_PURGED, which
 * fails on a target that has GTIDs of its own and is wrong for one database; MariaDB GTIDs
 * are not written without --master-data. mysqldump 8 asks a 5.7 server for column statistics
 * it does not have. --add-drop-trigger is in mysqldump from 8.0 (5.7 has it only in NDB
 * Cluster builds); without it a --clean restore still replaces triggers, because the DROP
 * TABLE before each CREATE TABLE drops the table's triggers with it.
 */
export function mysqlOnlyArgs(toolVersion: string, serverVersion: string): string[] {
  const args = ['--set-gtid-purged=OFF'];
  const tool8 = compareMinor(toolVersion, '8.0') >= 0;
  if (tool8) args.push('--add-drop-trigger');
  if (tool8 && compareMinor(serverVersion, '8.0') < 0) args.push('--column-statistics=0');
  return args;
}

/** Inputs of {@link clientArgs}. */
export interface ClientArgsInput {
  optionFile?: string;
  target: MysqlTarget;
  database: string;
}

/**
 * The restore client: binary mode (NUL bytes and invalid UTF-8 in the stream pass unchanged),
 * utf8mb4, the target as its default database, and no --force, so it stops at the first error
 * and exits non-zero.
 */
export function clientArgs({ optionFile, target, database }: ClientArgsInput): string[] {
  const args = optionFile === undefined ? [] : [optionFile];
  args.push(
    ...connectionArgs(target),
    '--binary-mode',
    '--default-character-set=utf8mb4',
    '--max-allowed-packet=1G',
    `--database=${database}`,
  );
  return args;
}
