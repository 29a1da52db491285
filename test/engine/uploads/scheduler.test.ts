import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TusDestination } from '../../../src/engine/uploads/tus-destination.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';
import { startTusPeer, type TusPeer } from './tus-peer.ts';

const KIB = 1024;

let dir: string;
let peer: TusPeer;
let rig: Rig;

beforeEach(async () => {
  dir = tempDir('scheduler');
  peer = await startTusPeer(tempDir('scheduler-server'));
});

afterEach(async () => {
  await rig.close();
  await peer.close();
  removeDir(dir);
  removeDir(peer.directory);
});

function setup(rate: number | null, concurrency: number, files: number, size = 256 * KIB) {
  rig = makeRig({
    destinations: [new TusDestination({ id: 'peer', endpoint: peer.url })],
    rate,
    concurrency,
    chunkSize: 64 * KIB,
  });
  return Array.from(
    { length: files },
    (_, i) =>
      rig.queue.enqueue({
        sourceKind: 'picked',
        path: randomFile(dir, `f${i}.mp4`, size),
        destinationId: 'peer',
      }).job.id,
  );
}

const running = () => rig.queue.list(['hashing', 'uploading', 'verifying']).map((job) => job.id);

describe('UploadScheduler', () => {
  it('never runs more than the concurrency, and follows a live change', async () => {
    const ids = setup(2 * 1024 * KIB, 2, 6);
    let most = 0;
    const unsubscribe = rig.queue.subscribe(() => {
      most = Math.max(most, running().length);
    });
    rig.scheduler.start();
    await sleep(150);
    expect(running()).toEqual(ids.slice(0, 2));
    rig.scheduler.setConcurrency(3);
    await sleep(50);
    expect(running().length).toBe(3);
    rig.scheduler.setConcurrency(1);
    expect(running().length).toBe(1);
    await rig.scheduler.whenIdle();
    unsubscribe();
    expect(most).toBeLessThanOrEqual(3);
    expect(rig.queue.list().map((job) => job.state)).toEqual(Array(6).fill('done'));
  });

  it('starts nothing and sends nothing while the schedule says off', async () => {
    const [id] = setup(0, 4, 1);
    rig.scheduler.start();
    await sleep(300);
    expect(rig.queue.get(id as string)?.state).toBe('queued');
    expect(peer.received()).toBe(0);
    rig.gate.setRate(null);
    await rig.scheduler.whenIdle();
    expect(rig.queue.get(id as string)?.state).toBe('done');
  });

  it('stops new bytes within a second when the rate goes off mid-upload, and resumes', async () => {
    const [id] = setup(512 * KIB, 1, 1, 2 * 1024 * KIB);
    rig.scheduler.start();
    await sleep(500);
    rig.gate.setRate(0);
    await sleep(1000);
    const frozen = peer.received();
    await sleep(500);
    expect(peer.received()).toBe(frozen);
    expect(frozen).toBeGreaterThan(0);
    expect(rig.queue.get(id as string)?.state).toBe('uploading');
    rig.gate.setRate(null);
    await rig.scheduler.whenIdle();
    expect(rig.queue.get(id as string)?.state).toBe('done');
    expect(peer.received()).toBe(2 * 1024 * KIB);
  });

  it('pauses, resumes and cancels a running job; move to front goes next', async () => {
    const ids = setup(512 * KIB, 1, 3, 1024 * KIB) as [string, string, string];
    rig.scheduler.start();
    await sleep(300);
    expect(running()).toEqual([ids[0]]);
    rig.queue.pause(ids[0]);
    rig.queue.moveToFront(ids[2]);
    await sleep(100);
    expect(running()).toEqual([ids[2]]);
    rig.queue.cancel(ids[2]);
    await sleep(100);
    expect(running()).toEqual([ids[1]]);
    rig.queue.resume(ids[0]);
    rig.gate.setRate(null);
    await rig.scheduler.whenIdle();
    expect(ids.map((id) => rig.queue.get(id)?.state)).toEqual(['done', 'done', 'cancelled']);
    // The paused job resumed where it stopped: nothing was sent twice.
    const uploads = await peer.uploads();
    const complete = uploads.filter((upload) => upload.offset === upload.size);
    expect(complete.length).toBe(2);
    expect(peer.received()).toBe(uploads.reduce((sum, upload) => sum + upload.offset, 0));
  });

  it('reports live figures: bytes, EWMA rate and ETA per job and in total', async () => {
    setup(1024 * KIB, 2, 2, 1024 * KIB);
    rig.scheduler.start();
    await sleep(700);
    const figures = rig.scheduler.figures();
    expect(figures.jobs.length).toBe(2);
    expect(figures.totals.bytes).toBeGreaterThan(0);
    expect(figures.totals.rate).toBeGreaterThan(200 * KIB);
    expect(figures.totals.rate).toBeLessThan(2 * 1024 * KIB);
    expect(figures.totals.etaMs).toBeGreaterThan(0);
    expect(Number.isFinite(figures.totals.etaMs)).toBe(true);
  });
});
