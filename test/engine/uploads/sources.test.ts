import { existsSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveDestination } from '../../../src/engine/uploads/archive-destination.ts';
import type { Destination } from '../../../src/engine/uploads/destination.ts';
import { type DockedCamera, DockSource } from '../../../src/engine/uploads/sources/dock.ts';
import {
  type SyncFolderConfig,
  SyncFolderSource,
} from '../../../src/engine/uploads/sources/sync-folder.ts';
import { TusDestination } from '../../../src/engine/uploads/tus-destination.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';
import { sha256Of, startTusPeer } from './tus-peer.ts';

let dir: string;
let rig: Rig;
let destinations: Destination[];
const closers: Array<() => Promise<void>> = [];

/** The docks the runner asks whether a job's camera is gone, as the upload engine's runner does. */
const docks: DockSource[] = [];

/** As the upload engine answers it: by the destination the job was queued with. */
const verifiesHash = (id: string): boolean =>
  destinations.some((destination) => destination.id === id && destination.verifiesHash);

beforeEach(() => {
  dir = tempDir('sources');
  destinations = [new ArchiveDestination({ id: 'archive', path: path.join(dir, 'archive') })];
  rig = makeRig({
    destinations,
    unavailable: (job) => docks.map((dock) => dock.unplugged(job)).find(Boolean),
  });
});

afterEach(async () => {
  docks.length = 0;
  for (const close of closers.splice(0)) await close();
  await rig.close();
  removeDir(dir);
});

/** A stock tus server as the destination "nas", for tests whose uploads must really land. */
async function nasDestination() {
  const peer = await startTusPeer(path.join(dir, 'peer'));
  closers.push(() => peer.close());
  const nas = new TusDestination({ id: 'nas', endpoint: peer.url });
  destinations.push(nas);
  rig.scheduler.setDestination(nas);
  return peer;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

describe('sync folders', () => {
  it('queues included files once written, skips excluded ones, deletes after upload', async () => {
    const watched = path.join(dir, 'watched');
    mkdirSync(path.join(watched, 'sub'), { recursive: true });
    randomFile(watched, 'before.mp4', 1000);
    await startSyncFolder(watched, {
      include: ['**/*.mp4'],
      exclude: ['**/skip-*'],
      afterUpload: { policy: 'delete' },
      case: { id: 'C-9' },
    });
    randomFile(path.join(watched, 'sub'), 'later.mp4', 2000);
    randomFile(watched, 'skip-me.mp4', 10);
    randomFile(watched, 'notes.txt', 10);
    await until(() => rig.queue.list().length === 2);
    await sleep(400);
    expect(
      rig.queue
        .list()
        .map((job) => path.basename(job.path))
        .sort(),
    ).toEqual(['before.mp4', 'later.mp4']);
    expect(rig.queue.list()[0]?.caseChoice).toEqual({ id: 'C-9' });
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    await until(() => rig.events.list({ kinds: ['upload.source_deleted'] }).length === 2);
    expect(existsSync(path.join(watched, 'before.mp4'))).toBe(false);
    expect(existsSync(path.join(watched, 'sub', 'later.mp4'))).toBe(false);
    expect(existsSync(path.join(dir, 'archive', 'later.mp4'))).toBe(true);
  });

  it('queues a growing file only once it stops growing', async () => {
    const watched = path.join(dir, 'watched');
    mkdirSync(watched);
    await startSyncFolder(watched, {}, 300);
    const file = path.join(watched, 'growing.mp4');
    for (let i = 0; i < 5; i++) {
      writeFileSync(file, Buffer.alloc((i + 1) * 1000), { flag: 'w' });
      await sleep(100);
    }
    expect(rig.queue.list()).toEqual([]);
    await until(() => rig.queue.list().length === 1);
    expect(rig.queue.list()[0]?.size).toBe(5000);
  });
});

describe('docks', () => {
  it('shows a plugged camera within a second, queues its files, pauses them when unplugged', async () => {
    const root = path.join(dir, 'dock');
    mkdirSync(root);
    const seen: DockedCamera[][] = [];
    const dock = new DockSource({
      dock: {
        id: 'bay-1',
        name: 'Bay 1',
        root,
        destination: 'archive',
        afterUpload: { policy: 'move', doneFolder: path.join(dir, 'done') },
        enabled: true,
      },
      queue: rig.queue,
      events: rig.events,
      verifiesHash,
      stableMs: 200,
      onChange: (cameras) => seen.push(cameras),
    });
    closers.push(() => dock.close());
    await dock.start();

    // Plugged: the camera's folder appears with its files already on it.
    const staging = path.join(dir, 'staging', 'bwc-07');
    mkdirSync(path.join(staging, 'DCIM'), { recursive: true });
    randomFile(path.join(staging, 'DCIM'), 'a.mp4', 300_000);
    const plugged = Date.now();
    renameSync(staging, path.join(root, 'bwc-07'));
    await until(() => dock.cameras().length === 1, 1000);
    expect(Date.now() - plugged).toBeLessThan(1000);
    expect(dock.cameras()[0]?.camera).toBe('bwc-07');
    await until(() => rig.queue.list().length === 1);
    const [job] = rig.queue.list();
    expect(job).toMatchObject({ sourceKind: 'dock', sourceId: 'bay-1/bwc-07' });
    expect(job?.metadata).toEqual({ dock: 'Bay 1', camera: 'bwc-07' });

    // Unplugged before its upload starts: the job pauses with the reason.
    renameSync(path.join(root, 'bwc-07'), staging);
    await until(() => dock.cameras().length === 0, 1000);
    expect(rig.queue.get(job?.id as string)).toMatchObject({
      state: 'paused',
      pauseReason: 'camera bwc-07 was unplugged',
    });

    // Back: it resumes, uploads, and the source moves to the done folder.
    renameSync(staging, path.join(root, 'bwc-07'));
    await until(() => rig.queue.get(job?.id as string)?.state === 'queued', 1000);
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    expect(rig.queue.get(job?.id as string)?.state).toBe('done');
    await until(() => rig.events.list({ kinds: ['upload.source_moved'] }).length === 1);
    expect(existsSync(path.join(dir, 'done', 'bwc-07', 'DCIM', 'a.mp4'))).toBe(true);
    expect(seen.map((cameras) => cameras.length)).toEqual([1, 0, 1]);
  });

  it('pauses a camera unplugged mid-upload, never fails it; plugged back, it resumes', async () => {
    const peer = await nasDestination();
    const root = path.join(dir, 'dock');
    const camera = path.join(root, 'bwc-07');
    mkdirSync(camera, { recursive: true });
    await startDock(root, 'nas');
    const size = 2 * 1024 * 1024;
    const sha256 = await sha256Of(randomFile(camera, 'a.mp4', size));
    await until(() => rig.queue.list().length === 1);
    const id = rig.queue.list()[0]?.id as string;
    // Slow enough that the unplug lands mid-file.
    rig.gate.setRate(256 * 1024);
    rig.scheduler.start();
    await until(() => (rig.queue.get(id)?.offset ?? 0) > 0);
    const started = rig.queue.get(id);
    expect(started?.offset).toBeLessThan(size);

    // Moved away, as an unplug takes it: whoever notices first, the runner or the watcher.
    const away = path.join(dir, 'away');
    renameSync(camera, away);
    await until(() => rig.queue.get(id)?.state === 'paused');
    expect(rig.queue.get(id)?.pauseReason).toBe('camera bwc-07 was unplugged');
    expect(rig.events.list({ kinds: ['upload.failed'] })).toEqual([]);
    const sentBeforeReplug = peer.received();

    renameSync(away, camera);
    rig.gate.setRate(null);
    await until(() => rig.queue.get(id)?.state === 'done');
    expect(rig.events.list({ kinds: ['upload.failed'] })).toEqual([]);
    // The same upload went on from the server's offset, so less than the file went after.
    expect(rig.queue.get(id)?.uploadUrl).toBe(started?.uploadUrl);
    expect(peer.received() - sentBeforeReplug).toBeLessThan(size);
    expect((await peer.uploads()).map((upload) => upload.sha256)).toEqual([sha256]);
  });

  it('pauses a job whose camera went before the watcher told; fails one whose file alone went', async () => {
    const root = path.join(dir, 'dock');
    for (const camera of ['bwc-01', 'bwc-02']) {
      mkdirSync(path.join(root, camera), { recursive: true });
      randomFile(path.join(root, camera), 'a.mp4', 1000);
    }
    const dock = await startDock(root, 'archive');
    await until(() => rig.queue.list().length === 2);
    const [unplugged, deleted] = ['bay-1/bwc-01', 'bay-1/bwc-02'].map(
      (sourceId) => rig.queue.list().find((job) => job.sourceId === sourceId)?.id as string,
    );
    // With its watcher closed the dock never tells: only the runner's question finds the unplug.
    await dock.close();
    renameSync(path.join(root, 'bwc-01'), path.join(dir, 'away'));
    unlinkSync(path.join(root, 'bwc-02', 'a.mp4'));
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    expect(rig.queue.get(unplugged as string)).toMatchObject({
      state: 'paused',
      pauseReason: 'camera bwc-01 was unplugged',
    });
    expect(rig.queue.get(deleted as string)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/bwc-02\/a\.mp4 is gone \(ENOENT\)/),
    });
  });
});

/** Sync folder "desk" at `watched`, watched: to the archive, every file, kept, unless `folder` says else. */
async function startSyncFolder(
  watched: string,
  folder: Partial<SyncFolderConfig>,
  stableMs = 200,
): Promise<void> {
  const source = new SyncFolderSource({
    folder: {
      id: 'desk',
      name: 'Desk',
      path: watched,
      enabled: true,
      destination: 'archive',
      include: ['**/*'],
      exclude: [],
      afterUpload: { policy: 'keep' },
      ...folder,
    },
    queue: rig.queue,
    events: rig.events,
    verifiesHash,
    stableMs,
  });
  closers.push(() => source.close());
  await source.start();
}

/** Dock bay-1 at `root`, watched, and asked by the runner about its cameras. */
async function startDock(root: string, destination: string): Promise<DockSource> {
  const dock = new DockSource({
    dock: {
      id: 'bay-1',
      name: 'Bay 1',
      root,
      destination,
      afterUpload: { policy: 'keep' },
      enabled: true,
    },
    queue: rig.queue,
    events: rig.events,
    verifiesHash,
    stableMs: 200,
  });
  closers.push(() => dock.close());
  docks.push(dock);
  await dock.start();
  return dock;
}

describe('after upload', () => {
  it('keeps a source whose destination confirmed its size but not its hash, and says why', async () => {
    await nasDestination();
    const watched = path.join(dir, 'watched');
    mkdirSync(watched);
    const file = randomFile(watched, 'clip.mp4', 1000);
    await startSyncFolder(watched, { destination: 'nas', afterUpload: { policy: 'delete' } });
    await until(() => rig.queue.list().length === 1);
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    expect(rig.queue.list()[0]?.state).toBe('done');
    await until(() => rig.events.list({ kinds: ['upload.source_kept'] }).length === 1);
    const [kept] = rig.events.list({ kinds: ['upload.source_kept'] });
    expect(kept?.message).toContain(
      'clip.mp4 kept, not deleted: destination nas confirmed its size but not its SHA-256',
    );
    expect(rig.events.list({ kinds: ['upload.source_deleted'] })).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});
