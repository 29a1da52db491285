import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serviceDestination, TusDestination } from '../../../src/engine/uploads/tus-destination.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';
import { sha256Of, startTusPeer, type TusPeer } from './tus-peer.ts';

let dir: string;
let peer: TusPeer;
let rig: Rig | undefined;

beforeEach(async () => {
  dir = tempDir('tus');
  peer = await startTusPeer(tempDir('tus-server'));
});

afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await peer.close();
  removeDir(dir);
  removeDir(peer.directory);
});

describe('tus uploads to a stock @tus/server', () => {
  it('sends the exact bytes, with the hash and case in the metadata', async () => {
    const file = randomFile(dir, 'clip.mp4', 3 * 1024 * 1024 + 17);
    rig = makeRig({ destinations: [new TusDestination({ id: 'peer', endpoint: peer.url })] });
    const { job } = rig.queue.enqueue({
      sourceKind: 'picked',
      path: file,
      destinationId: 'peer',
      caseChoice: { id: 'C-7' },
      metadata: { camera: 'bwc-04' },
    });
    rig.scheduler.start();
    await rig.scheduler.whenIdle();

    const done = rig.queue.get(job.id);
    expect(done?.state).toBe('done');
    const expected = await sha256Of(file);
    expect(done?.sha256).toBe(expected);
    const [stored, ...others] = await peer.uploads();
    expect(others).toEqual([]);
    expect(stored?.sha256).toBe(expected);
    expect(stored?.offset).toBe(stored?.size);
    expect(stored?.metadata).toMatchObject({
      filename: 'clip.mp4',
      sha256: expected,
      caseId: 'C-7',
      camera: 'bwc-04',
    });
    expect(peer.received()).toBe(done?.size);
    const kinds = rig.events.list({ subject: job.id }).map((event) => event.kind);
    expect(kinds).toEqual([
      'upload.queued',
      'upload.hashing',
      'upload.uploading',
      'upload.verifying',
      'upload.done',
    ]);
  });

  it('sends to the service as tus at /v1/uploads with a Bearer token', async () => {
    const authorizations = new Set<string | undefined>();
    const service = await startTusPeer(tempDir('tus-service'), {
      path: '/v1/uploads',
      onRequest: (headers) => authorizations.add(headers.authorization),
    });
    try {
      const file = randomFile(dir, 'snap.jpg', 5000);
      rig = makeRig({
        destinations: [serviceDestination(`http://127.0.0.1:${service.port}`, () => 'tok-1')],
      });
      const { job } = rig.queue.enqueue({
        sourceKind: 'snapshot',
        path: file,
        destinationId: 'service',
        caseChoice: { newCase: 'Lobby incident' },
      });
      rig.scheduler.start();
      await rig.scheduler.whenIdle();
      expect(rig.queue.get(job.id)?.state).toBe('done');
      expect([...authorizations]).toEqual(['Bearer tok-1']);
      const [stored] = await service.uploads();
      expect(stored?.metadata).toMatchObject({
        newCase: 'Lobby incident',
        sha256: await sha256Of(file),
      });
    } finally {
      await service.close();
      removeDir(service.directory);
    }
  });

  it('uploads an empty file', async () => {
    const file = randomFile(dir, 'empty.mp4', 0);
    rig = makeRig({ destinations: [new TusDestination({ id: 'peer', endpoint: peer.url })] });
    const { job } = rig.queue.enqueue({ sourceKind: 'picked', path: file, destinationId: 'peer' });
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    expect(rig.queue.get(job.id)?.state).toBe('done');
    expect((await peer.uploads()).map((u) => u.size)).toEqual([0]);
  });
});
