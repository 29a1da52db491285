import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustodyError } from '../../../src/core/errors.ts';
import { EventLog } from '../../../src/engine/events/event-log.ts';
import { openStore, StoreError } from '../../../src/engine/store/database.ts';
import { type Migration, migrations } from '../../../src/engine/store/migrations.ts';
import { damagedDatabase } from '../../helpers/store.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'custody-store-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const newest = migrations.at(-1)?.version ?? 0;

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

function tableNames(db: DatabaseSync): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => String(row.name));
}

describe('openStore', () => {
  it('creates the data directory (0700) and a WAL database at the newest version', () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const store = openStore(dataDir);
    try {
      expect(store.path).toBe(path.join(dataDir, 'custody.db'));
      expect(store.schemaVersion).toBe(newest);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(store.db.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
      expect(store.db.prepare('PRAGMA synchronous').get()?.synchronous).toBe(1);
      expect(store.db.prepare('PRAGMA foreign_keys').get()?.foreign_keys).toBe(1);
      expect(Number(store.db.prepare('PRAGMA busy_timeout').get()?.timeout)).toBeGreaterThan(0);
      expect(store.db.prepare('PRAGMA user_version').get()?.user_version).toBe(newest);
      expect(tableNames(store.db)).toEqual(expect.arrayContaining(['events', 'settings']));
    } finally {
      store.close();
    }
    store.close();
  });

  it('migrates an old database forward and keeps its events and chain', () => {
    const old = openStore(dir, { migrations: migrations.slice(0, 1) });
    expect(old.schemaVersion).toBe(1);
    expect(tableNames(old.db)).not.toContain('settings');
    const oldLog = new EventLog(old);
    const written = [
      oldLog.append({ level: 'info', kind: 'engine.started', subject: null, message: 'up' }),
      oldLog.append({
        level: 'warn',
        kind: 'upload.failed',
        subject: 'job-1',
        message: 'network lost',
        data: { offset: 1024 },
      }),
    ];
    old.close();

    const store = openStore(dir);
    try {
      expect(store.schemaVersion).toBe(newest);
      expect(tableNames(store.db)).toContain('settings');
      const log = new EventLog(store);
      expect(log.list()).toEqual(written);
      expect(log.verify()).toEqual({ ok: true, count: 2 });
      // The chain continues across the upgrade.
      const next = log.append({
        level: 'info',
        kind: 'engine.started',
        subject: null,
        message: 'again',
      });
      expect(next.prevHash).toBe(written[1]?.hash);
      expect(log.verify()).toEqual({ ok: true, count: 3 });
    } finally {
      store.close();
    }
  });

  it('rolls a failing migration back and leaves the version where it was', () => {
    openStore(dir).close();
    const broken: Migration = {
      version: newest + 1,
      name: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half_done (id INTEGER PRIMARY KEY)');
        throw new Error('boom');
      },
    };
    const err = thrown(() => openStore(dir, { migrations: [...migrations, broken] }));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).exitCode).toBe(1);
    expect((err as StoreError).message).toContain(`migration ${newest + 1} (broken) failed: boom`);

    const store = openStore(dir);
    try {
      expect(store.schemaVersion).toBe(newest);
      expect(tableNames(store.db)).not.toContain('half_done');
    } finally {
      store.close();
    }
  });

  it('refuses a database written by a newer custody and leaves the file untouched', () => {
    const future: Migration[] = [...migrations];
    const written = newest + 2;
    for (let version = newest + 1; version <= written; version++) {
      future.push({
        version,
        name: `future-${version}`,
        up: (db) => db.exec(`CREATE TABLE future_${version} (id INTEGER PRIMARY KEY)`),
      });
    }
    const store = openStore(dir, { migrations: future });
    new EventLog(store).append({
      level: 'info',
      kind: 'engine.started',
      subject: null,
      message: '',
    });
    store.close();
    const dbFile = path.join(dir, 'custody.db');
    const before = sha256(dbFile);
    const filesBefore = readdirSync(dir).sort();

    const err = thrown(() => openStore(dir));
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toBeInstanceOf(CustodyError);
    expect((err as StoreError).exitCode).toBe(1);
    expect((err as StoreError).message).toBe(
      `${dbFile} is schema version ${written}, this custody knows up to ${newest} — it was written by a newer custody; upgrade custody or point --data at another directory`,
    );
    expect(sha256(dbFile)).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(filesBefore);
  });

  it('refuses a file that is not SQLite and changes nothing', () => {
    const dbFile = path.join(dir, 'custody.db');
    writeFileSync(dbFile, 'these are not the bytes you are looking for\n'.repeat(200));
    const before = sha256(dbFile);

    const err = thrown(() => openStore(dir));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).exitCode).toBe(1);
    expect((err as StoreError).message).toBe(
      `${dbFile} is not a Custody database or is damaged (file is not a database) — restore it from backup or move it aside; nothing was changed`,
    );
    expect(sha256(dbFile)).toBe(before);
    expect(readdirSync(dir)).toEqual(['custody.db']);
  });

  it('refuses a damaged Custody database and changes nothing', () => {
    const dbFile = damagedDatabase(dir);
    const before = sha256(dbFile);

    const err = thrown(() => openStore(dir));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(
      /is not a Custody database or is damaged \([^\n]+\) — restore it from backup or move it aside; nothing was changed$/,
    );
    expect(sha256(dbFile)).toBe(before);
  });

  it('reads every page first only when asked, or before a migration', () => {
    damagedDatabase(dir);
    // The header and schema are sound, so without the page-by-page check the file opens.
    openStore(dir, { verify: false }).close();
    // A migration still waiting would write into it: checked whatever the caller said.
    const next: Migration = { version: migrations.length + 1, name: 'next', up: () => {} };
    const err = thrown(() => openStore(dir, { verify: false, migrations: [...migrations, next] }));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toContain('is damaged');
  });

  it('refuses an SQLite database that belongs to another program', () => {
    const dbFile = path.join(dir, 'custody.db');
    const other = new DatabaseSync(dbFile);
    other.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    other.close();
    const before = sha256(dbFile);

    const err = thrown(() => openStore(dir));
    expect((err as StoreError).message).toContain('is not a Custody database');
    expect(sha256(dbFile)).toBe(before);
  });

  it('treats an empty file as a new database', () => {
    writeFileSync(path.join(dir, 'custody.db'), '');
    const store = openStore(dir);
    try {
      expect(store.schemaVersion).toBe(newest);
    } finally {
      store.close();
    }
  });

  it('says so when the data directory cannot be written', () => {
    // Running as root defeats permission bits, so put a file where the directory should be.
    const blocker = path.join(dir, 'blocker');
    writeFileSync(blocker, '');
    const err = thrown(() => openStore(path.join(blocker, 'data')));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).exitCode).toBe(1);
    expect((err as StoreError).message).toMatch(
      /^cannot write the data directory .*blocker\/data \(.+\) — fix its permissions or point --data at a directory custody can write$/,
    );
  });

  it('rejects a migration list with a gap', () => {
    const gap = [migrations[0], { ...migrations[1], version: 3 }] as Migration[];
    expect(() => openStore(dir, { migrations: gap })).toThrow(/expected 2/);
  });
});
