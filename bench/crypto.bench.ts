// Streaming AES-256-GCM (STREAM, 64 KiB chunks) of a file, against one-shot AES-256-GCM of the
// same bytes in memory with node's crypto in the same run (issue 6 target: ≥ 0.7× the baseline).
// CUSTODY_BENCH_SIZE_MB shrinks the 1 GiB default for a quick run.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BufferStore } from '../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../src/engine/crypto/key-store.ts';
import { createDecryptStream, createEncryptStream } from '../src/engine/crypto/stream-cipher.ts';
import { openStore } from '../src/engine/store/database.ts';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.env.CUSTODY_BENCH_SIZE_MB ?? 1024);
if (!Number.isInteger(sizeMiB) || sizeMiB < 1) {
  throw new Error(`CUSTODY_BENCH_SIZE_MB must be a whole number of MiB, got ${sizeMiB}`);
}
const bytes = sizeMiB * MiB;
const rounds = 3;
const ioSize = MiB;

const dir = mkdtempSync(path.join(tmpdir(), 'custody-bench-crypto-'));
const plainFile = path.join(dir, 'plain.bin');
const sealedFile = path.join(dir, 'sealed.cbuf');

/**
 * Best of `rounds`: the figure least disturbed by the rest of the machine. Whatever a run wrote
 * is flushed untimed after it, or the kernel's writeback of one run would throttle the next.
 */
async function best(run: () => Promise<void> | void, wrote?: string): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - start);
    if (wrote !== undefined) flush(wrote);
  }
  return bytes / MiB / (fastest / 1000);
}

function flush(file: string): void {
  const fd = openSync(file, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

function* sliced(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

function slices(data: Buffer, size: number): Readable {
  return Readable.from(sliced(data, size), { objectMode: false });
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}

try {
  // Random bytes (a repeated 16 MiB block: AES does not care, and it writes fast).
  const block = randomBytes(Math.min(bytes, 16 * MiB));
  const fd = openSync(plainFile, 'w');
  for (let written = 0; written < bytes; written += block.length) {
    writeSync(fd, block, 0, Math.min(block.length, bytes - written));
  }
  fsyncSync(fd);
  closeSync(fd);

  const key = randomBytes(32);
  const iv = randomBytes(12);

  let plain: Buffer | undefined = readFileSync(plainFile);
  let sealed: Buffer | undefined;
  let tag: Buffer | undefined;
  const oneShotEncrypt = await best(() => {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    sealed = cipher.update(plain as Buffer);
    cipher.final();
    tag = cipher.getAuthTag();
  });
  const oneShotDecrypt = await best(() => {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag as Buffer);
    decipher.update(sealed as Buffer);
    decipher.final();
  });
  // The cipher alone, without the disk: the same stream fed from memory into a sink.
  const streamEncryptMemory = await best(() =>
    pipeline(slices(plain as Buffer, ioSize), createEncryptStream(key), discard()),
  );
  plain = undefined;
  sealed = undefined;

  // The disk alone: what any file -> file stream here can reach, with no cipher at all.
  const plainCopy = await best(
    () =>
      pipeline(
        createReadStream(plainFile, { highWaterMark: ioSize }),
        new PassThrough(),
        createWriteStream(sealedFile, { highWaterMark: ioSize }),
      ),
    sealedFile,
  );

  const streamEncrypt = await best(
    () =>
      pipeline(
        createReadStream(plainFile, { highWaterMark: ioSize }),
        createEncryptStream(key),
        createWriteStream(sealedFile, { highWaterMark: ioSize }),
      ),
    sealedFile,
  );
  const streamDecrypt = await best(() =>
    pipeline(
      createReadStream(sealedFile, { highWaterMark: ioSize }),
      createDecryptStream(key),
      discard(),
    ),
  );
  rmSync(sealedFile);

  const store = openStore(path.join(dir, 'data'));
  const buffers = new BufferStore({ dir: path.join(dir, 'buffer'), keys: new KeyStore(store) });
  let n = 0;
  const storeWrite = await best(async () => {
    await buffers.shred(`clip-${n}`);
    n += 1;
    await buffers.write(`clip-${n}`, createReadStream(plainFile, { highWaterMark: ioSize }));
  });
  const storeRead = await best(() => pipeline(buffers.read(`clip-${n}`), discard()));
  store.close();

  const line = (label: string, mibs: number, note: string) =>
    console.log(`${label.padEnd(26)} ${mibs.toFixed(0).padStart(6)} MiB/s  ${note}`);
  const ratio = (mibs: number, base: number) => `${(mibs / base).toFixed(2)}x baseline`;
  console.log(`size ${sizeMiB} MiB, best of ${rounds} runs each; target: stream >= 0.70x baseline`);
  line('one-shot encrypt', oneShotEncrypt, 'baseline: one cipher.update/final in memory');
  line('one-shot decrypt', oneShotDecrypt, 'baseline: one decipher.update/final in memory');
  line('stream encrypt file->file', streamEncrypt, ratio(streamEncrypt, oneShotEncrypt));
  line('stream decrypt file->sink', streamDecrypt, ratio(streamDecrypt, oneShotDecrypt));
  line(
    'stream encrypt mem->sink',
    streamEncryptMemory,
    `${ratio(streamEncryptMemory, oneShotEncrypt)} (cipher alone, no disk)`,
  );
  line('plain copy file->file', plainCopy, 'no cipher: the disk ceiling for file->file');
  line('BufferStore.write', storeWrite, `${ratio(storeWrite, oneShotEncrypt)} (+ SHA-256, fsync)`);
  line('BufferStore.read', storeRead, ratio(storeRead, oneShotDecrypt));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
