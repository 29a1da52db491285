import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { segmentAt } from '../../core/footage.ts';
import { jpegSize } from '../../core/jpeg.ts';
import type { Privilege } from './camera.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import type { Recorder } from './recorder.ts';

export type SnapshotRequest = {
  cameraId: string;
  /** Wall-clock time of the frame; default now. */
  at?: Date;
  /** Where the JPEG goes; written whole or not at all. */
  outPath: string;
  /** The user's privileges: a snapshot needs 'export'. */
  privileges: readonly Privilege[];
};

export type SnapshotResult = {
  cameraId: string;
  path: string;
  bytes: number;
  width: number;
  height: number;
  /** Wall-clock ms of the frame. */
  at: number;
};

/**
 * ffmpeg writes the live segment through a buffer, so its last moment is not on disk yet;
 * "now" looks this far back.
 */
const LIVE_MARGIN_MS = 1000;

/**
 * A segment's last frame starts up to one frame before its end; seeking past that start gives
 * no frame. 200 ms holds a frame at 5 fps and above.
 */
const LAST_FRAME_MARGIN_MS = 200;

export class SnapshotExporter {
  readonly #ffmpegPath: string;
  readonly #recorder: Recorder;
  readonly #now: () => number;

  constructor(options: { ffmpegPath: string; recorder: Recorder; now?: () => number }) {
    this.#ffmpegPath = options.ffmpegPath;
    this.#recorder = options.recorder;
    this.#now = options.now ?? Date.now;
  }

  async export(request: SnapshotRequest): Promise<SnapshotResult> {
    const { cameraId } = request;
    if (!request.privileges.includes('export')) {
      throw new CustodyError(
        'taking a snapshot needs the Export privilege',
        'ask an administrator to grant "export" to your user',
        ExitCode.notPermitted,
      );
    }
    const camera = this.#recorder.camera(cameraId);
    const status = this.#recorder.status(cameraId);
    if (camera === undefined || status === undefined) {
      throw new CustodyError(
        `no camera "${cameraId}"`,
        'pick a camera from the Cameras tab or the config',
        ExitCode.badInput,
      );
    }
    if (status.state !== 'recording') {
      throw new CustodyError(
        `${camera.name} is not recording (${status.state}${status.reason ? `: ${status.reason}` : ''})`,
        'take the snapshot once the camera is online and recording',
        ExitCode.failed,
      );
    }

    const target = request.at?.getTime() ?? this.#now() - LIVE_MARGIN_MS;
    const sources = this.#sources(cameraId, target, request.at === undefined);
    if (sources.length === 0) {
      throw new CustodyError(
        `${camera.name} has no footage at ${new Date(target).toISOString()}`,
        'pick a time inside the camera archive (see its retention)',
        ExitCode.failed,
      );
    }
    const partial = `${request.outPath}.part`;
    let failure: unknown;
    try {
      for (const source of sources) {
        rmSync(partial, { force: true });
        try {
          await this.#extract(source.path, source.offsetMs, partial);
        } catch (err) {
          // The live segment may not have a whole packet on disk yet: try the next source.
          failure = err;
          continue;
        }
        // Past the end of what the live segment holds yet, ffmpeg writes no frame at all.
        if (!existsSync(partial)) continue;
        const bytes = readFileSync(partial);
        const size = jpegSize(bytes);
        if (size === undefined) continue;
        renameSync(partial, request.outPath);
        return {
          cameraId,
          path: request.outPath,
          bytes: bytes.length,
          ...size,
          at: source.startMs + source.offsetMs,
        };
      }
    } finally {
      rmSync(partial, { force: true });
    }
    // Most often the live segment has no whole frame on disk yet, right after a (re)start.
    throw new CustodyError(
      `${camera.name} has no decodable frame at ${new Date(target).toISOString()}${failure === undefined ? '' : ` (${failure instanceof CustodyError ? failure.what : String(failure)})`}`,
      'try again in a few seconds, or a moment earlier',
      ExitCode.failed,
      { cause: failure },
    );
  }

  /** Where the frame may be, best first: the live segment, else the indexed one. */
  #sources(cameraId: string, target: number, live: boolean) {
    const found: { path: string; startMs: number; offsetMs: number }[] = [];
    const current = this.#recorder.liveSegment(cameraId);
    if (current !== undefined && target >= current.startMs) {
      found.push({
        path: current.path,
        startMs: current.startMs,
        offsetMs: target - current.startMs,
      });
    }
    const indexed = this.#recorder.segments.inRange(cameraId, {
      fromMs: target - 1,
      toMs: target + 1,
    });
    const segment =
      segmentAt(indexed, target) ??
      // Just behind the live edge, or the live segment has no frame on disk yet.
      (current !== undefined ? this.#recorder.segments.latest(cameraId) : undefined);
    if (segment !== undefined && target >= segment.startMs) {
      const offsetMs = Math.min(target, segment.endMs - LAST_FRAME_MARGIN_MS) - segment.startMs;
      found.push({ path: segment.path, startMs: segment.startMs, offsetMs: Math.max(0, offsetMs) });
    }
    // "Now" with no finished segment yet (the first seconds after a start) and a live one that
    // ffmpeg has not written up to the target (a busy machine): its first frame is the newest
    // there is, and the result's `at` says when it was.
    if (live && current !== undefined && target > current.startMs) {
      found.push({ path: current.path, startMs: current.startMs, offsetMs: 0 });
    }
    return found;
  }

  async #extract(file: string, offsetMs: number, outPath: string): Promise<void> {
    await runFfmpeg(this.#ffmpegPath, snapshotArgs(file, offsetMs, outPath), {
      what: 'snapshot',
      timeoutMs: 15_000,
    });
  }
}

/**
 * Seeks after `-i`: this ffmpeg's MPEG-TS seek lands on the keyframe after the target (the
 * frame would be late or missing), while decoding from the segment's first keyframe is exact
 * and cheap for segments of a few seconds. Exported so the bench's baseline runs the same command.
 */
export function snapshotArgs(file: string, offsetMs: number, outPath: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    file,
    '-ss',
    (offsetMs / 1000).toFixed(3),
    '-frames:v',
    '1',
    '-q:v',
    '3',
    '-f',
    'image2',
    '-c:v',
    'mjpeg',
    '-update',
    '1',
    '-y',
    outPath,
  ];
}
