import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { EventLog } from '../../../src/engine/events/event-log.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import type { CameraConfig, CameraState } from '../../../src/engine/video/camera.ts';
import { diesWithParent, spawnFfmpeg } from '../../../src/engine/video/ffmpeg-process.ts';
import { Recorder, type RecorderOptions } from '../../../src/engine/video/recorder.ts';
import { repoRoot, tempDir } from '../../helpers/cli.ts';
import { demoCamera, ffmpegPath, probe, sleep, waitFor } from '../../helpers/video.ts';

describe('recorder', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let events: EventLog;
  let recorder: Recorder | undefined;
  const cleanups: (() => unknown)[] = [];

  beforeEach(() => {
    dir = tempDir();
    store = openStore(dir.path);
    events = new EventLog(store);
  });
  afterEach(async () => {
    await recorder?.stop();
    recorder = undefined;
    for (const cleanup of cleanups.splice(0)) await cleanup();
    store.close();
    dir.remove();
  });

  const create = (cameras: CameraConfig[], options: Partial<RecorderOptions> = {}) => {
    recorder = new Recorder({
      store,
      events,
      archiveDir: path.join(dir.path, 'archive'),
      ffmpegPath,
      cameras,
      ...options,
    });
    return recorder;
  };
  const start = (cameras: CameraConfig[], options: Partial<RecorderOptions> = {}) => {
    const r = create(cameras, options);
    r.start();
    return r;
  };

  const states = (r: Recorder, cameraId: string) => {
    const seen: CameraState[] = [];
    r.subscribe((status) => {
      if (status.cameraId === cameraId && seen.at(-1) !== status.state) seen.push(status.state);
    });
    return seen;
  };

  it('records rolling segments, indexes them and deletes what is past retention', async () => {
    const r = start([demoCamera('lobby', { retention: '2s' })]);
    await waitFor(() => r.status('lobby')?.state === 'recording', 'recording');
    await waitFor(
      () => events.list({ kinds: ['segment.retention_deleted'] }).length > 0,
      'a retention sweep',
    );

    const cutoff = Date.now() - 2000;
    const indexed = r.segments.inRange('lobby', { fromMs: 0, toMs: Date.now() + 60_000 });
    expect(indexed.length).toBeGreaterThanOrEqual(2);
    // Retention: nothing indexed ended long before the cut-off, and the first segment is gone.
    expect(indexed.every((s) => s.endMs >= cutoff - 1500)).toBe(true);
    const cameraDir = path.join(dir.path, 'archive', 'lobby');
    expect(readdirSync(cameraDir).some((name) => name.endsWith('-000000.ts'))).toBe(false);
    for (const [i, segment] of indexed.entries()) {
      expect(segment.endMs - segment.startMs).toBeGreaterThan(800);
      expect(segment.endMs - segment.startMs).toBeLessThan(1200);
      expect(statSync(segment.path).size).toBe(segment.bytes);
      // Consecutive segments of one run meet exactly.
      if (i > 0) expect(segment.startMs).toBe(indexed[i - 1]?.endMs);
    }
    const video = probe(indexed[0]?.path ?? '');
    expect(video).toMatchObject({ codec: 'h264', width: 320, height: 180, firstPacketKey: true });
    expect(video.durationS).toBeCloseTo(1, 0);

    const deleted = events.list({ kinds: ['segment.retention_deleted'] })[0];
    expect(deleted).toMatchObject({ level: 'debug', subject: 'lobby' });
    expect(events.list({ kinds: ['camera.recording'] })).toHaveLength(1);

    // Stopping finishes the segment being written and indexes it.
    await r.stop();
    const files = readdirSync(cameraDir).map((name) => path.join(cameraDir, name));
    const paths = r.segments.paths('lobby');
    expect(files.filter((file) => !paths.has(file))).toEqual([]);
    expect(r.status('lobby')).toMatchObject({ state: 'offline', reason: 'stopped' });
  });

  it('restarts a camera whose ffmpeg dies, with backoff', async () => {
    const r = create([demoCamera('dock')], { restartBackoff: { baseMs: 400, maxMs: 400 } });
    const seen = states(r, 'dock');
    const reasons: string[] = [];
    r.subscribe((status) => {
      if (status.cameraId === 'dock' && status.state === 'offline')
        reasons.push(status.reason ?? '');
    });
    r.start();
    await waitFor(() => r.status('dock')?.state === 'recording', 'recording');
    const pid = r.pid('dock') as number;
    process.kill(pid, 'SIGKILL');

    // Every change is read, not sampled: the backoff has full jitter, so the camera may be
    // offline for far less than a poll interval on a busy machine.
    await waitFor(() => seen.includes('offline'), 'offline');
    expect(reasons[0]).toMatch(/SIGKILL/);
    await waitFor(() => seen.at(-1) === 'recording' && seen.length > 2, 'recording again');
    expect(r.pid('dock')).not.toBe(pid);
    expect(r.status('dock')?.restarts).toBe(1);
    expect(seen).toEqual([
      'online-not-recording',
      'recording',
      'offline',
      'online-not-recording',
      'recording',
    ]);
    expect(events.list({ kinds: ['camera.offline'] })[0]).toMatchObject({
      level: 'warn',
      subject: 'dock',
    });
    expect(events.list({ kinds: ['camera.recording'] })).toHaveLength(2);
  });

  it('records a network stream with -c copy, offline while it is gone, again when it returns', async () => {
    const source = liveStreamServer();
    cleanups.push(() => source.close());
    const port = await source.listen(0);
    const camera = demoCamera('gate', {
      source: { kind: 'url', url: `http://127.0.0.1:${port}/live.ts` },
    });
    const r = start([camera], { restartBackoff: { baseMs: 300, maxMs: 600 } });
    const seen = states(r, 'gate');
    await waitFor(() => r.status('gate')?.state === 'recording', 'recording', 15_000);
    await waitFor(() => r.segments.latest('gate'), 'a segment');
    expect(probe(r.segments.latest('gate')?.path ?? '')).toMatchObject({
      codec: 'h264',
      width: 160,
    });

    await source.close();
    // The state is read from every change, not sampled: restarts against a closed port flip
    // between offline and starting faster than a poll may see.
    const before = seen.length;
    await waitFor(() => seen.slice(before).includes('offline'), 'offline', 20_000);
    await sleep(800);
    expect(seen.slice(before)).not.toContain('recording');
    expect(r.status('gate')?.reason).not.toBe('');

    await source.listen(port);
    await waitFor(() => r.status('gate')?.state === 'recording', 'recording again', 15_000);
    expect(r.status('gate')?.restarts).toBeGreaterThanOrEqual(1);
  });

  it('records the four demo cameras of config.example.json', async () => {
    const { config } = loadConfig(path.join(repoRoot, 'config.example.json'));
    expect(config.cameras).toHaveLength(4);
    const r = start(config.cameras);
    for (const camera of config.cameras) {
      await waitFor(() => r.status(camera.id)?.state === 'recording', `${camera.id} recording`);
    }
    await r.stop();
    for (const camera of config.cameras) {
      const latest = r.segments.latest(camera.id);
      expect(latest, camera.id).toBeDefined();
      expect(probe(latest?.path ?? '')).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    }
  });

  it.runIf(diesWithParent)('leaves no ffmpeg behind when the engine is killed', async () => {
    const child = spawn(
      process.execPath,
      [
        '--experimental-transform-types',
        '--no-warnings',
        path.join(import.meta.dirname, 'recorder-child.ts'),
        dir.path,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    const [line] = (await once(
      createInterface({ input: child.stdout as NodeJS.ReadableStream }),
      'line',
    )) as [string];
    const { ffmpegPid } = JSON.parse(line) as { ffmpegPid: number };
    expect(alive(ffmpegPid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !alive(ffmpegPid), 'ffmpeg to exit', 5000);
  });
});

/** True while the process runs (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

/** An HTTP camera: each request gets an endless live MPEG-TS stream from its own ffmpeg. */
function liveStreamServer() {
  const encoders = new Set<ChildProcess>();
  let server: Server | undefined;
  const sockets = new Set<import('node:net').Socket>();
  return {
    async listen(port: number): Promise<number> {
      server = createServer((_req, res) => {
        const encoder = spawnFfmpeg(
          ffmpegPath,
          [
            '-hide_banner',
            '-loglevel',
            'error',
            '-re',
            '-f',
            'lavfi',
            '-i',
            'testsrc2=size=160x90:rate=10',
            '-c:v',
            'libx264',
            '-preset',
            'ultrafast',
            '-tune',
            'zerolatency',
            '-g',
            '10',
            '-pix_fmt',
            'yuv420p',
            '-f',
            'mpegts',
            'pipe:1',
          ],
          ['ignore', 'pipe', 'ignore'],
        );
        encoders.add(encoder);
        encoder.on('close', () => encoders.delete(encoder));
        res.writeHead(200, { 'content-type': 'video/mp2t' });
        encoder.stdout?.pipe(res);
        res.on('close', () => encoder.kill('SIGKILL'));
      });
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      return (server.address() as AddressInfo).port;
    },
    async close(): Promise<void> {
      const s = server;
      server = undefined;
      if (s === undefined) return;
      for (const socket of sockets) socket.destroy();
      for (const encoder of encoders) encoder.kill('SIGKILL');
      await new Promise((resolve) => s.close(resolve));
    },
  };
}
