import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { CustodyError } from '../../core/errors.ts';
import { ChunkQueue, joined } from './chunk-queue.ts';

/*
 * AES-256-GCM in the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015), the
 * scheme of age and Tink's streaming AEAD. A buffer file is
 *
 *   header = "CSTBUF1" ‖ version(1) ‖ nonce prefix(7) ‖ chunk size(4, BE)
 *   chunk i = AES-GCM(key, nonce = prefix ‖ i(4, BE) ‖ last(1), aad = header, 64 KiB plaintext)
 *
 * Each chunk is authenticated on its own, so a reader can release verified footage while the
 * rest is still arriving; the counter pins its position (no reordering, dropping or repeating)
 * and the last-chunk flag pins the end (no truncation at a chunk boundary, no extension).
 */

export const MAGIC = Buffer.from('CSTBUF1', 'latin1');
export const FORMAT_VERSION = 1;
export const KEY_SIZE = 32;
export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
const PREFIX_SIZE = 7;
export const HEADER_SIZE = MAGIC.length + 1 + PREFIX_SIZE + 4;
/** Readers take the chunk size from the header, within what one chunk may hold in memory. */
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
const MAX_COUNTER = 0xffff_ffff;
/** Past this many pieces one copy is cheaper than a cipher call per piece. */
const MAX_PIECES_PER_CALL = 16;

export type DecryptOptions = {
  /** Names the file in error messages. */
  name?: string;
  /**
   * The input is the header followed by the file from chunk `firstChunk` on (a ranged read):
   * each chunk opens on its own given the header, and its counter still pins its position.
   */
  firstChunk?: number;
};

type Header = { bytes: Buffer; prefix: Buffer; chunkSize: number };

/** Encrypts a plaintext byte stream into buffer-file bytes under `key` (32 bytes). */
export function createEncryptStream(key: Buffer | KeyObject): Transform {
  return new EncryptStream(secretKey(key));
}

/**
 * Decrypts buffer-file bytes. A chunk's plaintext is pushed only after its tag verified, so a
 * consumer never sees a byte of a chunk that was altered; the stream errors instead.
 */
export function createDecryptStream(
  key: Buffer | KeyObject,
  options: DecryptOptions = {},
): Transform {
  return new DecryptStream(secretKey(key), options.name, options.firstChunk ?? 0);
}

/** Where chunk `index` starts in a file sealed with `chunkSize`. */
export function sealedChunkOffset(index: number, chunkSize = CHUNK_SIZE): number {
  return HEADER_SIZE + index * (chunkSize + TAG_SIZE);
}

/** Plaintext bytes of a buffer file of `encryptedBytes` sealed with `chunkSize`. */
export function plaintextSize(encryptedBytes: number, chunkSize = CHUNK_SIZE): number {
  const body = encryptedBytes - HEADER_SIZE;
  if (body < TAG_SIZE) return 0;
  return body - chunkCount(encryptedBytes, chunkSize) * TAG_SIZE;
}

/** Sealed chunks in a file of `encryptedBytes`: every file has at least its (maybe empty) last one. */
export function chunkCount(encryptedBytes: number, chunkSize = CHUNK_SIZE): number {
  return Math.max(1, Math.ceil((encryptedBytes - HEADER_SIZE) / (chunkSize + TAG_SIZE)));
}

/** The chunk size a buffer file's header names, or undefined when it is no buffer header. */
export function headerChunkSize(header: Buffer): number | undefined {
  if (header.length < HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    return undefined;
  }
  return header.readUInt32BE(MAGIC.length + 1 + PREFIX_SIZE);
}

class EncryptStream extends Transform {
  readonly #key: KeyObject;
  readonly #header: Header;
  readonly #queue = new ChunkQueue();
  #counter = 0;

  constructor(key: KeyObject) {
    super();
    this.#key = key;
    const prefix = randomBytes(PREFIX_SIZE);
    this.#header = { bytes: encodeHeader(prefix, CHUNK_SIZE), prefix, chunkSize: CHUNK_SIZE };
    this.push(this.#header.bytes);
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#queue.push(piece);
    try {
      // Only the end of input shows which chunk is last, so a full chunk waits for one more byte.
      while (this.#queue.length > CHUNK_SIZE) {
        this.push(this.#seal(this.#queue.take(CHUNK_SIZE), false));
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      // Empty input still gets its (empty) last chunk, or a reader could not tell it from a cut file.
      this.push(this.#seal(this.#queue.take(this.#queue.length), true));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  #seal(pieces: Buffer[], last: boolean): Buffer {
    const cipher = createCipheriv(
      'aes-256-gcm',
      this.#key,
      chunkNonce(this.#header.prefix, this.#counter, last),
      { authTagLength: TAG_SIZE },
    );
    cipher.setAAD(this.#header.bytes);
    const out = compact(pieces).map((piece) => cipher.update(piece));
    out.push(cipher.final(), cipher.getAuthTag());
    this.#counter += 1;
    return Buffer.concat(out);
  }
}

class DecryptStream extends Transform {
  readonly #key: KeyObject;
  readonly #label: string;
  readonly #queue = new ChunkQueue();
  #header: Header | undefined;
  #counter = 0;

  constructor(key: KeyObject, name: string | undefined, firstChunk: number) {
    super();
    this.#key = key;
    this.#label = name === undefined ? 'buffer file' : `buffer file ${name}`;
    this.#counter = firstChunk;
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#queue.push(piece);
    try {
      if (this.#header === undefined && this.#queue.length >= HEADER_SIZE) {
        this.#header = this.#readHeader(joined(this.#queue.take(HEADER_SIZE)));
      }
      if (this.#header !== undefined) {
        const sealedSize = this.#header.chunkSize + TAG_SIZE;
        // As when writing: a full chunk is the last one only if nothing follows it.
        while (this.#queue.length > sealedSize) this.#open(sealedSize, false);
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.#header === undefined) {
        throw new CustodyError(
          `${this.#label} is ${this.#queue.length} bytes, too short for its header`,
          'it was cut short or is not a buffer file; restore a complete copy',
        );
      }
      this.#open(this.#queue.length, true);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  #readHeader(bytes: Buffer): Header {
    if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new CustodyError(
        `${this.#label} is not a Custody buffer file (it does not start with ${MAGIC.toString('latin1')})`,
        'its header was damaged, or the path names some other file',
      );
    }
    const version = bytes[MAGIC.length];
    if (version !== FORMAT_VERSION) {
      throw new CustodyError(
        `${this.#label} has format version ${version}; this custody reads version ${FORMAT_VERSION}`,
        'its header was damaged, or it was written by a newer custody: upgrade custody',
      );
    }
    const prefix = bytes.subarray(MAGIC.length + 1, MAGIC.length + 1 + PREFIX_SIZE);
    const chunkSize = bytes.readUInt32BE(MAGIC.length + 1 + PREFIX_SIZE);
    if (chunkSize === 0 || chunkSize > MAX_CHUNK_SIZE) {
      throw new CustodyError(
        `${this.#label} has a damaged header (chunk size ${chunkSize})`,
        'restore an unaltered copy',
      );
    }
    return { bytes, prefix, chunkSize };
  }

  #open(sealedSize: number, last: boolean): void {
    const chunk = this.#counter;
    if (sealedSize < TAG_SIZE) throw this.#cutShort(chunk);
    const body = compact(this.#queue.take(sealedSize - TAG_SIZE));
    const tag = joined(this.#queue.take(TAG_SIZE));
    const plain = this.#tryOpen(body, tag, last);
    if (plain !== undefined) {
      this.#counter += 1;
      for (const piece of plain) if (piece.length > 0) this.push(piece);
      return;
    }
    // The chunk is rejected either way; the other flag only tells which attack or accident it was.
    if (this.#tryOpen(body, tag, !last) !== undefined) {
      if (last) throw this.#cutShort(chunk);
      throw new CustodyError(
        `${this.#label} has data after its last chunk (chunk ${chunk})`,
        'bytes were appended to it; restore an unaltered copy',
      );
    }
    throw new CustodyError(
      `${this.#label} failed authentication at chunk ${chunk}`,
      'it was altered or damaged, or this is not its key; nothing of that chunk was released',
    );
  }

  #tryOpen(body: Buffer[], tag: Buffer, last: boolean): Buffer[] | undefined {
    const header = this.#header as Header;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.#key,
      chunkNonce(header.prefix, this.#counter, last),
      { authTagLength: TAG_SIZE },
    );
    decipher.setAAD(header.bytes);
    decipher.setAuthTag(tag);
    // GCM's update() hands out plaintext before the tag is checked; it stays here until final().
    const out = body.map((piece) => decipher.update(piece));
    try {
      out.push(decipher.final());
    } catch {
      return undefined;
    }
    return out;
  }

  #cutShort(chunk: number): CustodyError {
    return new CustodyError(
      `${this.#label} is cut short: it ends at chunk ${chunk} without the chunk marked last`,
      'an interrupted write or copy truncated it; restore a complete copy',
    );
  }
}

function encodeHeader(prefix: Buffer, chunkSize: number): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(header, 0);
  header[MAGIC.length] = FORMAT_VERSION;
  prefix.copy(header, MAGIC.length + 1);
  header.writeUInt32BE(chunkSize, MAGIC.length + 1 + PREFIX_SIZE);
  return header;
}

function chunkNonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  if (counter > MAX_COUNTER) {
    throw new CustodyError(
      'a buffer file holds at most 2^32 chunks (256 TiB)',
      'export the footage into several buffer files',
    );
  }
  const nonce = Buffer.alloc(PREFIX_SIZE + 5);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(counter, PREFIX_SIZE);
  nonce[PREFIX_SIZE + 4] = last ? 1 : 0;
  return nonce;
}

function compact(pieces: Buffer[]): Buffer[] {
  return pieces.length > MAX_PIECES_PER_CALL ? [Buffer.concat(pieces)] : pieces;
}

function secretKey(key: Buffer | KeyObject): KeyObject {
  const size = Buffer.isBuffer(key) ? key.length : key.symmetricKeySize;
  if (size !== KEY_SIZE) {
    throw new RangeError(
      `a buffer file key is ${KEY_SIZE} bytes, got ${size ?? 'an asymmetric key'}`,
    );
  }
  // A KeyObject keeps its own copy, so the caller may wipe the Buffer it passed.
  return Buffer.isBuffer(key) ? createSecretKey(key) : key;
}
