import type { DatabaseSync } from 'node:sqlite';

/**
 * One step of the schema. `version` is what `PRAGMA user_version` reads once it has run;
 * `openStore` runs each pending step in its own transaction, so `up` must not BEGIN/COMMIT.
 */
export type Migration = {
  version: number;
  name: string;
  up: (db: DatabaseSync) => void;
};

/**
 * Append only: a released migration is never edited, a change is a new version.
 * Statements use IF NOT EXISTS so a step that a crash interrupted can simply run again.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'events',
    up: (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS events (
          seq       INTEGER PRIMARY KEY,
          time      TEXT    NOT NULL,
          level     TEXT    NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
          kind      TEXT    NOT NULL,
          subject   TEXT,
          message   TEXT    NOT NULL,
          data      TEXT    NOT NULL DEFAULT '{}',
          prev_hash TEXT    NOT NULL,
          hash      TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS events_time ON events (time);
        CREATE INDEX IF NOT EXISTS events_kind ON events (kind);
        CREATE INDEX IF NOT EXISTS events_subject ON events (subject);
        CREATE INDEX IF NOT EXISTS events_request ON events (json_extract(data, '$.requestId'));

        -- The hash chain is what proves integrity (someone holding the file can drop these);
        -- the triggers keep honest code and stray SQL from rewriting history by accident.
        CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
        BEGIN
          SELECT RAISE(ABORT, 'events are append-only');
        END;
        CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
        BEGIN
          SELECT RAISE(ABORT, 'events are append-only');
        END;
      `);
    },
  },
  {
    version: 2,
    name: 'settings',
    up: (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS settings (
          key        TEXT PRIMARY KEY,
          value      TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];
