import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustodyError, ExitCode } from '../../../src/core/errors.ts';
import { isCompleteJpeg } from '../../../src/core/jpeg.ts';
import { EventLog } from '../../../src/engine/events/event-log.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import { ClipExporter } from '../../../src/engine/video/clip-export.ts';
import { Recorder } from '../../../src/engine/video/recorder.ts';
import type { Segment } from '../../../src/engine/video/segment-repo.ts';
import { SnapshotExporter } from '../../../src/engine/video/snapshot.ts';
import { Thumbnails } from '../../../src/engine/video/thumbnails.ts';
import { tempDir } from '../../helpers/cli.ts';
import { demoCamera, ffmpegPath, probe, sleep, waitFor } from '../../helpers/video.ts';

// One recording for all export tests: a first run, a pause of ~1.5 s (a gap in the archive),
// then a second run that keeps recording for the live snapshot and thumbnails.
describe('snapshots, clips and thumbnails', () => {
  const dir = tempDir();
  const cameras = [demoCamera('lobby'), demoCamera('spare', { enabled: false })];
  let store: Store;
  let recorder: Recorder;
  let firstRun: Segment[];
  let secondRun: Segment[];

  const newRecorder = () =>
    new Recorder({
      store,
      events: new EventLog(store),
      archiveDir: path.join(dir.path, 'archive'),
      ffmpegPath,
      cameras,
    });
  const all = () => recorder.segments.inRange('lobby', { fromMs: 0, toMs: Date.now() + 60_000 });

  beforeAll(async () => {
    store = openStore(dir.path);
    recorder = newRecorder();
    recorder.start();
    await waitFor(() => all().length >= 3, 'three segments');
    await recorder.stop();
    firstRun = all();
    await sleep(1500);
    recorder = newRecorder();
    recorder.start();
    await waitFor(() => all().length >= firstRun.length + 3, 'three more segments');
    secondRun = all().slice(firstRun.length);
  }, 30_000);

  afterAll(async () => {
    await recorder.stop();
    store.close();
    dir.remove();
  });

  const out = (name: string) => path.join(dir.path, name);

  describe('snapshot', () => {
    const snapshots = () => new SnapshotExporter({ ffmpegPath, recorder });

    it('takes the live frame as a whole JPEG of the camera size', async () => {
      const before = Date.now();
      const result = await snapshots().export({
        cameraId: 'lobby',
        outPath: out('now.jpg'),
        privileges: ['export'],
      });
      const bytes = readFileSync(result.path);
      expect(isCompleteJpeg(bytes)).toBe(true);
      expect(result).toMatchObject({
        cameraId: 'lobby',
        width: 320,
        height: 180,
        bytes: bytes.length,
      });
      expect(probe(result.path)).toMatchObject({ codec: 'mjpeg', width: 320, height: 180 });
      // "Now" is the newest footage on disk: within a couple of seconds of the request.
      expect(result.at).toBeGreaterThan(before - 2500);
      expect(result.at).toBeLessThanOrEqual(Date.now());
    });

    it('takes a frame at a given time from the archive', async () => {
      const segment = firstRun[1] as Segment;
      const at = new Date(segment.startMs + 450);
      const result = await snapshots().export({
        cameraId: 'lobby',
        at,
        outPath: out('past.jpg'),
        privileges: ['export', 'upload'],
      });
      expect(result.at).toBe(at.getTime());
      expect(isCompleteJpeg(readFileSync(result.path))).toBe(true);
    });

    it('is refused without the Export privilege', async () => {
      const refused = await snapshots()
        .export({ cameraId: 'lobby', outPath: out('no.jpg'), privileges: ['upload'] })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(CustodyError);
      expect((refused as CustodyError).exitCode).toBe(ExitCode.notPermitted);
    });

    it('is refused for a camera that is not recording', async () => {
      const refused = await snapshots()
        .export({ cameraId: 'spare', outPath: out('spare.jpg'), privileges: ['export'] })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(CustodyError);
      expect((refused as CustodyError).exitCode).toBe(ExitCode.failed);
      expect((refused as CustodyError).what).toMatch(/not recording.*disabled/);
    });
  });

  it('takes the newest frame of the live segment when "now" is not on disk yet', async () => {
    // A fresh camera with 60 s segments: nothing finished or indexed, only the live segment,
    // and a clock ahead of what ffmpeg has written (as on a busy machine).
    const fresh = tempDir();
    const freshStore = openStore(fresh.path);
    const live = new Recorder({
      store: freshStore,
      events: new EventLog(freshStore),
      archiveDir: path.join(fresh.path, 'archive'),
      ffmpegPath,
      cameras: [demoCamera('door', { segmentSeconds: 60 })],
    });
    try {
      live.start();
      const segment = await waitFor(() => {
        const current = live.liveSegment('door');
        const size = current ? (statSync(current.path, { throwIfNoEntry: false })?.size ?? 0) : 0;
        return size > 0 && current;
      }, 'the live segment on disk');
      await sleep(1000);
      expect(live.segments.latest('door')).toBeUndefined();
      const result = await new SnapshotExporter({
        ffmpegPath,
        recorder: live,
        now: () => Date.now() + 30_000,
      }).export({ cameraId: 'door', outPath: out('ahead.jpg'), privileges: ['export'] });
      expect(isCompleteJpeg(readFileSync(result.path))).toBe(true);
      expect(result.at).toBe(segment.startMs);
    } finally {
      await live.stop();
      freshStore.close();
      fresh.remove();
    }
  });

  describe('clip export', () => {
    const clips = () => new ClipExporter({ ffmpegPath, segments: recorder.segments });

    it('joins segments across a boundary from the keyframe before the start', async () => {
      const [, second, third] = firstRun as [Segment, Segment, Segment];
      const range = { fromMs: second.startMs + 300, toMs: third.startMs + 500 };
      const info = await clips().toFile('lobby', range, out('boundary.ts'));
      expect(info).toMatchObject({
        startMs: second.startMs,
        endMs: range.toMs,
        gaps: [],
        segments: 2,
      });
      const video = probe(out('boundary.ts'));
      expect(video.firstPacketKey).toBe(true);
      expect(video.codec).toBe('h264');
      // From the keyframe at the start of `second` to the requested end: ±1 GOP (1 s).
      expect(Math.abs(video.durationS - info.durationMs / 1000)).toBeLessThan(1);
      expect(video.durationS).toBeGreaterThan((range.toMs - range.fromMs) / 1000 - 1);
    });

    it('reports the gap between two recording runs and leaves it out', async () => {
      const last = firstRun.at(-1) as Segment;
      const next = secondRun[0] as Segment;
      const range = { fromMs: last.startMs, toMs: next.endMs };
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      });
      const info = await clips().toWritable('lobby', range, sink);
      expect(info.gaps).toEqual([{ fromMs: last.endMs, toMs: next.startMs }]);
      expect(next.startMs - last.endMs).toBeGreaterThan(1000);
      const bytes = Buffer.concat(chunks);
      // MPEG-TS: 188-byte packets, each starting with the sync byte.
      expect(bytes.length % 188).toBe(0);
      expect(bytes[0]).toBe(0x47);
      expect(info.durationMs).toBe(last.endMs - last.startMs + (next.endMs - next.startMs));
    });

    it('has nothing to export where the archive has no footage', () => {
      const before = (firstRun[0] as Segment).startMs - 60_000;
      expect(() => clips().plan('lobby', { fromMs: before, toMs: before + 5000 })).toThrow(
        /no footage/,
      );
    });
  });

  describe('thumbnails', () => {
    it('gives 48x27 rgb24 frames, at most one refresh a second', async () => {
      const thumbnails = new Thumbnails({ ffmpegPath, recorder });
      const first = await thumbnails.get('lobby');
      expect(first?.rgb.length).toBe(48 * 27 * 3);
      expect(first?.rgb.some((byte) => byte > 0)).toBe(true);
      expect(await thumbnails.get('lobby')).toBe(first);
      await sleep(1050);
      const next = await thumbnails.get('lobby');
      expect(next).not.toBe(first);
      expect(next?.rgb.length).toBe(48 * 27 * 3);
    });

    it('has none for a camera with no footage yet', async () => {
      expect(await new Thumbnails({ ffmpegPath, recorder }).get('spare')).toBeUndefined();
    });
  });
});
