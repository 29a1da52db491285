import { readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { retentionCutoff } from '../../core/footage.ts';
import { parseDuration } from '../../core/format.ts';
import type { EventLog } from '../events/event-log.ts';
import type { Store } from '../store/database.ts';
import type { CameraConfig, CameraStatus } from './camera.ts';
import { CameraRecorder } from './camera-recorder.ts';
import { findDrawtextFont } from './drawtext-font.ts';
import { rtspTimeoutOption } from './ffmpeg-binary.ts';
import { type Segment, SegmentRepo } from './segment-repo.ts';

export type RecorderOptions = {
  store: Store;
  events: EventLog;
  /** Segments go to `<archiveDir>/<cameraId>/`. */
  archiveDir: string;
  ffmpegPath: string;
  /** probeFfmpeg's version; without it, ffmpeg is asked how it spells options. */
  ffmpegVersion?: string;
  cameras: readonly CameraConfig[];
  now?: () => number;
  restartBackoff?: { baseMs: number; maxMs: number };
  stallMs?: number;
  stopTimeoutMs?: number;
  /** How often retention looks at every camera, besides after each new segment. */
  sweepIntervalMs?: number;
};

export type StatusListener = (status: CameraStatus) => void;

export type LiveSegment = { path: string; startMs: number };

/** Records every enabled camera into the archive and keeps the archive within retention. */
export class Recorder {
  readonly segments: SegmentRepo;
  readonly #o: RecorderOptions;
  readonly #now: () => number;
  readonly #cameras = new Map<string, CameraConfig>();
  readonly #recorders = new Map<string, CameraRecorder>();
  readonly #listeners = new Set<StatusListener>();
  #sweepTimer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: RecorderOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.segments = new SegmentRepo(options.store);
    for (const camera of options.cameras) this.#cameras.set(camera.id, camera);
  }

  camera(cameraId: string): CameraConfig | undefined {
    return this.#cameras.get(cameraId);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#recorders.clear();
    const font = findDrawtextFont();
    // Asking the binary blocks a moment: only when a camera streams RTSP.
    const rtsp = [...this.#cameras.values()].some(
      (c) => c.enabled && c.source.kind === 'url' && c.source.url.startsWith('rtsp'),
    );
    const rtspTimeout = rtsp
      ? rtspTimeoutOption(this.#o.ffmpegPath, this.#o.ffmpegVersion)
      : '-timeout';
    const demo = [...this.#cameras.values()].some((c) => c.enabled && c.source.kind === 'demo');
    if (font.path === null && demo) {
      this.#o.events.append({
        level: 'warn',
        kind: 'recorder.overlay_off',
        subject: null,
        message: `demo cameras record without a burnt-in clock: ${font.reason}`,
        data: {},
      });
    }
    for (const camera of this.#cameras.values()) {
      if (!camera.enabled) continue;
      const recorder = new CameraRecorder({
        camera,
        ffmpegPath: this.#o.ffmpegPath,
        cameraDir: path.join(this.#o.archiveDir, camera.id),
        font: font.path,
        rtspTimeout,
        onSegment: (segment) => {
          this.segments.add(segment);
          this.sweep(camera.id);
        },
        onStatus: (status, previous) => this.#statusChanged(camera, status, previous),
        now: this.#now,
        restartBackoff: this.#o.restartBackoff ?? { baseMs: 1000, maxMs: 60_000 },
        stallMs: this.#o.stallMs ?? 5000,
        stopTimeoutMs: this.#o.stopTimeoutMs ?? 5000,
      });
      this.#recorders.set(camera.id, recorder);
      recorder.start();
    }
    this.sweep();
    this.#sweepTimer = setInterval(() => this.sweep(), this.#o.sweepIntervalMs ?? 60_000);
    this.#sweepTimer.unref();
  }

  /** Stopped cameras keep their status ('offline', 'stopped') until the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#sweepTimer);
    await Promise.all([...this.#recorders.values()].map((r) => r.stop()));
  }

  status(cameraId: string): CameraStatus | undefined {
    const recorder = this.#recorders.get(cameraId);
    if (recorder !== undefined) return recorder.status;
    const camera = this.#cameras.get(cameraId);
    if (camera === undefined) return undefined;
    return {
      cameraId,
      state: 'offline',
      reason: camera.enabled ? 'the recorder is not running' : 'disabled in the config',
      sinceMs: this.#now(),
      restarts: 0,
    };
  }

  statuses(): CameraStatus[] {
    return [...this.#cameras.keys()].flatMap((id) => this.status(id) ?? []);
  }

  /** Hears every camera status change; returns the unsubscribe. */
  subscribe(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  liveSegment(cameraId: string): LiveSegment | undefined {
    return this.#recorders.get(cameraId)?.liveSegment();
  }

  /** The ffmpeg process id recording the camera, while one runs. */
  pid(cameraId: string): number | undefined {
    return this.#recorders.get(cameraId)?.pid;
  }

  /**
   * Deletes footage past each camera's retention: the file first, then its row, so a crash in
   * between leaves a row whose file is gone (harmless, swept again) rather than an unindexed file.
   * Returns how many segments went.
   */
  sweep(cameraId?: string): number {
    let deleted = 0;
    const cameras =
      cameraId === undefined ? [...this.#cameras.values()] : [this.#cameras.get(cameraId)];
    for (const camera of cameras) {
      if (camera === undefined) continue;
      const retention = parseDuration(camera.retention);
      if (!retention.ok) continue;
      const cutoff = retentionCutoff(this.#now(), retention.ms);
      const gone: Segment[] = [];
      for (const segment of this.segments.endedBefore(camera.id, cutoff)) {
        if (this.segments.isPinned(segment.id)) continue;
        if (!removeFile(segment.path)) continue;
        this.segments.remove(segment.id);
        gone.push(segment);
      }
      if (cameraId === undefined) deleted += this.#sweepUnindexed(camera.id, cutoff);
      deleted += gone.length;
      if (gone.length > 0) {
        this.#o.events.append({
          level: 'debug',
          kind: 'segment.retention_deleted',
          subject: camera.id,
          message: `${gone.length} segment(s) of ${camera.name} past retention (${camera.retention}) deleted`,
          data: {
            cameraId: camera.id,
            count: gone.length,
            bytes: gone.reduce((sum, s) => sum + s.bytes, 0),
            fromMs: gone[0]?.startMs,
            toMs: gone.at(-1)?.endMs,
          },
        });
      }
    }
    return deleted;
  }

  /** A segment ffmpeg was writing when the engine died never reached the index; age it out too. */
  #sweepUnindexed(cameraId: string, cutoffMs: number): number {
    const dir = path.join(this.#o.archiveDir, cameraId);
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith('.ts'));
    } catch {
      return 0;
    }
    const indexed = this.segments.paths(cameraId);
    let deleted = 0;
    for (const name of names) {
      const file = path.join(dir, name);
      if (indexed.has(file)) continue;
      try {
        if (statSync(file).mtimeMs < cutoffMs) {
          rmSync(file, { force: true });
          deleted += 1;
        }
      } catch {
        // Vanished meanwhile.
      }
    }
    return deleted;
  }

  #statusChanged(camera: CameraConfig, status: CameraStatus, previous: CameraStatus): void {
    if (status.state !== previous.state) {
      if (status.state === 'recording') {
        this.#o.events.append({
          level: 'info',
          kind: 'camera.recording',
          subject: camera.id,
          message: `${camera.name} is recording`,
          data: { cameraId: camera.id, restarts: status.restarts },
        });
      } else if (status.state === 'offline' && status.reason !== 'stopped') {
        this.#o.events.append({
          level: 'warn',
          kind: 'camera.offline',
          subject: camera.id,
          message: `${camera.name} is offline: ${status.reason}`,
          data: { cameraId: camera.id, reason: status.reason },
        });
      } else if (status.state === 'online-not-recording' && previous.state === 'recording') {
        this.#o.events.append({
          level: 'warn',
          kind: 'camera.not_recording',
          subject: camera.id,
          message: `${camera.name} is not recording: ${status.reason}`,
          data: { cameraId: camera.id, reason: status.reason },
        });
      }
    }
    for (const listener of [...this.#listeners]) listener(status);
  }
}

function removeFile(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
