import { CustodyError, ExitCode } from '../../core/errors.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import type { Recorder } from './recorder.ts';

export type Thumbnail = {
  cameraId: string;
  width: number;
  height: number;
  /** Packed rgb24, `width * height * 3` bytes, row by row. */
  rgb: Buffer;
  fetchedAtMs: number;
};

export type ThumbnailsOptions = {
  ffmpegPath: string;
  recorder: Recorder;
  width?: number;
  height?: number;
  /** A camera's thumbnail is refreshed at most this often; callers in between get the last. */
  minIntervalMs?: number;
  now?: () => number;
};

type Entry = { thumbnail?: Thumbnail; pending?: Promise<Thumbnail | undefined> };

/** Tiny raw frames for the console's camera tiles, drawn as half-block characters. */
export class Thumbnails {
  readonly #o: Required<Omit<ThumbnailsOptions, 'now'>>;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: ThumbnailsOptions) {
    this.#o = { width: 48, height: 27, minIntervalMs: 1000, ...options };
    this.#now = options.now ?? Date.now;
  }

  /** The newest frame of the camera, or undefined while it has no footage yet. */
  get(cameraId: string): Promise<Thumbnail | undefined> {
    const entry = this.#entries.get(cameraId) ?? {};
    this.#entries.set(cameraId, entry);
    if (entry.pending) return entry.pending;
    const last = entry.thumbnail;
    if (last && this.#now() - last.fetchedAtMs < this.#o.minIntervalMs) {
      return Promise.resolve(last);
    }
    entry.pending = this.#fetch(cameraId)
      .then((thumbnail) => {
        if (thumbnail) entry.thumbnail = thumbnail;
        return thumbnail ?? entry.thumbnail;
      })
      .finally(() => {
        entry.pending = undefined;
      });
    return entry.pending;
  }

  async #fetch(cameraId: string): Promise<Thumbnail | undefined> {
    if (this.#o.recorder.camera(cameraId) === undefined) {
      throw new CustodyError(
        `no camera "${cameraId}"`,
        'pick a camera from the config',
        ExitCode.badInput,
      );
    }
    const files = [
      this.#o.recorder.liveSegment(cameraId)?.path,
      this.#o.recorder.segments.latest(cameraId)?.path,
    ].filter((file) => file !== undefined);
    const frameBytes = this.#o.width * this.#o.height * 3;
    let failure: unknown;
    for (const file of files) {
      let stdout: Buffer;
      try {
        ({ stdout } = await runFfmpeg(this.#o.ffmpegPath, this.#args(file), {
          what: 'thumbnail',
          timeoutMs: 10_000,
        }));
      } catch (err) {
        failure = err;
        continue;
      }
      // A live segment only just begun may hold no complete keyframe yet.
      if (stdout.length < frameBytes) continue;
      return {
        cameraId,
        width: this.#o.width,
        height: this.#o.height,
        rgb: stdout.subarray(stdout.length - frameBytes),
        fetchedAtMs: this.#now(),
      };
    }
    if (failure !== undefined) throw failure;
    return undefined;
  }

  /**
   * Keyframes only: one decode a second of footage (the demo's GOP) instead of every frame;
   * the last one out is the newest picture.
   */
  #args(file: string): string[] {
    return [
      '-hide_banner',
      '-loglevel',
      'error',
      '-skip_frame',
      'nokey',
      '-i',
      file,
      '-vf',
      `scale=${this.#o.width}:${this.#o.height}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ];
  }
}
