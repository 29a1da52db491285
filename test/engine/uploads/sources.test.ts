import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveDestination } from '../../../src/engine/uploads/archive-destination.ts';
import { type DockedCamera, DockSource } from '../../../src/engine/uploads/sources/dock.ts';
import { SyncFolderSource } from '../../../src/engine/uploads/sources/sync-folder.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from './rig.ts';

let dir: string;
let rig: Rig;
const closers: Array<() => Promise<void>> = [];

beforeEach(() => {
  dir = tempDir('sources');
  rig = makeRig({
    destinations: [new ArchiveDestination({ id: 'archive', path: path.join(dir, 'archive') })],
  });
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await rig.close();
  removeDir(dir);
});

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
    const source = new SyncFolderSource({
      folder: {
        id: 'desk',
        name: 'Desk',
        path: watched,
        enabled: true,
        destination: 'archive',
        include: ['**/*.mp4'],
        exclude: ['**/skip-*'],
        afterUpload: { policy: 'delete' },
        case: { id: 'C-9' },
      },
      queue: rig.queue,
      events: rig.events,
      stableMs: 200,
    });
    closers.push(() => source.close());
    await source.start();
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
      },
      queue: rig.queue,
      events: rig.events,
      stableMs: 300,
    });
    closers.push(() => source.close());
    await source.start();
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
});
