import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveDestination } from '../../../src/engine/uploads/archive-destination.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';
import { sha256Of } from './tus-peer.ts';

let dir: string;
let archive: string;
let rig: Rig;

beforeEach(() => {
  dir = tempDir('archive-src');
  archive = path.join(tempDir('archive'), 'share');
  rig = makeRig({
    destinations: [new ArchiveDestination({ id: 'archive', path: archive })],
    chunkSize: 256 * 1024,
  });
});

afterEach(async () => {
  await rig.close();
  removeDir(dir);
  removeDir(path.dirname(archive));
});

async function upload(file: string) {
  const { job } = rig.queue.enqueue({
    sourceKind: 'picked',
    path: file,
    destinationId: 'archive',
    caseChoice: { id: 'C-1' },
    metadata: { camera: 'bwc-09' },
  });
  rig.scheduler.start();
  await rig.scheduler.whenIdle();
  return rig.queue.get(job.id);
}

describe('archive folder destination', () => {
  it('places the file whole with a JSON sidecar, and leaves no temp files', async () => {
    const file = randomFile(dir, 'clip.mp4', 1024 * 1024 + 3);
    const job = await upload(file);
    expect(job?.state).toBe('done');
    expect(readdirSync(archive).sort()).toEqual(['clip.mp4', 'clip.mp4.json']);
    const expected = await sha256Of(file);
    expect(await sha256Of(path.join(archive, 'clip.mp4'))).toBe(expected);
    const sidecar = JSON.parse(readFileSync(path.join(archive, 'clip.mp4.json'), 'utf8'));
    expect(sidecar).toMatchObject({
      jobId: job?.id,
      file: 'clip.mp4',
      size: 1024 * 1024 + 3,
      sha256: expected,
      source: file,
      case: { id: 'C-1' },
      metadata: { camera: 'bwc-09' },
    });
    // Every byte went through the bandwidth gate.
    expect(rig.gate.granted).toBe(1024 * 1024 + 3);
  });

  it('resumes a partial temp file from its length', async () => {
    const file = randomFile(dir, 'clip.mp4', 1024 * 1024);
    const { job } = rig.queue.enqueue({
      sourceKind: 'picked',
      path: file,
      destinationId: 'archive',
    });
    mkdirSync(archive, { recursive: true });
    writeFileSync(
      path.join(archive, `.clip.mp4.${job.id}.part`),
      readFileSync(file).subarray(0, 700_000),
    );
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    expect(rig.queue.get(job.id)?.state).toBe('done');
    expect(rig.gate.granted).toBe(1024 * 1024 - 700_000);
    expect(await sha256Of(path.join(archive, 'clip.mp4'))).toBe(await sha256Of(file));
  });

  it('discards a corrupt temp file and sends the file again', async () => {
    const file = randomFile(dir, 'clip.mp4', 300_000);
    const { job } = rig.queue.enqueue({
      sourceKind: 'picked',
      path: file,
      destinationId: 'archive',
    });
    mkdirSync(archive, { recursive: true });
    writeFileSync(path.join(archive, `.clip.mp4.${job.id}.part`), Buffer.alloc(300_000));
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    const done = rig.queue.get(job.id);
    expect(done?.state).toBe('done');
    expect(done?.attempts).toBe(1);
    expect(await sha256Of(path.join(archive, 'clip.mp4'))).toBe(await sha256Of(file));
  });

  it('does not overwrite another file of the same name', async () => {
    const first = randomFile(dir, 'clip.mp4', 1000);
    await upload(first);
    const otherDir = tempDir('archive-src2');
    const second = randomFile(otherDir, 'clip.mp4', 2000);
    const job = await upload(second);
    expect(job?.state).toBe('done');
    const unique = `clip.${job?.id.slice(0, 8)}.mp4`;
    expect(readdirSync(archive).sort()).toEqual(
      ['clip.mp4', 'clip.mp4.json', unique, `${unique}.json`].sort(),
    );
    expect(await sha256Of(path.join(archive, 'clip.mp4'))).toBe(await sha256Of(first));
    removeDir(otherDir);
  });
});
