// The --db-type names and their aliases.
import { ExitCode, UserError } from '../errors.js';
import type { EngineType } from '../manifest/manifest.js';

/** A --db-type value after aliases: mysql and mariadb share one engine, flavour detected. */
export interface EngineChoice {
  engine: EngineType;
  /** What the user asked for, kept to prefer mariadb-dump or mysqldump. */
  flavour: 'postgresql' | 'mysql' | 'mariadb';
}

const aliases: Record<string, EngineChoice> = {
  postgres: { engine: 'postgres', flavour: 'postgresql' },
  postgresql: { engine: 'postgres', flavour: 'postgresql' },
  pg: { engine: 'postgres', flavour: 'postgresql' },
  mysql: { engine: 'mysql', flavour: 'mysql' },
  mariadb: { engine: 'mysql', flavour: 'mariadb' },
  maria: { engine: 'mysql', flavour: 'mariadb' },
};

/** Parses a --db-type value or its aliases. */
export function parseEngineType(text: string): EngineChoice {
  const choice = aliases[text.trim().toLowerCase()];
  if (choice === undefined) {
    throw new UserError(`unknown database type '${text}'`, {
      code: ExitCode.usage,
      hint: 'Use postgres (pg, postgresql), mysql or mariadb (maria).',
    });
  }
  return choice;
}
