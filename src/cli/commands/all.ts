// Registers every command in the order `--help` lists them.
import type { CommandSpec } from '../command.js';
import { backupSingleCommand } from './backup-single.js';
import { configShowCommand } from './config-show.js';
import { listBackupsCommand, listDatabasesCommand } from './list.js';
import { restoreSingleCommand } from './restore-single.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** All commands. */
export const allCommands: readonly CommandSpec[] = [
  backupSingleCommand,
  restoreSingleCommand,
  verifyCommand,
  listDatabasesCommand,
  listBackupsCommand,
  statusCommand,
  configShowCommand,
];
