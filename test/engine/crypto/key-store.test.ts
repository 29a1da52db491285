import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustodyError, ExitCode } from '../../../src/core/errors.ts';
import { KeyStore } from '../../../src/engine/crypto/key-store.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import { tempDir } from '../../helpers/cli.ts';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let keys: KeyStore;
const now = () => new Date('2026-11-25T12:00:00.000Z');
const masterKeyFile = () => path.join(dir.path, 'keys', 'master.key');

beforeEach(() => {
  dir = tempDir('custody-keys-');
  store = openStore(dir.path);
  keys = new KeyStore(store, { now });
});

afterEach(() => {
  store.close();
  dir.remove();
});

function wrappedKeyOf(fileId: string): Buffer {
  const row = store.db.prepare('SELECT wrapped_key FROM buffer_keys WHERE file_id = ?').get(fileId);
  return Buffer.from(row?.wrapped_key as Uint8Array);
}

describe('KeyStore', () => {
  it('creates the master key on first use, 0600 in a 0700 folder', () => {
    expect(() => statSync(masterKeyFile())).toThrow();
    keys.createKey('clip-1');
    expect(statSync(masterKeyFile()).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(masterKeyFile())).mode & 0o777).toBe(0o700);
    expect(readFileSync(masterKeyFile()).length).toBe(32);
  });

  it('hands back the key it created, stored only in wrapped form', () => {
    const key = keys.createKey('clip-1');
    expect(key.length).toBe(32);
    expect(keys.getKey('clip-1').equals(key)).toBe(true);
    expect(wrappedKeyOf('clip-1').includes(key)).toBe(false);
    // A second engine on the same data directory reads the same master key.
    expect(new KeyStore(store).getKey('clip-1').equals(key)).toBe(true);
  });

  it('gives every file its own key and refuses a second key for a live id', () => {
    const a = keys.createKey('a');
    const b = keys.createKey('b');
    expect(a.equals(b)).toBe(false);
    expect(() => keys.createKey('a')).toThrow(/buffer file a already has a key/);
    expect(keys.getKey('a').equals(a)).toBe(true);
  });

  it('shreds a key for good: getKey then says so, and the id may get a fresh key', () => {
    const old = keys.createKey('clip-1');
    expect(keys.shred('clip-1')).toBe(true);
    expect(keys.shred('clip-1')).toBe(false);
    expect(() => keys.getKey('clip-1')).toThrow(
      'the key of buffer file clip-1 was shredded at 2026-11-25T12:00:00.000Z',
    );
    const row = store.db.prepare('SELECT * FROM buffer_keys WHERE file_id = ?').get('clip-1');
    expect(row).toMatchObject({ wrapped_key: null, shredded_at: '2026-11-25T12:00:00.000Z' });

    const fresh = keys.createKey('clip-1');
    expect(fresh.equals(old)).toBe(false);
    expect(keys.getKey('clip-1').equals(fresh)).toBe(true);
  });

  it('leaves no copy of a shredded wrapped key in custody.db or its WAL', () => {
    for (let i = 0; i < 20; i++) keys.createKey(`other-${i}`);
    keys.createKey('clip-1');
    const wrapped = wrappedKeyOf('clip-1');
    store.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    const files = () =>
      [store.path, `${store.path}-wal`].map((file) => {
        try {
          return readFileSync(file);
        } catch {
          return Buffer.alloc(0);
        }
      });
    expect(files().some((bytes) => bytes.includes(wrapped))).toBe(true);

    keys.shred('clip-1');
    // Any 8 bytes of it: a partly overwritten row would still give away the rest.
    for (const bytes of files()) {
      for (let at = 0; at + 8 <= wrapped.length; at += 8) {
        expect(bytes.includes(wrapped.subarray(at, at + 8))).toBe(false);
      }
    }
    expect(keys.getKey('other-3').length).toBe(32);
  });

  it('says clearly when there is no key at all', () => {
    expect(() => keys.getKey('never-written')).toThrow(
      /there is no key for buffer file never-written/,
    );
  });

  it('refuses ids that are not safe file names', () => {
    for (const bad of ['', '../etc', 'a/b', '.hidden', 'x'.repeat(129)]) {
      expect(() => keys.createKey(bad)).toThrow(CustodyError);
    }
  });

  it('refuses a master key file that others can read, saying how to fix it', () => {
    keys.createKey('clip-1');
    chmodSync(masterKeyFile(), 0o644);
    let error: unknown;
    try {
      new KeyStore(store).getKey('clip-1');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CustodyError);
    expect((error as CustodyError).exitCode).toBe(ExitCode.notPermitted);
    expect((error as Error).message).toContain(`chmod 600 ${masterKeyFile()}`);

    chmodSync(masterKeyFile(), 0o600);
    expect(new KeyStore(store).getKey('clip-1').length).toBe(32);
  });

  it('will not replace a lost master key while keys wrapped by it remain', () => {
    keys.createKey('clip-1');
    rmSync(masterKeyFile());
    expect(() => new KeyStore(store).createKey('clip-2')).toThrow(/master key .* is missing/);
    expect(() => statSync(masterKeyFile())).toThrow();
  });

  it('refuses to unwrap under a different master key', () => {
    keys.createKey('clip-1');
    writeFileSync(masterKeyFile(), Buffer.alloc(32, 1), { mode: 0o600 });
    expect(() => new KeyStore(store).getKey('clip-1')).toThrow(/does not unwrap/);
  });

  it('refuses a wrapped key moved onto another file id', () => {
    keys.createKey('clip-1');
    keys.createKey('clip-2');
    store.db
      .prepare('UPDATE buffer_keys SET wrapped_key = ? WHERE file_id = ?')
      .run(wrappedKeyOf('clip-1'), 'clip-2');
    expect(() => keys.getKey('clip-2')).toThrow(/does not unwrap/);
  });

  it('refuses a master key file of the wrong length', () => {
    keys.createKey('clip-1');
    writeFileSync(masterKeyFile(), Buffer.alloc(16, 1), { mode: 0o600 });
    expect(() => new KeyStore(store).getKey('clip-1')).toThrow(/16 bytes, not 32/);
  });
});
