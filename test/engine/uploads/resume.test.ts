import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TusDestination } from '../../../src/engine/uploads/tus-destination.ts';
import { type Fault, FaultProxy } from './fault-proxy.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';
import { sha256Of, startTusPeer, type TusPeer } from './tus-peer.ts';

const KIB = 1024;
const CHUNK = 256 * KIB;

let dir: string;
let peer: TusPeer;
let proxy: FaultProxy | undefined;
let rig: Rig | undefined;

beforeEach(async () => {
  dir = tempDir('resume');
  peer = await startTusPeer(tempDir('resume-server'));
});

afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await proxy?.stop();
  proxy = undefined;
  await peer.close();
  removeDir(dir);
  removeDir(peer.directory);
});

async function uploadThrough(plan: (connection: number) => Fault, size: number) {
  proxy = new FaultProxy(peer.port, plan);
  const port = await proxy.start();
  const file = randomFile(dir, 'clip.mp4', size);
  rig = makeRig({
    destinations: [new TusDestination({ id: 'peer', endpoint: `http://127.0.0.1:${port}/files` })],
    chunkSize: CHUNK,
    retry: { maxAttempts: 30, baseMs: 5, maxMs: 50 },
  });
  const { job } = rig.queue.enqueue({ sourceKind: 'picked', path: file, destinationId: 'peer' });
  rig.scheduler.start();
  await rig.scheduler.whenIdle();
  return { job: rig.queue.get(job.id), expected: await sha256Of(file) };
}

describe('resume after faults', () => {
  it('re-sends at most one chunk after the connection is cut mid-file', async () => {
    const size = 4 * 1024 * KIB;
    // The first connection dies halfway through the file, in the middle of a PATCH.
    const { job, expected } = await uploadThrough(
      (n) => (n === 0 ? { kind: 'drop', after: size / 2 + 1000 } : { kind: 'pass' }),
      size,
    );
    expect(job?.state).toBe('done');
    expect(job?.attempts).toBe(1);
    const uploads = await peer.uploads();
    expect(uploads.map((u) => u.sha256)).toEqual([expected]);
    expect(peer.received() - size).toBeLessThanOrEqual(CHUNK);
    expect(peer.received()).toBeGreaterThanOrEqual(size);
  });

  it('completes through drops, stalls, truncations and delays', async () => {
    const size = 3 * 1024 * KIB;
    const faults: Fault[] = [
      { kind: 'drop', after: 200 * KIB },
      { kind: 'pass' },
      { kind: 'truncate', after: 100 * KIB },
      { kind: 'delay', ms: 5 },
      { kind: 'stall', after: 50 * KIB, ms: 100 },
      { kind: 'drop', after: 10 },
    ];
    const { job, expected } = await uploadThrough((n) => faults[n % faults.length] as Fault, size);
    expect(job?.error).toBe(null);
    expect(job?.state).toBe('done');
    expect(proxy?.connections).toBeGreaterThan(3);
    expect((await peer.uploads()).map((u) => u.sha256)).toEqual([expected]);
  });

  it('fails with a clear final error once the retry budget is spent', async () => {
    const { job } = await uploadThrough(() => ({ kind: 'drop', after: 0 }), 64 * KIB);
    expect(job?.state).toBe('failed');
    expect(job?.error).toMatch(/POST .* failed: .*gave up after 30 tries/);
  });
});
