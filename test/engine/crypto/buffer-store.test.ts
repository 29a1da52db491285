import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustodyError } from '../../../src/core/errors.ts';
import { BufferStore } from '../../../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../../../src/engine/crypto/key-store.ts';
import { CHUNK_SIZE, HEADER_SIZE } from '../../../src/engine/crypto/stream-cipher.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import { tempDir } from '../../helpers/cli.ts';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let keys: KeyStore;
let buffers: BufferStore;
let bufferDir: string;

beforeEach(() => {
  dir = tempDir('custody-buffer-');
  store = openStore(dir.path);
  keys = new KeyStore(store);
  bufferDir = path.join(dir.path, 'buffer');
  buffers = new BufferStore({ dir: bufferDir, keys });
});

afterEach(() => {
  store.close();
  dir.remove();
});

/** Streams `data` in pieces of uneven size, as ffmpeg's stdout would. */
function source(data: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = 1 + ((i * 7919) % 40_000);
    pieces.push(data.subarray(at, at + size));
    at += size;
  }
  return Readable.from(pieces);
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('BufferStore', () => {
  it('writes, reads back and hashes the plaintext in one pass', async () => {
    const data = randomBytes(3 * CHUNK_SIZE + 4321);
    const written = await buffers.write('req-1-cam-2', source(data));
    expect(written).toEqual({
      path: path.join(bufferDir, 'req-1-cam-2.cbuf'),
      plaintextBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    expect(statSync(written.path).mode & 0o777).toBe(0o600);
    expect((await buffer(buffers.read('req-1-cam-2'))).equals(data)).toBe(true);
  });

  it('holds an empty export too', async () => {
    const written = await buffers.write('empty', Readable.from([]));
    expect(written.plaintextBytes).toBe(0);
    expect((await buffer(buffers.read('empty'))).length).toBe(0);
  });

  it('never puts the plaintext on disk', async () => {
    const marker = Buffer.from('CUSTODY-PLAINTEXT-MARKER/');
    const data = Buffer.concat(Array.from({ length: 20_000 }, () => marker));
    await buffers.write('marked', source(data));
    expect((await buffer(buffers.read('marked'))).equals(data)).toBe(true);

    const probe = marker.subarray(0, 16);
    const scanned = filesUnder(dir.path);
    expect(scanned).toContain(path.join(bufferDir, 'marked.cbuf'));
    for (const file of scanned) expect(readFileSync(file).includes(probe), file).toBe(false);
  });

  it('lists finished buffer files only', async () => {
    await buffers.write('b', source(randomBytes(10)));
    await buffers.write('a', source(randomBytes(100_000)));
    writeFileSync(path.join(bufferDir, '.c.cbuf.1234abcd'), 'half written');
    expect(await buffers.list()).toEqual([
      {
        fileId: 'a',
        path: path.join(bufferDir, 'a.cbuf'),
        encryptedBytes: HEADER_SIZE + 100_000 + 32,
      },
      { fileId: 'b', path: path.join(bufferDir, 'b.cbuf'), encryptedBytes: HEADER_SIZE + 10 + 16 },
    ]);
  });

  it('leaves neither file nor key behind when the source fails', async () => {
    const failing = Readable.from(
      (async function* () {
        yield randomBytes(200_000);
        throw new Error('ffmpeg exited with code 1');
      })(),
    );
    await expect(buffers.write('broken', failing)).rejects.toThrow('ffmpeg exited with code 1');
    expect(readdirSync(bufferDir)).toEqual([]);
    expect(() => keys.getKey('broken')).toThrow(/shredded/);
    // The export can simply be tried again under the same id.
    const data = randomBytes(1000);
    await buffers.write('broken', source(data));
    expect((await buffer(buffers.read('broken'))).equals(data)).toBe(true);
  });

  it('refuses to overwrite a buffer file that still has its key', async () => {
    await buffers.write('once', source(randomBytes(10)));
    await expect(buffers.write('once', source(randomBytes(10)))).rejects.toThrow(
      /already has a key/,
    );
  });

  it('crypto-shreds: a restored copy of the file can no longer be decrypted', async () => {
    const data = randomBytes(2 * CHUNK_SIZE);
    const { path: file } = await buffers.write('denied', source(data));
    const copy = path.join(dir.path, 'stolen-copy.cbuf');
    copyFileSync(file, copy);

    expect(await buffers.shred('denied')).toEqual({ keyShredded: true, fileDeleted: true });
    expect(await buffers.list()).toEqual([]);
    expect(() => keys.getKey('denied')).toThrow(/the key of buffer file denied was shredded at/);

    copyFileSync(copy, file);
    expect(() => buffers.read('denied')).toThrow(/shredded/);
    // Not even a store reopened from scratch has anything that opens it.
    store.close();
    store = openStore(dir.path);
    expect(() => new KeyStore(store).getKey('denied')).toThrow(/shredded/);
    expect(store.db.prepare('SELECT wrapped_key FROM buffer_keys').all()).toEqual([
      { wrapped_key: null },
    ]);
  });

  it('shreds what is there when a crash left only the key or only the file', async () => {
    keys.createKey('key-only');
    expect(await buffers.shred('key-only')).toEqual({ keyShredded: true, fileDeleted: false });
    expect(await buffers.shred('nothing')).toEqual({ keyShredded: false, fileDeleted: false });
  });

  it('stops reading at an altered chunk, releasing only the chunks before it', async () => {
    const data = randomBytes(4 * CHUNK_SIZE);
    const { path: file } = await buffers.write('tampered', source(data));
    const bytes = readFileSync(file);
    const inChunk2 = HEADER_SIZE + 2 * (CHUNK_SIZE + 16) + 5;
    bytes[inChunk2] = (bytes[inChunk2] as number) ^ 0x40;
    writeFileSync(file, bytes);

    const out: Buffer[] = [];
    const reader = buffers.read('tampered');
    const failure = await new Promise<unknown>((resolve) => {
      reader.on('data', (piece: Buffer) => out.push(piece));
      reader.on('error', resolve);
      reader.on('end', () => resolve(undefined));
    });
    expect(failure).toBeInstanceOf(CustodyError);
    expect((failure as Error).message).toContain(
      `buffer file ${file} failed authentication at chunk 2`,
    );
    const released = Buffer.concat(out);
    expect(released.length).toBeLessThanOrEqual(2 * CHUNK_SIZE);
    expect(released.equals(data.subarray(0, released.length))).toBe(true);
  });

  it('says so when the key is there but the file is gone', async () => {
    const { path: file } = await buffers.write('lost', source(randomBytes(10)));
    rmSync(file);
    expect(() => buffers.read('lost')).toThrow(/cannot be read .*restore the file from backup/);
  });
});

describe('BufferStore ranged reads', () => {
  it('reads the plaintext from any offset, starting at the chunk that holds it', async () => {
    for (const size of [0, 1, CHUNK_SIZE, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 777]) {
      const id = `range-${size}`;
      const data = randomBytes(size);
      await buffers.write(id, source(data));
      expect(await buffers.plaintextBytes(id)).toMatchObject({ size });
      const starts = [
        0,
        1,
        CHUNK_SIZE - 1,
        CHUNK_SIZE,
        CHUNK_SIZE + 1,
        2 * CHUNK_SIZE,
        size - 1,
        size,
      ];
      for (const start of starts.filter((s) => s >= 0 && s <= size)) {
        const got = await buffer(await buffers.readRange(id, start));
        expect(got.equals(data.subarray(start)), `size ${size} from ${start}`).toBe(true);
      }
    }
  });

  it('still refuses an altered chunk when reading from the middle', async () => {
    const data = randomBytes(4 * CHUNK_SIZE);
    const { path: file } = await buffers.write('altered', source(data));
    const bytes = readFileSync(file);
    // A byte of chunk 3's ciphertext.
    const at = HEADER_SIZE + 3 * (CHUNK_SIZE + 16) + 10;
    bytes[at] = (bytes[at] as number) ^ 1;
    writeFileSync(file, bytes);
    const start = 2 * CHUNK_SIZE + 5;
    const out: Buffer[] = [];
    const reader = await buffers.readRange('altered', start);
    const failure = await new Promise<unknown>((resolve) => {
      reader.on('data', (piece: Buffer) => out.push(piece));
      reader.on('error', resolve);
      reader.on('end', () => resolve(undefined));
    });
    expect((failure as Error).message).toContain('failed authentication at chunk 3');
    const released = Buffer.concat(out);
    expect(released.equals(data.subarray(start, start + released.length))).toBe(true);
    expect(start + released.length).toBeLessThanOrEqual(3 * CHUNK_SIZE);
  });

  it('reads nothing once the key is shredded', async () => {
    await buffers.write('gone', source(randomBytes(100)));
    const copy = readFileSync(path.join(bufferDir, 'gone.cbuf'));
    await buffers.shred('gone');
    writeFileSync(path.join(bufferDir, 'gone.cbuf'), copy);
    await expect(buffers.readRange('gone', 10)).rejects.toThrow(/shredded/);
  });

  it('maps its own file paths back to ids, and sweeps what interrupted writes left', async () => {
    const { path: file } = await buffers.write('req-9-cam-1', source(randomBytes(10)));
    expect(buffers.idOfPath(file)).toBe('req-9-cam-1');
    expect(buffers.idOfPath(path.join(dir.path, 'req-9-cam-1.cbuf'))).toBeUndefined();
    expect(buffers.pathOf('req-9-cam-1')).toBe(file);
    writeFileSync(path.join(bufferDir, '.req-9-cam-2.cbuf.1a2b3c4d'), 'ciphertext of a crash');
    expect(await buffers.sweep()).toBe(1);
    expect(readdirSync(bufferDir)).toEqual(['req-9-cam-1.cbuf']);
  });
});
