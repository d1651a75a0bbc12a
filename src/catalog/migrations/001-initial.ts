// Migration 1: backups (with kind and set_id, ready for cluster sets) and verify/restore runs.

/** The SQL of this step. */
export const sql = `
CREATE TABLE backups (
  id                    TEXT PRIMARY KEY,
  kind                  TEXT NOT NULL DEFAULT 'single',
  set_id                TEXT,
  file                  TEXT UNIQUE,
  engine                TEXT NOT NULL,
  database              TEXT NOT NULL,
  host                  TEXT,
  status                TEXT NOT NULL CHECK (status IN ('complete', 'incomplete', 'failed')),
  started_at            TEXT NOT NULL,
  finished_at           TEXT,
  stored_bytes          INTEGER,
  dump_bytes            INTEGER,
  database_bytes        INTEGER,
  compression           TEXT,
  checksum              TEXT,
  encryption            TEXT,
  verified_after_backup INTEGER NOT NULL DEFAULT 0,
  error_code            INTEGER,
  error                 TEXT,
  manifest              TEXT
);
CREATE INDEX backups_by_database ON backups (engine, database, started_at);
CREATE INDEX backups_by_set ON backups (set_id);

CREATE TABLE runs (
  id          TEXT PRIMARY KEY,
  file        TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('verify', 'restore')),
  depth       TEXT NOT NULL,
  ok          INTEGER NOT NULL,
  at          TEXT NOT NULL,
  duration_ms INTEGER,
  target      TEXT,
  error_code  INTEGER,
  error       TEXT
);
CREATE INDEX runs_by_file ON runs (file, at);
`;
