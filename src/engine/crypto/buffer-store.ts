import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { CustodyError } from '../../core/errors.ts';
import { type FileId, fileIdSchema, parseFileId } from './file-id.ts';
import type { KeyStore } from './key-store.ts';
import {
  CHUNK_SIZE,
  chunkCount,
  createDecryptStream,
  createEncryptStream,
  HEADER_SIZE,
  headerChunkSize,
  plaintextSize,
  sealedChunkOffset,
} from './stream-cipher.ts';

const EXTENSION = '.cbuf';
/**
 * Larger than the 64 KiB default so one file system call moves several sealed chunks: at one
 * chunk per call the thread-pool round trips, not the cipher, set the pace.
 */
const IO_SIZE = 1024 * 1024;

export type BufferWrite = {
  path: string;
  plaintextBytes: number;
  /** SHA-256 (hex) of the plaintext, taken while encrypting: the evidence hash, never re-read. */
  sha256: string;
};

export type BufferEntry = { fileId: FileId; path: string; encryptedBytes: number };

export type BufferStoreOptions = { dir: string; keys: KeyStore };

/**
 * Footage held for a video request, encrypted from the first byte: plaintext exists only in
 * the streams passing through, never on disk.
 */
export class BufferStore {
  readonly #dir: string;
  readonly #keys: KeyStore;

  constructor(options: BufferStoreOptions) {
    this.#dir = path.resolve(options.dir);
    this.#keys = options.keys;
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  #pathOf(fileId: string): string {
    return path.join(this.#dir, `${parseFileId(fileId)}${EXTENSION}`);
  }

  /** Encrypts `source` into the buffer file of `fileId`; the file appears only once complete. */
  async write(fileId: string, source: Readable): Promise<BufferWrite> {
    const target = this.#pathOf(fileId);
    const key = this.#keys.createKey(fileId);
    const encrypt = createEncryptStream(key);
    key.fill(0);
    const temp = path.join(
      this.#dir,
      `.${path.basename(target)}.${randomBytes(4).toString('hex')}`,
    );
    const hash = createHash('sha256');
    let plaintextBytes = 0;
    const measure = new Transform({
      transform(piece: Buffer, _encoding, done) {
        hash.update(piece);
        plaintextBytes += piece.length;
        done(null, piece);
      },
    });
    try {
      await pipelineAsync(
        source,
        measure,
        encrypt,
        createWriteStream(temp, { flags: 'wx', mode: 0o600, highWaterMark: IO_SIZE }),
      );
      await syncPath(temp, 'r+');
      await rename(temp, target);
      await syncPath(this.#dir, 'r');
    } catch (err) {
      await rm(temp, { force: true });
      // A key that never finished protecting anything goes too, so the id can be written again.
      this.#keys.shred(fileId);
      throw err;
    }
    return { path: target, plaintextBytes, sha256: hash.digest('hex') };
  }

  /** The plaintext of `fileId`; the stream errors, releasing nothing more, at the first altered chunk. */
  read(fileId: string): Readable {
    const file = this.#pathOf(fileId);
    const key = this.#keys.getKey(fileId);
    try {
      statSync(file);
    } catch (err) {
      throw new CustodyError(
        `buffer file ${file} cannot be read (${(err as Error).message})`,
        'its key is in the store: restore the file from backup or fix its permissions',
        undefined,
        { cause: err },
      );
    }
    const decrypt = createDecryptStream(key, { name: file });
    key.fill(0);
    // Errors reach the consumer through the returned stream, which pipeline destroys with them.
    return pipeline(createReadStream(file, { highWaterMark: IO_SIZE }), decrypt, () => {});
  }

  /**
   * The plaintext of `fileId` from byte `start` on, for a resumed upload: reading starts at the
   * sealed chunk holding `start` (each opens on its own given the header), so resuming near the
   * end of a large clip costs one chunk, not the whole file.
   */
  async readRange(fileId: string, start: number): Promise<Readable> {
    const file = this.#pathOf(fileId);
    let header: Buffer;
    let encryptedBytes: number;
    try {
      const handle = await open(file, 'r');
      try {
        encryptedBytes = (await handle.stat()).size;
        header = Buffer.alloc(HEADER_SIZE);
        await handle.read(header, 0, HEADER_SIZE, 0);
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw new CustodyError(
        `buffer file ${file} cannot be read (${(err as Error).message})`,
        'restore the file from backup or fix its permissions',
        undefined,
        { cause: err },
      );
    }
    // A damaged header is reported by the decrypting stream itself, which reads from zero.
    const chunkSize = headerChunkSize(header) ?? CHUNK_SIZE;
    const lastChunk = chunkCount(encryptedBytes, chunkSize) - 1;
    const firstChunk = Math.max(0, Math.min(Math.floor(start / chunkSize), lastChunk));
    const skip = start - firstChunk * chunkSize;
    const key = this.#keys.getKey(fileId);
    const decrypt = createDecryptStream(key, { name: file, firstChunk });
    key.fill(0);
    const sealed = Readable.from(
      (async function* () {
        yield header;
        if (firstChunk === 0 && headerChunkSize(header) === undefined) return;
        yield* createReadStream(file, {
          start: sealedChunkOffset(firstChunk, chunkSize),
          highWaterMark: IO_SIZE,
        });
      })(),
    );
    return pipeline(sealed, decrypt, skipBytes(skip), () => {});
  }

  /** Plaintext size of `fileId`, from its encrypted size (no decryption). */
  async plaintextBytes(fileId: string): Promise<{ size: number; mtimeMs: number }> {
    const info = await stat(this.#pathOf(fileId));
    return { size: plaintextSize(info.size), mtimeMs: info.mtimeMs };
  }

  /** The buffer file id of `filePath`, or undefined when the path is no buffer file of this store. */
  idOfPath(filePath: string): FileId | undefined {
    const resolved = path.resolve(filePath);
    if (path.dirname(resolved) !== this.#dir || !resolved.endsWith(EXTENSION)) return undefined;
    const id = fileIdSchema.safeParse(path.basename(resolved).slice(0, -EXTENSION.length));
    return id.success ? id.data : undefined;
  }

  pathOf(fileId: string): string {
    return this.#pathOf(fileId);
  }

  /**
   * Removes what interrupted writes left (hidden temp files). Their keys were shredded or are
   * shredded by the redo of the export, so what is removed here is unreadable already.
   */
  async sweep(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.#dir)) {
      if (!name.startsWith('.') || !name.includes(EXTENSION)) continue;
      await rm(path.join(this.#dir, name), { force: true });
      removed += 1;
    }
    return removed;
  }

  /** Crypto-shred: the key first, so even a crash before the unlink leaves nothing readable. */
  async shred(fileId: string): Promise<{ keyShredded: boolean; fileDeleted: boolean }> {
    const file = this.#pathOf(fileId);
    const keyShredded = this.#keys.shred(fileId);
    let fileDeleted = true;
    try {
      await rm(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fileDeleted = false;
    }
    return { keyShredded, fileDeleted };
  }

  async list(): Promise<BufferEntry[]> {
    const entries: BufferEntry[] = [];
    for (const name of (await readdir(this.#dir)).sort()) {
      if (!name.endsWith(EXTENSION)) continue;
      // Writes in progress (and any a crash left) are dot files, which no id parses as.
      const id = fileIdSchema.safeParse(name.slice(0, -EXTENSION.length));
      if (!id.success) continue;
      const file = path.join(this.#dir, name);
      entries.push({ fileId: id.data, path: file, encryptedBytes: (await stat(file)).size });
    }
    return entries;
  }
}

/** Drops the first `count` bytes of a stream. */
function skipBytes(count: number): Transform {
  let left = count;
  return new Transform({
    transform(piece: Buffer, _encoding, done) {
      if (left >= piece.length) {
        left -= piece.length;
        done();
        return;
      }
      const rest = left > 0 ? piece.subarray(left) : piece;
      left = 0;
      done(null, rest);
    },
  });
}

async function syncPath(target: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
