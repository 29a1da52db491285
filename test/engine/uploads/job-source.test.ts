import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferStore } from '../../../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../../../src/engine/crypto/key-store.ts';
import { CHUNK_SIZE } from '../../../src/engine/crypto/stream-cipher.ts';
import { ArchiveDestination } from '../../../src/engine/uploads/archive-destination.ts';
import { JobRunner } from '../../../src/engine/uploads/job-runner.ts';
import { DefaultJobSources } from '../../../src/engine/uploads/job-source.ts';
import { UploadScheduler } from '../../../src/engine/uploads/scheduler.ts';
import { makeRig, type Rig, removeDir, tempDir } from './rig.ts';

// A request clip uploads straight from the encrypted buffer: decrypted on the fly, from any
// offset, with the size and hash known from the export (no hashing pass).
let dir: string;
let archiveDir: string;
let rig: Rig;
let buffer: BufferStore;

beforeEach(() => {
  dir = tempDir('job-source');
  archiveDir = path.join(dir, 'archive');
  rig = makeRig({ destinations: [], dataDir: path.join(dir, 'data') });
  buffer = new BufferStore({
    dir: path.join(dir, 'data', 'buffer'),
    keys: new KeyStore(rig.store),
  });
});

afterEach(async () => {
  await rig.close();
  removeDir(dir);
});

function scheduler(destination: ArchiveDestination, chunkSize: number): UploadScheduler {
  const runner = new JobRunner({
    queue: rig.queue,
    gate: rig.gate,
    chunkSize,
    retry: { maxAttempts: 3, baseMs: 10, maxMs: 50 },
    sources: new DefaultJobSources({ buffer }),
  });
  return new UploadScheduler({
    queue: rig.queue,
    runner,
    gate: rig.gate,
    destinations: [destination],
    concurrency: 1,
  });
}

describe('request clips as upload sources', () => {
  it('delivers the decrypted clip under its evidence name, resuming from a partial copy', async () => {
    const data = randomBytes(5 * CHUNK_SIZE + 1234);
    const written = await buffer.write('req-1-cam-1', Readable.from([data]));
    const { job } = rig.queue.enqueue({
      sourceKind: 'request',
      sourceId: 'req-1',
      path: written.path,
      destinationId: 'archive',
      caseChoice: { id: 'case-1' },
      metadata: { kind: 'clip', filename: 'req-1-cam-1.ts', requestId: 'req-1', cameraId: 'cam-1' },
      known: { size: written.plaintextBytes, sha256: written.sha256 },
      first: true,
    });
    expect(job).toMatchObject({ size: data.length, sha256: written.sha256 });
    // A copy cut short mid-chunk, as a crash would leave it: the rest comes from a ranged read.
    const destination = new ArchiveDestination({ id: 'archive', path: archiveDir });
    mkdirSync(archiveDir, { recursive: true });
    writeFileSync(
      path.join(archiveDir, `.req-1-cam-1.ts.${job.id}.part`),
      data.subarray(0, 2 * CHUNK_SIZE + 99),
    );

    const run = scheduler(destination, 100_000);
    run.start();
    await run.whenIdle();
    await run.stop();
    expect(rig.queue.get(job.id)?.state).toBe('done');
    const copy = readFileSync(path.join(archiveDir, 'req-1-cam-1.ts'));
    expect(createHash('sha256').update(copy).digest('hex')).toBe(written.sha256);
    const kinds = rig.events.list({ requestId: 'req-1' }).map((e) => e.kind);
    expect(kinds).toContain('upload.done');
    expect(kinds).not.toContain('upload.hashing');
  });

  it('fails a request job whose clip is not in the buffer, saying why', async () => {
    const stray = path.join(dir, 'stray.ts');
    writeFileSync(stray, 'x');
    const { job } = rig.queue.enqueue({
      sourceKind: 'request',
      sourceId: 'req-2',
      path: stray,
      destinationId: 'archive',
    });
    const run = scheduler(new ArchiveDestination({ id: 'archive', path: archiveDir }), 65_536);
    run.start();
    await run.whenIdle();
    await run.stop();
    expect(rig.queue.get(job.id)).toMatchObject({ state: 'failed' });
    expect(rig.queue.get(job.id)?.error).toMatch(/not in the request buffer/);
  });

  it('queues a request clip ahead of the jobs already waiting', async () => {
    const other = path.join(dir, 'other.bin');
    writeFileSync(other, randomBytes(10));
    rig.queue.enqueue({ sourceKind: 'picked', path: other, destinationId: 'archive' });
    const written = await buffer.write('req-3-cam-1', Readable.from([randomBytes(10)]));
    const { job } = rig.queue.enqueue({
      sourceKind: 'request',
      sourceId: 'req-3',
      path: written.path,
      destinationId: 'archive',
      known: { size: written.plaintextBytes, sha256: written.sha256 },
      first: true,
    });
    expect(rig.queue.next(['archive'], new Set())?.id).toBe(job.id);
  });
});
