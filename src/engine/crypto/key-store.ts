import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { CustodyError } from '../../core/errors.ts';
import type { Store } from '../store/database.ts';
import { parseFileId } from './file-id.ts';
import { loadMasterKey } from './master-key.ts';
import { KEY_SIZE } from './stream-cipher.ts';

const WRAP_NONCE_SIZE = 12;
const WRAP_TAG_SIZE = 16;

const keyRowSchema = z.object({
  wrapped_key: z.instanceof(Uint8Array).nullable(),
  shredded_at: z.string().nullable(),
});

export type KeyStoreOptions = {
  /** Default `<dataDir>/keys/master.key`, next to custody.db. */
  masterKeyFile?: string;
  now?: () => Date;
};

/**
 * One random key per buffer file, kept in the store wrapped by the master key file, so the
 * database alone opens nothing. Shredding a key destroys its file's contents for good, whatever
 * copies of the ciphertext survive; the row stays as a record of when.
 */
export class KeyStore {
  readonly #store: Store;
  readonly #masterKeyFile: string;
  readonly #now: () => Date;
  readonly #select: StatementSync;
  readonly #insert: StatementSync;
  readonly #shred: StatementSync;
  readonly #countLive: StatementSync;
  #masterKey: KeyObject | undefined;

  constructor(store: Store, options: KeyStoreOptions = {}) {
    this.#store = store;
    this.#masterKeyFile =
      options.masterKeyFile ?? path.join(path.dirname(store.path), 'keys', 'master.key');
    this.#now = options.now ?? (() => new Date());
    const { db } = store;
    this.#select = db.prepare('SELECT wrapped_key, shredded_at FROM buffer_keys WHERE file_id = ?');
    // A shredded id may be used again: its new random key opens nothing of the old file.
    this.#insert = db.prepare(
      `INSERT INTO buffer_keys (file_id, wrapped_key, created_at, shredded_at) VALUES (?, ?, ?, NULL)
       ON CONFLICT (file_id) DO UPDATE SET
         wrapped_key = excluded.wrapped_key, created_at = excluded.created_at, shredded_at = NULL
       WHERE buffer_keys.wrapped_key IS NULL`,
    );
    this.#shred = db.prepare(
      `UPDATE buffer_keys SET wrapped_key = NULL, shredded_at = ?
       WHERE file_id = ? AND wrapped_key IS NOT NULL`,
    );
    this.#countLive = db.prepare(
      'SELECT count(*) AS n FROM buffer_keys WHERE wrapped_key IS NOT NULL',
    );
  }

  /** A new random key for `fileId`, stored wrapped; refused while the id has a live key. */
  createKey(fileId: string): Buffer {
    const id = parseFileId(fileId);
    const key = randomBytes(KEY_SIZE);
    const nonce = randomBytes(WRAP_NONCE_SIZE);
    const cipher = createCipheriv('aes-256-gcm', this.#master(), nonce, {
      authTagLength: WRAP_TAG_SIZE,
    });
    // The id as AAD: a wrapped key copied onto another row does not unwrap there.
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const wrapped = Buffer.concat([nonce, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
    const result = this.#insert.run(id, wrapped, this.#now().toISOString());
    if (Number(result.changes) !== 1) {
      key.fill(0);
      throw new CustodyError(
        `buffer file ${id} already has a key`,
        'give the new file another id, or shred the old one first',
      );
    }
    return key;
  }

  getKey(fileId: string): Buffer {
    const id = parseFileId(fileId);
    const found = this.#select.get(id);
    if (found === undefined) {
      throw new CustodyError(
        `there is no key for buffer file ${id}`,
        'it was not written with this data directory; without its key it cannot be decrypted',
      );
    }
    const row = keyRowSchema.parse(found);
    if (row.wrapped_key === null) {
      throw new CustodyError(
        `the key of buffer file ${id} was shredded at ${row.shredded_at}`,
        'its footage was destroyed on purpose and cannot be recovered',
      );
    }
    const wrapped = Buffer.from(row.wrapped_key);
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        this.#master(),
        wrapped.subarray(0, WRAP_NONCE_SIZE),
        { authTagLength: WRAP_TAG_SIZE },
      );
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(wrapped.subarray(wrapped.length - WRAP_TAG_SIZE));
      const key = decipher.update(
        wrapped.subarray(WRAP_NONCE_SIZE, wrapped.length - WRAP_TAG_SIZE),
      );
      decipher.final();
      return key;
    } catch (err) {
      if (err instanceof CustodyError) throw err;
      throw new CustodyError(
        `the key of buffer file ${id} does not unwrap with ${this.#masterKeyFile}`,
        'that is not the master key it was written under, or the store was altered; restore the original master key',
        undefined,
        { cause: err },
      );
    }
  }

  /** Destroys the key of `fileId`; returns whether there was a live key to destroy. */
  shred(fileId: string): boolean {
    const id = parseFileId(fileId);
    const { db } = this.#store;
    const previous = Number(db.prepare('PRAGMA secure_delete').get()?.secure_delete ?? 0);
    // SQLite zeroes the freed bytes of the row only with secure_delete; the pragma is per
    // connection, so it is on just for this statement.
    db.exec('PRAGMA secure_delete = ON');
    let shredded: boolean;
    try {
      shredded = Number(this.#shred.run(this.#now().toISOString(), id).changes) === 1;
    } finally {
      db.exec(`PRAGMA secure_delete = ${previous}`);
    }
    // The page images that still hold the key sit in the WAL until a checkpoint writes the
    // zeroed page over them in custody.db; TRUNCATE then empties the WAL file too.
    if (shredded) db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    return shredded;
  }

  #master(): KeyObject {
    if (this.#masterKey === undefined) {
      const live = Number(this.#countLive.get()?.n ?? 0);
      this.#masterKey = loadMasterKey(this.#masterKeyFile, { create: live === 0 });
    }
    return this.#masterKey;
  }
}
