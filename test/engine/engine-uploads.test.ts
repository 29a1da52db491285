import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.ts';
import { TusClient } from '../../src/engine/uploads/tus-client.ts';
import { openTestEngine } from '../helpers/engine.ts';
import { refusal } from '../helpers/refusal.ts';
import { until } from '../helpers/until.ts';
import { startTusPeer } from './uploads/tus-peer.ts';

type TestEngine = Awaited<ReturnType<typeof openTestEngine>>;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function ready(engine: Engine): Promise<void> {
  await until('the service link', () => engine.state().connection.state === 'ready');
}

// No cameras: these tests are about uploads, and four demo recorders would only slow them.
const quiet = { cameras: [], uploads: { schedule: [], bandwidth: 'unlimited' } };

describe('the engine runs uploads', () => {
  let test: TestEngine | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it('files a docked camera file into the unfiled case and shows the camera in devices', async () => {
    test = await openTestEngine(quiet);
    const { engine } = test;
    await ready(engine);
    const cameraDir = path.join(test.dir, 'demo/dock/cam-07');
    mkdirSync(cameraDir, { recursive: true });
    const file = path.join(cameraDir, 'clip-0001.mp4');
    writeFileSync(file, Buffer.alloc(300_000, 7));
    await until('the docked camera', () =>
      engine.state().devices.find((device) => device.camera === 'cam-07'),
    );
    const row = await until('the upload done', () =>
      engine.state().uploads.jobs.find((job) => job.path === file && job.state === 'done'),
    );
    expect(row.source).toBe('bodycams/cam-07');
    const filed = engine.events.list({ kinds: ['upload.filed'], subject: row.id });
    expect(filed).toHaveLength(1);
    const caseId = String(filed[0]?.data.caseId);
    const evidence = await engine.rest?.listEvidence(caseId);
    expect(evidence?.items.map((e) => e.sha256)).toEqual([sha256(file)]);
    const opened = await engine.rest?.getCase(caseId);
    expect(opened?.name).toBe('Unfiled — Demo workstation');
    // The dock's default policy keeps the source.
    expect(existsSync(file)).toBe(true);
  });

  it('uploads picked files and folders into a new case, then moves sync folder files only once filed', async () => {
    test = await openTestEngine(quiet);
    const { engine } = test;
    await ready(engine);
    const picked = path.join(test.dir, 'picked');
    mkdirSync(path.join(picked, 'inner'), { recursive: true });
    writeFileSync(path.join(picked, 'a.txt'), 'first file');
    writeFileSync(path.join(picked, 'inner/b.txt'), 'second file');
    const added = await engine.run('uploads.add', {
      paths: [picked, path.join(test.dir, 'missing.bin')],
      caseChoice: { newCase: 'Interview 12' },
    });
    expect(added.map((a) => [path.basename(a.path), a.ok])).toEqual([
      ['a.txt', true],
      ['b.txt', true],
      ['missing.bin', false],
    ]);
    const created = engine.events.list({ kinds: ['case.created'] });
    expect(created).toHaveLength(1);
    const caseId = String(created[0]?.data.caseId);
    await until('both picked files filed', () => {
      const done = engine
        .state()
        .uploads.jobs.filter((j) => j.case === caseId && j.state === 'done');
      return done.length === 2;
    });
    const evidence = await engine.rest?.listEvidence(caseId);
    expect(evidence?.items.map((e) => e.filename).sort()).toEqual(['a.txt', 'b.txt']);

    // The demo sync folder moves each file to its done folder after the service filed it.
    const syncFile = path.join(test.dir, 'demo/sync/room-3.mp4');
    writeFileSync(syncFile, Buffer.alloc(50_000, 3));
    const moved = path.join(test.dir, 'demo/sync-done/room-3.mp4');
    await until('the sync file moved', () => existsSync(moved), 30_000);
    expect(existsSync(syncFile)).toBe(false);
    const [move] = engine.events.list({ kinds: ['upload.source_moved'] });
    const [filed] = engine.events.list({ kinds: ['upload.filed'], subject: move?.subject ?? '' });
    expect(filed?.seq).toBeLessThan(move?.seq ?? 0);
  });

  it('changes the cap, the schedule and the concurrency live, keeps them, and refuses bad ones', async () => {
    test = await openTestEngine(quiet);
    const { engine } = test;
    await ready(engine);
    await engine.run('bandwidth.set', { bytesPerSecond: 0 });
    expect(engine.state().uploads).toMatchObject({ cap: 0, capSource: 'override' });
    expect(engine.state().connection.state).toBe('paused-by-schedule');
    await engine.run('bandwidth.set', { bytesPerSecond: 'schedule' });
    expect(engine.state().uploads).toMatchObject({ cap: null, capSource: 'schedule' });

    const bad = await refusal(
      engine.run('schedule.set', { entries: ['Mon-Fri 08:00-18:00 2M', 'Sun 25:00-26:00 1M'] }),
    );
    expect(bad.exitCode).toBe(2);
    expect(bad.what).toMatch(/entry 2 "Sun 25:00-26:00 1M"/);
    expect(engine.state().uploads.schedule).toEqual([]);

    await engine.run('schedule.set', { entries: ['* 00:00-23:59 off'] });
    expect(engine.state().uploads.cap).toBe(0);
    await engine.run('concurrency.set', { concurrency: 9 });
    const badConcurrency = await refusal(engine.run('concurrency.set', { concurrency: 27 }));
    expect(badConcurrency.exitCode).toBe(2);
    expect(badConcurrency.what).toMatch(/concurrency/);

    // A file queued while the schedule says off waits, and goes once the schedule allows it.
    const file = path.join(test.dir, 'waiting.bin');
    writeFileSync(file, 'waits for the window');
    await engine.run('uploads.add', { paths: [file] });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(engine.state().uploads.jobs.find((j) => j.path === file)?.state).toBe('queued');
    await engine.run('schedule.set', { entries: [] });
    await until('the waiting file done', () =>
      engine.state().uploads.jobs.find((j) => j.path === file && j.state === 'done'),
    );
    expect(engine.state().uploads.concurrency).toBe(9);
  });

  it('tells the console when the last upload stops, so its rate and ETA leave the screen', async () => {
    test = await openTestEngine(quiet);
    const { engine } = test;
    await ready(engine);
    await engine.run('bandwidth.set', { bytesPerSecond: 1024 * 1024 });
    // What a console sees: the state as it stands at each notification.
    const seen: ReturnType<Engine['state']>['uploads'][] = [];
    const unsubscribe = engine.subscribe(() => seen.push(engine.state().uploads));
    const file = path.join(test.dir, 'capped.bin');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 1));
    await engine.run('uploads.add', { paths: [file] });
    await until('a live rate', () => seen.some((s) => s.rate > 0));
    await until('the upload done', () =>
      seen.some((s) => s.jobs.some((j) => j.path === file && j.state === 'done')),
    );
    const last = await until('a notification with nothing flowing', () => {
      const latest = seen.at(-1);
      return latest?.rate === 0 ? latest : undefined;
    });
    unsubscribe();
    expect(last.etaMs).toBeNull();
    expect(last.jobs.find((j) => j.path === file)).toMatchObject({
      state: 'done',
      bytes: 3 * 1024 * 1024,
      rate: 0,
      etaMs: null,
    });
  });

  it('drops the partial upload at the destination when a job is cancelled', async () => {
    test = await openTestEngine(quiet);
    const { engine } = test;
    const peer = await startTusPeer(path.join(test.dir, 'peer'));
    try {
      await engine.run('bandwidth.set', { bytesPerSecond: 64 * 1024 });
      const file = path.join(test.dir, 'big.bin');
      writeFileSync(file, Buffer.alloc(4 * 1024 * 1024, 1));
      const [added] = await engine.run('uploads.add', { paths: [file], destination: peer.url });
      const jobId = added?.ok ? added.jobId : '';
      const uploadUrl = await until('bytes on their way', () => {
        const job = engine.uploads.queue.get(jobId);
        return job?.state === 'uploading' ? (job.uploadUrl ?? undefined) : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await new TusClient().offset(uploadUrl)).toBeGreaterThanOrEqual(0);
      expect(await engine.run('uploads.cancel', { id: jobId })).toEqual({ changed: 1 });
      const deadline = Date.now() + 10_000;
      let status: number | undefined;
      while (Date.now() < deadline) {
        status = await new TusClient().offset(uploadUrl).then(
          () => 200,
          (err: unknown) => (err as { status?: number }).status,
        );
        if (status === 404 || status === 410) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect([404, 410]).toContain(status);
      expect(engine.events.list({ kinds: ['upload.discard_failed'] })).toEqual([]);
    } finally {
      await peer.close();
    }
  });

  it('lists a folder for the file picker, folders first, and names a bad one', async () => {
    test = await openTestEngine(quiet);
    const folder = path.join(test.dir, 'pick');
    mkdirSync(path.join(folder, 'zz-folder'), { recursive: true });
    writeFileSync(path.join(folder, 'a.mp4'), 'abc');
    writeFileSync(path.join(folder, '.DS_Store'), '');
    const listing = await test.engine.run('files.list', { dir: folder });
    expect(listing.parent).toBe(test.dir);
    expect(listing.entries.map((e) => [e.name, e.kind, e.size])).toEqual([
      ['zz-folder', 'dir', 0],
      ['a.mp4', 'file', 3],
    ]);
    const bad = await refusal(test.engine.run('files.list', { dir: path.join(folder, 'a.mp4') }));
    expect(bad.exitCode).toBe(2);
    expect(bad.message).toMatch(/cannot list .*a\.mp4 \(ENOTDIR\) — pick a folder, not a file/);
  });

  it('keeps operator settings across a restart', async () => {
    test = await openTestEngine(quiet);
    await test.engine.run('schedule.set', { entries: ['Sat-Sun off'] });
    await test.engine.run('bandwidth.set', { bytesPerSecond: 2 * 1024 * 1024 });
    await test.engine.run('concurrency.set', { concurrency: 12 });
    const reopened = await test.reopen();
    expect(reopened.state().uploads).toMatchObject({
      schedule: ['Sat-Sun off'],
      cap: 2 * 1024 * 1024,
      capSource: 'override',
      concurrency: 12,
    });
  });

  it('refuses upload commands to a viewer with exit code 3, naming the privilege', async () => {
    test = await openTestEngine({ ...quiet, operator: 'guest' });
    const file = path.join(test.dir, 'x.bin');
    writeFileSync(file, 'x');
    const refused = await refusal(test.engine.run('uploads.add', { paths: [file] }));
    expect(refused.exitCode).toBe(3);
    expect(refused.what).toMatch(/Upload privilege.*"guest"/);
    expect(
      (await refusal(test.engine.run('bandwidth.set', { bytesPerSecond: null }))).exitCode,
    ).toBe(3);
  });
});
