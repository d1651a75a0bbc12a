// Registers every command in the order `--help` lists them.
import type { CommandSpec } from '../command.js';
import { backupClusterCommand } from './backup-cluster.js';
import { backupSingleCommand } from './backup-single.js';
import { catalogGapsCommand } from './catalog-gaps.js';
import { catalogInfoCommand } from './catalog-info.js';
import { catalogListCommand } from './catalog-list.js';
import { catalogSearchCommand } from './catalog-search.js';
import { catalogStatsCommand } from './catalog-stats.js';
import { catalogSyncCommand } from './catalog-sync.js';
import { cleanupCommand } from './cleanup.js';
import { configShowCommand } from './config-show.js';
import { keyGenerateCommand } from './key-generate.js';
import { healthCommand } from './health.js';
import { interactiveCommand } from './interactive.js';
import { listBackupsCommand, listDatabasesCommand } from './list.js';
import { restoreClusterCommand } from './restore-cluster.js';
import { restoreSingleCommand } from './restore-single.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** All commands. */
export const allCommands: readonly CommandSpec[] = [
  backupSingleCommand,
  backupClusterCommand,
  restoreSingleCommand,
  restoreClusterCommand,
  verifyCommand,
  listDatabasesCommand,
  listBackupsCommand,
  catalogListCommand,
  catalogInfoCommand,
  catalogStatsCommand,
  catalogGapsCommand,
  catalogSearchCommand,
  catalogSyncCommand,
  cleanupCommand,
  healthCommand,
  statusCommand,
  configShowCommand,
  keyGenerateCommand,
  interactiveCommand,
];
