import { mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TusDestination } from '../../../src/engine/uploads/tus-destination.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';
import { sha256Of, startTusPeer, type TusPeer } from './tus-peer.ts';

let dir: string;
let peer: TusPeer;
let rig: Rig;

beforeEach(async () => {
  dir = tempDir('sources');
  peer = await startTusPeer(tempDir('sources-server'));
});

afterEach(async () => {
  await rig.close();
  await peer.close();
  removeDir(dir);
  removeDir(peer.directory);
});

const enqueue = (file: string) =>
  rig.queue.enqueue({ sourceKind: 'picked', path: file, destinationId: 'peer' }).job;

describe('bad source files', () => {
  it('fails a vanished and an unreadable file with a clear reason; the others go on', async () => {
    rig = makeRig({ destinations: [new TusDestination({ id: 'peer', endpoint: peer.url })] });
    const good = [randomFile(dir, 'a.mp4', 100_000), randomFile(dir, 'b.mp4', 200_000)];
    const gone = randomFile(dir, 'gone.mp4', 1000);
    const unreadable = randomFile(dir, 'unreadable.mp4', 1000);
    const jobs = [good[0], gone, unreadable, good[1]].map((file) => enqueue(file as string));
    unlinkSync(gone);
    // Root reads any file whatever its mode; a directory in its place cannot be read by anyone.
    rmSync(unreadable);
    mkdirSync(unreadable);
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    const [a, g, u, b] = jobs.map((job) => rig.queue.get(job.id));
    expect([a?.state, b?.state]).toEqual(['done', 'done']);
    expect(g).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/gone\.mp4 is gone \(ENOENT\)/),
    });
    expect(u).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/unreadable\.mp4 cannot be read \(EISDIR\)/),
    });
    const failed = rig.events.list({ kinds: ['upload.failed'] });
    expect(failed.map((event) => event.level)).toEqual(['error', 'error']);
    expect((await peer.uploads()).map((upload) => upload.sha256).sort()).toEqual(
      (await Promise.all(good.map((file) => sha256Of(file)))).sort(),
    );
  });

  it('fails a file deleted during its upload', async () => {
    rig = makeRig({
      destinations: [new TusDestination({ id: 'peer', endpoint: peer.url })],
      rate: 1024 * 1024,
    });
    const file = randomFile(dir, 'a.mp4', 2 * 1024 * 1024);
    const job = enqueue(file);
    rig.scheduler.start();
    await sleep(300);
    unlinkSync(file);
    await rig.scheduler.whenIdle();
    expect(rig.queue.get(job.id)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/a\.mp4 is gone/),
    });
  });
});
