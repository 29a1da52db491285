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
  {
    version: 3,
    name: 'uploads',
    up: (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS uploads (
          seq            INTEGER PRIMARY KEY,
          id             TEXT    NOT NULL UNIQUE,
          source_kind    TEXT    NOT NULL,
          source_id      TEXT,
          path           TEXT    NOT NULL,
          destination_id TEXT    NOT NULL,
          case_choice    TEXT    NOT NULL,
          metadata       TEXT    NOT NULL DEFAULT '{}',
          size           INTEGER NOT NULL,
          mtime_ms       INTEGER NOT NULL,
          sha256         TEXT,
          -- size and mtime the hash was computed for, so a restart re-hashes only a changed file
          hashed_size    INTEGER,
          hashed_mtime_ms INTEGER,
          upload_url     TEXT,
          offset         INTEGER NOT NULL DEFAULT 0,
          state          TEXT    NOT NULL,
          attempts       INTEGER NOT NULL DEFAULT 0,
          error          TEXT,
          pause_reason   TEXT,
          priority       INTEGER NOT NULL DEFAULT 0,
          created_at     TEXT    NOT NULL,
          updated_at     TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS uploads_order ON uploads (state, priority DESC, seq);
        CREATE INDEX IF NOT EXISTS uploads_file ON uploads (path, size, mtime_ms);
      `);
    },
  },
  {
    version: 4,
    name: 'video-segments',
    up: (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS segments (
          id        INTEGER PRIMARY KEY,
          camera_id TEXT    NOT NULL,
          path      TEXT    NOT NULL UNIQUE,
          start_ms  INTEGER NOT NULL,
          end_ms    INTEGER NOT NULL,
          bytes     INTEGER NOT NULL
        ) STRICT;
        -- Range lookups (clips, snapshots) and retention both walk one camera by time.
        CREATE INDEX IF NOT EXISTS segments_camera_start ON segments (camera_id, start_ms);
        CREATE INDEX IF NOT EXISTS segments_camera_end ON segments (camera_id, end_ms);
      `);
    },
  },
  {
    version: 5,
    name: 'buffer-keys',
    up: (db) => {
      // A shredded key keeps its row (wrapped_key NULL) as the record of when it was destroyed.
      db.exec(`
        CREATE TABLE IF NOT EXISTS buffer_keys (
          file_id     TEXT PRIMARY KEY,
          wrapped_key BLOB,
          created_at  TEXT NOT NULL,
          shredded_at TEXT,
          CHECK ((wrapped_key IS NULL) = (shredded_at IS NOT NULL))
        ) STRICT;
      `);
    },
  },
  {
    version: 6,
    name: 'video-requests',
    up: (db) => {
      // One row per request as last received from the service, plus what the engine did with
      // it; pending_* hold what the service has not been told yet (it may be offline).
      db.exec(`
        CREATE TABLE IF NOT EXISTS requests (
          id               TEXT    PRIMARY KEY,
          seq              INTEGER NOT NULL UNIQUE,
          cursor           INTEGER NOT NULL,
          request          TEXT    NOT NULL,
          state            TEXT    NOT NULL,
          received_at      TEXT    NOT NULL,
          expires_at       TEXT    NOT NULL,
          decision         TEXT,
          failure_reason   TEXT,
          pending_decision TEXT,
          pending_report   TEXT,
          report_attempts  INTEGER NOT NULL DEFAULT 0,
          updated_at       TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS requests_state ON requests (state);
        CREATE TABLE IF NOT EXISTS request_clips (
          request_id      TEXT    NOT NULL REFERENCES requests (id),
          position        INTEGER NOT NULL,
          camera_id       TEXT    NOT NULL,
          camera_name     TEXT    NOT NULL,
          camera_location TEXT    NOT NULL,
          file_id         TEXT    NOT NULL UNIQUE,
          state           TEXT    NOT NULL,
          bytes           INTEGER NOT NULL DEFAULT 0,
          sha256          TEXT,
          gaps            TEXT    NOT NULL DEFAULT '[]',
          start_ms        INTEGER,
          end_ms          INTEGER,
          error           TEXT,
          job_id          TEXT,
          shredded_at     TEXT,
          PRIMARY KEY (request_id, camera_id)
        ) STRICT;
        -- The service's change feed position: catch-up after a restart starts after it.
        CREATE TABLE IF NOT EXISTS request_feed (
          id     INTEGER PRIMARY KEY CHECK (id = 1),
          cursor INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 7,
    name: 'upload-ctime',
    up: (db) => {
      // The file's ctime when it was queued. No program can set a ctime (a write or utimes
      // moves it to now), so an equal one proves a done file unchanged without hashing it
      // again. ALTER has no IF NOT EXISTS: the column commits with the version or not at all.
      db.exec('ALTER TABLE uploads ADD COLUMN ctime_ms INTEGER');
    },
  },
];
