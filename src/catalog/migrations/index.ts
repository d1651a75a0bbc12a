// The catalog's schema steps in order; step N brings a catalog to `user_version` N.
import { sql as initial } from './001-initial.js';

/** Every migration; append new steps, never edit or reorder published ones. */
export const migrations: readonly { version: number; sql: string }[] = [
  { version: 1, sql: initial },
];
