import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { migrations as knownMigrations, type Migration } from './migrations.ts';

export type Store = {
  db: DatabaseSync;
  /** Absolute path of custody.db. */
  path: string;
  schemaVersion: number;
  close(): void;
};

export class StoreError extends CustodyError {
  constructor(what: string, fix: string, options?: { cause?: unknown }) {
    super(what, fix, ExitCode.failed, options);
    this.name = 'StoreError';
  }
}

export const DB_FILE = 'custody.db';

/** Runs `work` in one write transaction, or inside the caller's when one is open already. */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) return work();
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** Another custody (or `custody events` next to a running engine) may hold a write briefly. */
const BUSY_TIMEOUT_MS = 5_000;

// Result codes from sqlite3.h; node:sqlite puts them on the error as `errcode`.
const SQLITE_READONLY = 8;
const SQLITE_CANTOPEN = 14;

export type OpenOptions = {
  migrations?: Migration[];
  /**
   * Read every page first (PRAGMA quick_check) and refuse a damaged file. It costs about 0.8 ms
   * per thousand events, so the engine asks for it only after an unclean stop, when damage is
   * likely; a pending migration always checks. Default true.
   */
  verify?: boolean;
};

export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const steps = options.migrations ?? knownMigrations;
  checkMigrationList(steps);
  const dir = path.resolve(dataDir);
  const dbPath = path.join(dir, DB_FILE);

  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw unwritable(dir, err);
  }

  let db: DatabaseSync;
  try {
    db = new DatabaseSync(dbPath, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  } catch (err) {
    throw sqliteCode(err) === SQLITE_CANTOPEN ? unwritable(dir, err) : damaged(dbPath, err);
  }

  try {
    // Everything up to the version check only reads, so a file we refuse stays byte-for-byte
    // as it was (switching to WAL would already rewrite its header).
    const version = inspect(db, dbPath);
    const newest = steps.at(-1)?.version ?? 0;
    if (options.verify !== false || version < newest) {
      const problem = integrityProblem(db);
      if (problem !== undefined) throw damaged(dbPath, problem);
    }
    if (version > newest) {
      throw new StoreError(
        `${dbPath} is schema version ${version}, this custody knows up to ${newest}`,
        'it was written by a newer custody; upgrade custody or point --data at another directory',
      );
    }
    configure(db, dbPath, dir);
    const schemaVersion = migrate(db, steps, version, dir);
    return {
      db,
      path: dbPath,
      schemaVersion,
      close: () => {
        if (db.isOpen) db.close();
      },
    };
  } catch (err) {
    if (db.isOpen) db.close();
    throw err;
  }
}

/** Returns the schema version, or throws if the file is not a sound Custody database. */
function inspect(db: DatabaseSync, dbPath: string): number {
  try {
    const version = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
    if (version === 0) {
      // Custody stamps a version with its first migration: tables without one belong to
      // some other program.
      const tables = db
        .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'")
        .get();
      if (Number(tables?.n) > 0) throw damaged(dbPath, 'it holds tables but no Custody schema');
    }
    return version;
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw damaged(dbPath, err);
  }
}

/**
 * The first problem PRAGMA quick_check finds, or undefined when every page reads soundly.
 * One is enough to refuse the file; the first line names it.
 */
export function integrityProblem(db: DatabaseSync): string | undefined {
  try {
    return db
      .prepare('PRAGMA quick_check(1)')
      .all()
      .flatMap((row) => String(row.quick_check).split('\n'))
      .find((line) => line !== 'ok' && !line.startsWith('***'));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function configure(db: DatabaseSync, dbPath: string, dir: string): void {
  try {
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode and much cheaper than FULL;
    // only a power cut can lose the last transactions, never corrupt the file.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
  } catch (err) {
    if (sqliteCode(err) === SQLITE_READONLY) throw unwritable(dir, err);
    throw new StoreError(
      `cannot prepare ${dbPath} (${messageOf(err)})`,
      'make sure no other program holds it, then try again',
      { cause: err },
    );
  }
}

function migrate(db: DatabaseSync, steps: Migration[], from: number, dir: string): number {
  let version = from;
  for (const step of steps) {
    if (step.version <= version) continue;
    try {
      db.exec('BEGIN IMMEDIATE');
      // Another custody may have migrated while we waited for the write lock.
      const current = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
      if (current < step.version) {
        step.up(db);
        db.exec(`PRAGMA user_version = ${step.version}`);
      }
      db.exec('COMMIT');
      version = Math.max(current, step.version);
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      if (sqliteCode(err) === SQLITE_READONLY) throw unwritable(dir, err);
      throw new StoreError(
        `migration ${step.version} (${step.name}) failed: ${messageOf(err)}`,
        `custody.db stays at schema version ${version}, unchanged by this step; report this with the log`,
        { cause: err },
      );
    }
  }
  return version;
}

function checkMigrationList(steps: Migration[]): void {
  steps.forEach((step, index) => {
    if (step.version !== index + 1) {
      throw new Error(
        `migration "${step.name}" has version ${step.version}, expected ${index + 1}`,
      );
    }
  });
}

function unwritable(dir: string, err: unknown): StoreError {
  return new StoreError(
    `cannot write the data directory ${dir} (${messageOf(err)})`,
    'fix its permissions or point --data at a directory custody can write',
    { cause: err },
  );
}

function damaged(dbPath: string, reason: unknown): StoreError {
  return new StoreError(
    `${dbPath} is not a Custody database or is damaged (${messageOf(reason)})`,
    'restore it from backup or move it aside; nothing was changed',
    { cause: reason },
  );
}

function sqliteCode(err: unknown): number | undefined {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  // Extended result codes carry the primary code in the low byte.
  return typeof code === 'number' ? code & 0xff : undefined;
}

function messageOf(err: unknown): string {
  if (typeof err === 'string') return err;
  const errstr = (err as { errstr?: unknown } | null)?.errstr;
  if (typeof errstr === 'string') return errstr;
  return err instanceof Error ? err.message : String(err);
}
