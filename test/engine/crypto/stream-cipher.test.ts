import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustodyError } from '../../../src/core/errors.ts';
import {
  CHUNK_SIZE,
  createDecryptStream,
  createEncryptStream,
  HEADER_SIZE,
  TAG_SIZE,
} from '../../../src/engine/crypto/stream-cipher.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const SEALED = CHUNK_SIZE + TAG_SIZE;

/** Cuts `data` into pieces whose sizes cycle through `sizes`, as a stream would deliver it. */
function piecesOf(data: Buffer, sizes: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    pieces.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

type Run = { output: Buffer; error: unknown };

/** Everything the stream released, and how it ended: released bytes matter even on failure. */
async function run(transform: Writable & Readable, pieces: Buffer[]): Promise<Run> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  let error: unknown;
  try {
    await pipeline(Readable.from(pieces), transform, sink);
  } catch (err) {
    error = err;
  }
  return { output: Buffer.concat(out), error };
}

async function encrypt(key: Buffer, data: Buffer, sizes = [64 * KiB]): Promise<Buffer> {
  const { output, error } = await run(createEncryptStream(key), piecesOf(data, sizes));
  if (error) throw error;
  return output;
}

function decrypt(key: Buffer, sealed: Buffer, sizes = [64 * KiB]): Promise<Run> {
  return run(createDecryptStream(key, { name: 'test.cbuf' }), piecesOf(sealed, sizes));
}

function chunkCount(plaintextBytes: number): number {
  return Math.max(1, Math.ceil(plaintextBytes / CHUNK_SIZE));
}

/** Byte range of sealed chunk `i` in an encrypted file. */
function chunkRange(i: number, total: number): [number, number] {
  const start = HEADER_SIZE + i * SEALED;
  return [start, Math.min(start + SEALED, total)];
}

/** A failed decryption may release verified chunks before the damage, never anything else. */
function expectOnlyChunksBefore(result: Run, original: Buffer, damagedChunk: number): void {
  expect(result.error).toBeInstanceOf(CustodyError);
  expect(result.output.length % CHUNK_SIZE).toBe(0);
  expect(result.output.length).toBeLessThanOrEqual(damagedChunk * CHUNK_SIZE);
  expect(result.output.equals(original.subarray(0, result.output.length))).toBe(true);
}

describe('stream cipher', () => {
  const key = randomBytes(32);

  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['one chunk less a byte', CHUNK_SIZE - 1],
    ['exactly one chunk', CHUNK_SIZE],
    ['one chunk and a byte', CHUNK_SIZE + 1],
    ['several MiB', 5 * MiB + 123],
  ])('round-trips %s (%i bytes)', async (_name, size) => {
    const data = randomBytes(size);
    const sealed = await encrypt(key, data);
    expect(sealed.length).toBe(HEADER_SIZE + size + chunkCount(size) * TAG_SIZE);
    const result = await decrypt(key, sealed);
    expect(result.error).toBeUndefined();
    expect(result.output.equals(data)).toBe(true);
  });

  it('round-trips whatever the input and output piece boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * CHUNK_SIZE + 100 }),
        fc.array(fc.integer({ min: 1, max: 100 * KiB }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 100 * KiB }), { minLength: 1, maxLength: 8 }),
        async (size, writeSizes, readSizes) => {
          const data = randomBytes(size);
          const sealed = await encrypt(key, data, writeSizes);
          const result = await decrypt(key, sealed, readSizes);
          expect(result.error).toBeUndefined();
          expect(result.output.equals(data)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('copes with a stream delivered one byte at a time', async () => {
    const data = randomBytes(2 * CHUNK_SIZE + 7);
    const sealed = await encrypt(key, data, [1]);
    const result = await decrypt(key, sealed, [1]);
    expect(result.output.equals(data)).toBe(true);
  });

  it('encrypts the same plaintext differently each time', async () => {
    const data = Buffer.alloc(1000, 7);
    const [a, b] = [await encrypt(key, data), await encrypt(key, data)];
    expect(a.equals(b)).toBe(false);
    expect(a.includes(data.subarray(0, 64))).toBe(false);
  });

  describe('with a flipped bit', () => {
    const data = randomBytes(4 * CHUNK_SIZE + 500);
    let sealed: Buffer;

    async function withFlip(offset: number, bit: number): Promise<Run> {
      sealed ??= await encrypt(key, data);
      const damaged = Buffer.from(sealed);
      damaged[offset] = (damaged[offset] as number) ^ (1 << bit);
      return decrypt(key, damaged, [10 * KiB]);
    }

    it.each([
      ['magic', 0],
      ['version', 7],
      ['nonce prefix', 10],
      ['chunk size', HEADER_SIZE - 1],
    ])('in the header (%s) releases nothing', async (_part, offset) => {
      const result = await withFlip(offset, 3);
      expect(result.error).toBeInstanceOf(CustodyError);
      expect(result.output.length).toBe(0);
    });

    it.each([0, 2, 4])('in the body of chunk %i releases only the chunks before it', async (i) => {
      const [start] = chunkRange(i, Number.POSITIVE_INFINITY);
      const result = await withFlip(start + 100, 0);
      expectOnlyChunksBefore(result, data, i);
      expect((result.error as Error).message).toContain(
        `buffer file test.cbuf failed authentication at chunk ${i}`,
      );
    });

    it.each([1, 4])('in the tag of chunk %i releases only the chunks before it', async (i) => {
      sealed ??= await encrypt(key, data);
      const [, end] = chunkRange(i, sealed.length);
      const result = await withFlip(end - 1, 7);
      expectOnlyChunksBefore(result, data, i);
    });

    it('anywhere, is always caught', async () => {
      sealed ??= await encrypt(key, data);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: sealed.length - 1 }),
          fc.integer({ min: 0, max: 7 }),
          async (offset, bit) => {
            const damagedChunk = Math.max(0, Math.floor((offset - HEADER_SIZE) / SEALED));
            const result = await withFlip(offset, bit);
            expectOnlyChunksBefore(result, data, offset < HEADER_SIZE ? 0 : damagedChunk);
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  describe('with a damaged file layout', () => {
    const data = randomBytes(3 * CHUNK_SIZE + 1000);
    let sealed: Buffer;
    const sealedOnce = async () => {
      sealed ??= await encrypt(key, data);
      return sealed;
    };

    it('detects a file cut at a chunk boundary', async () => {
      const whole = await sealedOnce();
      const cut = whole.subarray(0, chunkRange(2, whole.length)[0]);
      const result = await decrypt(key, cut);
      expectOnlyChunksBefore(result, data, 2);
      expect((result.error as Error).message).toContain('cut short');
    });

    it('detects a file cut in the middle of a chunk', async () => {
      const whole = await sealedOnce();
      const result = await decrypt(key, whole.subarray(0, chunkRange(1, whole.length)[0] + 999));
      expectOnlyChunksBefore(result, data, 1);
    });

    it.each([
      ['after the header', HEADER_SIZE],
      ['inside the header', 5],
      ['to nothing', 0],
    ])('detects a file cut %s', async (_where, length) => {
      const result = await decrypt(key, (await sealedOnce()).subarray(0, length));
      expect(result.error).toBeInstanceOf(CustodyError);
      expect(result.output.length).toBe(0);
    });

    it('detects data appended after the last chunk', async () => {
      const whole = await sealedOnce();
      const result = await decrypt(key, Buffer.concat([whole, Buffer.from('extra')]));
      expect(result.error).toBeInstanceOf(CustodyError);
    });

    it('detects an extra chunk after a full last chunk', async () => {
      const full = randomBytes(2 * CHUNK_SIZE);
      const whole = await encrypt(key, full);
      const [start, end] = chunkRange(0, whole.length);
      const result = await decrypt(key, Buffer.concat([whole, whole.subarray(start, end)]));
      expect(result.error).toBeInstanceOf(CustodyError);
      expect((result.error as Error).message).toContain('data after its last chunk');
    });

    it('detects two chunks swapped', async () => {
      const whole = await sealedOnce();
      const [a0, a1] = chunkRange(0, whole.length);
      const [b0, b1] = chunkRange(1, whole.length);
      const swapped = Buffer.concat([
        whole.subarray(0, a0),
        whole.subarray(b0, b1),
        whole.subarray(a0, a1),
        whole.subarray(b1),
      ]);
      const result = await decrypt(key, swapped);
      expectOnlyChunksBefore(result, data, 0);
    });

    it('detects a chunk repeated', async () => {
      const whole = await sealedOnce();
      const [start, end] = chunkRange(1, whole.length);
      const repeated = Buffer.concat([
        whole.subarray(0, end),
        whole.subarray(start, end),
        whole.subarray(end),
      ]);
      const result = await decrypt(key, repeated);
      expectOnlyChunksBefore(result, data, 2);
    });

    it('detects a chunk taken from another file under the same key', async () => {
      const whole = await sealedOnce();
      const other = await encrypt(key, data);
      const [start, end] = chunkRange(1, whole.length);
      const spliced = Buffer.concat([
        whole.subarray(0, start),
        other.subarray(start, end),
        whole.subarray(end),
      ]);
      expectOnlyChunksBefore(await decrypt(key, spliced), data, 1);
    });

    it('refuses the wrong key', async () => {
      const result = await decrypt(randomBytes(32), await sealedOnce());
      expectOnlyChunksBefore(result, data, 0);
      expect((result.error as Error).message).toContain('failed authentication at chunk 0');
    });
  });

  it('refuses a key of the wrong size', () => {
    expect(() => createEncryptStream(randomBytes(16))).toThrow(/32 bytes/);
  });
});
