import { randomBytes } from 'node:crypto';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustodyError } from '../../../src/core/errors.ts';
import { EventLog } from '../../../src/engine/events/event-log.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import { queuePickedFiles } from '../../../src/engine/uploads/sources/picked-files.ts';
import { TusDestination } from '../../../src/engine/uploads/tus-destination.ts';
import { UploadQueue } from '../../../src/engine/uploads/upload-queue.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';
import { sha256Of, startTusPeer, type TusPeer } from './tus-peer.ts';

let dir: string;
let store: Store;
let events: EventLog;
let queue: UploadQueue;

beforeEach(() => {
  dir = tempDir('queue');
  store = openStore(path.join(dir, 'data'));
  events = new EventLog(store);
  queue = new UploadQueue(store, events);
});

afterEach(() => {
  store.close();
  removeDir(dir);
});

const enqueue = (file: string, destinationId = 'archive') =>
  queue.enqueue({ sourceKind: 'picked', path: file, destinationId });

describe('UploadQueue', () => {
  it('stores a job and records upload.queued with path, hash and case', () => {
    const file = randomFile(dir, 'a.mp4', 10);
    const { job, queued } = queue.enqueue({
      sourceKind: 'dock',
      sourceId: 'bwc-01',
      path: file,
      destinationId: 'service',
      caseChoice: { newCase: 'Interview 12' },
      metadata: { camera: 'bwc-01' },
    });
    expect(queued).toBe(true);
    expect(job).toMatchObject({ state: 'queued', size: 10, offset: 0, sha256: null });
    const [event] = events.list({ subject: job.id });
    expect(event).toMatchObject({
      kind: 'upload.queued',
      data: { path: file, sha256: null, case: { newCase: 'Interview 12' } },
    });
  });

  it('does not queue the same file (path, size, mtime) twice, even once uploaded', () => {
    const file = randomFile(dir, 'a.mp4', 10);
    const first = enqueue(file).job;
    expect(enqueue(file)).toEqual({ job: first, queued: false });
    queue.recordHash(first.id, 'f'.repeat(64), first.size, first.mtimeMs);
    queue.transition(first.id, 'uploading');
    queue.transition(first.id, 'verifying');
    queue.transition(first.id, 'done');
    expect(enqueue(file).queued).toBe(false);
    // Another destination, or a changed file, is a new upload.
    expect(enqueue(file, 'service').queued).toBe(true);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(enqueue(file).queued).toBe(true);
  });

  it('tries a failed job again when its file is queued again', () => {
    const file = randomFile(dir, 'a.mp4', 10);
    const first = enqueue(file).job;
    queue.recordRetry(first.id, 'connection reset', 0);
    queue.transition(first.id, 'failed', { error: 'gave up' });
    const again = enqueue(file);
    expect(again).toMatchObject({ queued: true, job: { id: first.id, state: 'queued' } });
    expect(again.job.attempts).toBe(0);
    expect(queue.list()).toHaveLength(1);
  });

  it('refuses a missing file with a clear message', () => {
    expect(() => enqueue(path.join(dir, 'nope.mp4'))).toThrow(/cannot queue .*nope\.mp4/);
  });

  it('pauses, resumes, retries and cancels one job, each transition an event', () => {
    const { job } = enqueue(randomFile(dir, 'a.mp4', 10));
    expect(queue.pause(job.id, 'camera unplugged')?.pauseReason).toBe('camera unplugged');
    expect(queue.resume(job.id)?.state).toBe('queued');
    queue.transition(job.id, 'failed', { error: 'disk full' });
    expect(queue.get(job.id)?.error).toBe('disk full');
    expect(queue.retry(job.id)?.state).toBe('queued');
    expect(queue.cancel(job.id)?.state).toBe('cancelled');
    // Nothing leaves cancelled.
    expect(queue.resume(job.id)).toBeUndefined();
    expect(() => queue.transition(job.id, 'queued')).toThrow(CustodyError);
    expect(events.list({ subject: job.id }).map((e) => e.kind)).toEqual([
      'upload.queued',
      'upload.paused',
      'upload.queued',
      'upload.failed',
      'upload.queued',
      'upload.cancelled',
    ]);
    expect(events.list({ subject: job.id, kinds: ['upload.failed'] })[0]?.data.error).toBe(
      'disk full',
    );
  });

  it('pauses, resumes and cancels all; pauses a filtered set with a reason', () => {
    const jobs = ['a', 'b', 'c'].map((name) => enqueue(randomFile(dir, `${name}.mp4`, 5)).job);
    const [a, b, c] = jobs.map((job) => job.id) as [string, string, string];
    expect(queue.pauseAll('camera bwc-02 unplugged', (job) => job.id !== a).length).toBe(2);
    expect(queue.get(b)?.pauseReason).toBe('camera bwc-02 unplugged');
    expect(queue.get(a)?.state).toBe('queued');
    expect(queue.resumeAll().map((job) => job.id)).toEqual([b, c]);
    expect(queue.cancelAll().length).toBe(3);
  });

  it('orders by priority, then oldest first; move to front jumps the queue', () => {
    const ids = ['a', 'b', 'c'].map((name) => enqueue(randomFile(dir, `${name}.mp4`, 5)).job.id);
    expect(queue.next(['archive'], new Set())?.id).toBe(ids[0]);
    queue.moveToFront(ids[2] as string);
    expect(queue.next(['archive'], new Set())?.id).toBe(ids[2]);
    queue.moveToFront(ids[1] as string);
    expect(queue.list(['queued']).map((job) => job.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(queue.next(['archive'], new Set([ids[1] as string]))?.id).toBe(ids[2]);
    // Jobs for a destination that is not set up wait.
    expect(queue.next(['service'], new Set())).toBeUndefined();
  });

  it('forgets the hash and the upload when the file changed since hashing', () => {
    const file = randomFile(dir, 'a.mp4', 10);
    const { job } = enqueue(file);
    queue.recordHash(job.id, 'a'.repeat(64), 10, job.mtimeMs);
    queue.recordProgress(job.id, 'http://x/files/1', 4);
    expect(queue.get(job.id)).toMatchObject({ sha256: 'a'.repeat(64), offset: 4 });
    writeFileSync(file, 'longer content');
    queue.recordHash(job.id, 'b'.repeat(64), 14, job.mtimeMs + 1);
    expect(queue.get(job.id)).toMatchObject({ size: 14, offset: 0, uploadUrl: null });
  });

  it('puts jobs that were running at a crash back in the queue', () => {
    const { job } = enqueue(randomFile(dir, 'a.mp4', 10));
    queue.transition(job.id, 'hashing');
    expect(queue.recover().map((j) => j.state)).toEqual(['queued']);
  });
});

describe('a file uploaded already', () => {
  let peer: TusPeer;
  let rig: Rig;

  beforeEach(async () => {
    peer = await startTusPeer(path.join(dir, 'peer'));
    rig = makeRig({
      dataDir: path.join(dir, 'rig'),
      destinations: [new TusDestination({ id: 'peer', endpoint: peer.url })],
    });
    rig.scheduler.start();
  });

  afterEach(async () => {
    await rig.close();
    await peer.close();
  });

  /** Queued, then run to its end. */
  async function upload(file: string) {
    const queued = rig.queue.enqueue({ sourceKind: 'picked', path: file, destinationId: 'peer' });
    await rig.scheduler.whenIdle();
    return { ...queued, job: rig.queue.get(queued.job.id) };
  }

  it('is not sent again, even touched since; the same size and mtime with other bytes is', async () => {
    const file = randomFile(dir, 'a.mp4', 100_000);
    // A whole second, which utimes sets back exactly (a Date holds no sub-millisecond part).
    const mtime = new Date('2026-03-01T10:00:00Z');
    utimesSync(file, mtime, mtime);
    const first = await upload(file);
    expect(first.job?.state).toBe('done');
    expect(peer.received()).toBe(100_000);

    // Unchanged, ctime and all: the queue knows it without reading it.
    expect(await upload(file)).toMatchObject({ queued: false, job: { id: first.job?.id } });

    // Touched (same bytes, same mtime, a new ctime): hashed again, then found sent already.
    touchUntilCtimeMoves(file, mtime);
    const touched = await upload(file);
    expect(touched).toMatchObject({ queued: true, job: { state: 'done' } });
    expect(touched.job?.id).not.toBe(first.job?.id);
    const [done] = rig.events.list({ subject: touched.job?.id, kinds: ['upload.done'] });
    expect(done?.message).toMatch(/a\.mp4 done: upload \S+ sent this file already/);
    expect(done?.data).toMatchObject({ duplicateOf: first.job?.id, from: 'hashing' });
    expect(peer.received()).toBe(100_000);

    // Other bytes, same size, mtime set back: a different file, so it goes.
    writeFileSync(file, randomBytes(100_000));
    touchUntilCtimeMoves(file, mtime);
    const rewritten = await upload(file);
    expect(rewritten).toMatchObject({ queued: true, job: { state: 'done' } });
    expect(rig.events.list({ subject: rewritten.job?.id }).map((e) => e.kind)).toContain(
      'upload.uploading',
    );
    expect(peer.received()).toBe(200_000);
    expect((await peer.uploads()).map((u) => u.sha256).sort()).toEqual(
      [first.job?.sha256, await sha256Of(file)].sort(),
    );
  });
});

/**
 * Sets the mtime back to `mtime`, again until the ctime moved on: file systems keep coarse
 * ctimes, so changes close together (the queue's stat, then this) can share one.
 */
function touchUntilCtimeMoves(file: string, mtime: Date): void {
  const before = Math.floor(statSync(file).ctimeMs);
  do utimesSync(file, mtime, mtime);
  while (Math.floor(statSync(file).ctimeMs) === before);
}

describe('queuePickedFiles', () => {
  it('queues each picked file with the case choice; a missing one fails alone', () => {
    const good = randomFile(dir, 'a.mp4', 10);
    const results = queuePickedFiles(queue, [good, path.join(dir, 'missing.mp4'), good], {
      destinationId: 'service',
      caseChoice: { newCase: 'Interview 12' },
    });
    expect(results.map((r) => (r.ok ? r.queued : r.error))).toEqual([
      true,
      expect.stringMatching(/cannot queue .*missing\.mp4/),
      false,
    ]);
    expect(queue.list()[0]?.caseChoice).toEqual({ newCase: 'Interview 12' });
  });
});
