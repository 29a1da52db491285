import type { ChildProcess } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Backoff } from '../../core/backoff.ts';
import { parseSegmentListLine } from '../../core/segment-list.ts';
import type { CameraConfig, CameraState, CameraStatus } from './camera.ts';
import type { RtspTimeoutOption } from './ffmpeg-binary.ts';
import { lastLine, spawnFfmpeg, stopFfmpeg, tailCollector } from './ffmpeg-process.ts';
import { recorderArgs, SEGMENT_LIST_FD } from './recorder-args.ts';
import type { NewSegment } from './segment-repo.ts';

export type CameraRecorderOptions = {
  camera: CameraConfig;
  ffmpegPath: string;
  cameraDir: string;
  font: string | null;
  rtspTimeout: RtspTimeoutOption;
  onSegment: (segment: NewSegment) => void;
  onStatus: (status: CameraStatus, previous: CameraStatus) => void;
  now: () => number;
  restartBackoff: { baseMs: number; maxMs: number };
  /** No new frame for this long while ffmpeg runs: online but not recording. */
  stallMs: number;
  stopTimeoutMs: number;
};

type Run = {
  child: ChildProcess;
  prefix: string;
  /** Wall-clock ms of stream time 0, measured from the first progress report. */
  anchorMs: number;
  anchored: boolean;
  finished: number;
  lastEndSeconds: number;
  frames: number;
  lastFrameAtMs: number;
};

/** Supervises the one ffmpeg that records a camera: start, watch, index, restart. */
export class CameraRecorder {
  readonly #o: CameraRecorderOptions;
  readonly #backoff: Backoff;
  #status: CameraStatus;
  #run: Run | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #starts = 0;

  constructor(options: CameraRecorderOptions) {
    this.#o = options;
    this.#backoff = new Backoff(options.restartBackoff);
    this.#status = {
      cameraId: options.camera.id,
      state: 'offline',
      reason: 'not started',
      sinceMs: options.now(),
      restarts: 0,
    };
  }

  get status(): CameraStatus {
    return this.#status;
  }

  get pid(): number | undefined {
    return this.#run?.child.pid;
  }

  /** The segment ffmpeg is writing now: where the newest footage is. */
  liveSegment(): { path: string; startMs: number } | undefined {
    const run = this.#run;
    if (run === undefined || !run.anchored || this.#status.state !== 'recording') return undefined;
    return {
      path: path.join(this.#o.cameraDir, segmentName(run.prefix, run.finished)),
      startMs: run.anchorMs + run.lastEndSeconds * 1000,
    };
  }

  start(): void {
    this.#stopping = false;
    mkdirSync(this.#o.cameraDir, { recursive: true });
    this.#spawn();
    this.#stallTimer = setInterval(() => this.#checkStall(), 1000);
    this.#stallTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    clearInterval(this.#stallTimer);
    const run = this.#run;
    if (run !== undefined) await stopFfmpeg(run.child, this.#o.stopTimeoutMs);
    this.#setStatus('offline', 'stopped');
  }

  #spawn(): void {
    const now = this.#o.now();
    const prefix = new Date(now).toISOString().replace(/[-:.]/g, '');
    const args = recorderArgs(this.#o.camera, {
      cameraDir: this.#o.cameraDir,
      prefix,
      font: this.#o.font,
      rtspTimeout: this.#o.rtspTimeout,
    });
    const child = spawnFfmpeg(this.#o.ffmpegPath, args, ['pipe', 'pipe', 'pipe', 'pipe']);
    if (this.#starts > 0) this.#status = { ...this.#status, restarts: this.#status.restarts + 1 };
    this.#starts += 1;
    const run: Run = {
      child,
      prefix,
      anchorMs: now,
      anchored: false,
      finished: 0,
      lastEndSeconds: 0,
      frames: 0,
      lastFrameAtMs: now,
    };
    this.#run = run;
    this.#setStatus('online-not-recording', 'starting');

    const stderr = tailCollector();
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    this.#readProgress(run, child.stdout as Readable);
    const list = child.stdio[SEGMENT_LIST_FD] as Readable;
    createInterface({ input: list }).on('line', (line) => this.#segmentDone(run, line));

    let ended = false;
    const onEnd = (reason: string) => {
      if (ended) return;
      ended = true;
      if (this.#run === run) this.#run = undefined;
      if (this.#stopping) return;
      this.#setStatus('offline', reason);
      const delay = this.#backoff.next();
      this.#restartTimer = setTimeout(() => {
        if (!this.#stopping) this.#spawn();
      }, delay);
      this.#restartTimer.unref();
    };
    child.on('error', (err) => onEnd(`cannot start ffmpeg: ${err.message}`));
    child.on('close', (code, signal) => {
      const reason = code === 0 ? 'the source ended' : `ffmpeg exited with ${code ?? signal}`;
      onEnd(lastLine(stderr.text()) || reason);
    });
  }

  /** `-progress` prints key=value blocks ending in `progress=…`, about twice a second. */
  #readProgress(run: Run, stdout: Readable): void {
    let block = new Map<string, string>();
    createInterface({ input: stdout }).on('line', (line) => {
      const eq = line.indexOf('=');
      if (eq < 0) return;
      const key = line.slice(0, eq);
      block.set(key, line.slice(eq + 1).trim());
      if (key !== 'progress') return;
      const frames = Number(block.get('frame') ?? 0);
      // out_time_ms is in microseconds too, in ffmpeg versions that lack out_time_us.
      const outTimeUs = Number(block.get('out_time_us') ?? block.get('out_time_ms') ?? Number.NaN);
      block = new Map();
      const now = this.#o.now();
      if (!run.anchored && frames > 0 && Number.isFinite(outTimeUs)) {
        run.anchorMs = Math.round(now - outTimeUs / 1000);
        run.anchored = true;
      }
      if (frames > run.frames) {
        run.frames = frames;
        run.lastFrameAtMs = now;
        if (this.#run === run) this.#setStatus('recording', null);
      }
    });
  }

  #segmentDone(run: Run, line: string): void {
    const entry = parseSegmentListLine(line);
    if (entry === undefined) return;
    run.finished += 1;
    run.lastEndSeconds = entry.endSeconds;
    const file = path.join(this.#o.cameraDir, path.basename(entry.file));
    let bytes = 0;
    try {
      bytes = statSync(file).size;
    } catch {
      // Gone already (someone cleaned the folder): nothing to index.
      return;
    }
    this.#backoff.reset();
    this.#o.onSegment({
      cameraId: this.#o.camera.id,
      path: file,
      startMs: Math.round(run.anchorMs + entry.startSeconds * 1000),
      endMs: Math.round(run.anchorMs + entry.endSeconds * 1000),
      bytes,
    });
  }

  #checkStall(): void {
    const run = this.#run;
    if (run === undefined || this.#status.state !== 'recording') return;
    const silentMs = this.#o.now() - run.lastFrameAtMs;
    if (silentMs >= this.#o.stallMs) {
      this.#setStatus('online-not-recording', `no new frames for ${Math.round(silentMs / 1000)} s`);
    }
  }

  #setStatus(state: CameraState, reason: string | null): void {
    const previous = this.#status;
    if (previous.state === state && previous.reason === reason) return;
    this.#status = { ...previous, state, reason, sinceMs: this.#o.now() };
    this.#o.onStatus(this.#status, previous);
  }
}

function segmentName(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(6, '0')}.ts`;
}
