import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { expectedClipBytes, planClip, type TimeRange } from '../../core/footage.ts';
import { lastLine, spawnFfmpeg, tailCollector } from './ffmpeg-process.ts';
import type { SegmentRepo } from './segment-repo.ts';

export type ClipInfo = {
  cameraId: string;
  /** Wall-clock ms where the footage starts: the keyframe at or before the requested start. */
  startMs: number;
  endMs: number;
  /** Footage in the clip; gaps are left out, not filled. */
  durationMs: number;
  /** Parts of the requested range with no footage. */
  gaps: TimeRange[];
  segments: number;
  /** What the clip should come to, from the segments' sizes: within a few percent. */
  expectedBytes: number;
};

/** Bytes of the clip handed on so far; called with 0 as ffmpeg starts, then per piece. */
export type ClipProgress = (bytes: number, info: ClipInfo) => void;

export type ClipStream = {
  info: ClipInfo;
  /** MPEG-TS bytes; errors (instead of ending) if ffmpeg fails, so no one keeps a cut clip. */
  stream: Readable;
};

/** A camera's footage over a time range as one MPEG-TS stream, stream-copied, never re-encoded. */
export class ClipExporter {
  readonly #ffmpegPath: string;
  readonly #segments: SegmentRepo;

  constructor(options: { ffmpegPath: string; segments: SegmentRepo }) {
    this.#ffmpegPath = options.ffmpegPath;
    this.#segments = options.segments;
  }

  /** What an export of the range would hold, without running it. */
  plan(cameraId: string, range: TimeRange): ClipInfo {
    return this.#plan(cameraId, range).info;
  }

  stream(cameraId: string, range: TimeRange, onProgress?: ClipProgress): ClipStream {
    const { info, segments } = this.#plan(cameraId, range);
    // Retention must not delete a segment before ffmpeg has opened it.
    const release = this.#segments.pin(segments);
    const files = segments.map((s) => s.path);
    // The concat demuxer joins segments across ffmpeg restarts too (it re-bases each file's
    // timestamps), which plain byte concatenation cannot. The list comes on stdin: nothing
    // but footage paths, and no temporary file.
    const list = `ffconcat version 1.0\n${files.map((f) => `file '${f.replaceAll("'", "'\\''")}'\n`).join('')}`;
    const child = spawnFfmpeg(
      this.#ffmpegPath,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'concat',
        '-safe',
        '0',
        '-protocol_whitelist',
        'file,pipe',
        '-i',
        'pipe:0',
        '-t',
        (info.durationMs / 1000).toFixed(3),
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'mpegts',
        'pipe:1',
      ],
      ['pipe', 'pipe', 'pipe'],
    );
    const stderr = tailCollector();
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin?.on('error', () => {
      // ffmpeg exiting early closes stdin; its exit status says why.
    });
    child.stdin?.end(list);

    // Progress is bytes against the expected size rather than ffmpeg's -progress out_time:
    // counting the stream already passing through costs nothing, a stream copy's size tracks
    // the segments' closely, and ffmpeg reports out_time only every half second, by which
    // time a short clip is done.
    let bytes = 0;
    onProgress?.(0, info);
    const out = new Transform({
      transform(piece: Buffer, _encoding, done) {
        bytes += piece.length;
        onProgress?.(bytes, info);
        done(null, piece);
      },
    });
    child.stdout?.pipe(out, { end: false });
    // A consumer that gives up (encryption failed, request withdrawn) stops ffmpeg.
    out.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('error', (err) => {
      release();
      out.destroy(exportFailed(cameraId, err.message));
    });
    child.on('close', (code, signal) => {
      release();
      if (code === 0) out.end();
      else
        out.destroy(
          exportFailed(cameraId, lastLine(stderr.text()) || `ffmpeg ended with ${code ?? signal}`),
        );
    });
    return { info, stream: out };
  }

  async toWritable(cameraId: string, range: TimeRange, writable: Writable): Promise<ClipInfo> {
    const { info, stream } = this.stream(cameraId, range);
    await pipeline(stream, writable);
    return info;
  }

  /** Writes the clip to `filePath` whole, or leaves nothing there. */
  async toFile(cameraId: string, range: TimeRange, filePath: string): Promise<ClipInfo> {
    const partial = `${filePath}.part`;
    try {
      const file = createWriteStream(partial);
      await once(file, 'open');
      const info = await this.toWritable(cameraId, range, file);
      renameSync(partial, filePath);
      return info;
    } finally {
      rmSync(partial, { force: true });
    }
  }

  #plan(cameraId: string, range: TimeRange) {
    if (!(range.toMs > range.fromMs)) {
      throw new CustodyError(
        `clip range ${iso(range.fromMs)} – ${iso(range.toMs)} is empty`,
        'give an end after the start',
        ExitCode.badInput,
      );
    }
    // A file removed behind the index's back is a gap, not a failed export.
    const available = this.#segments.inRange(cameraId, range).filter((s) => existsSync(s.path));
    const plan = planClip(available, range);
    if (plan === undefined) {
      throw new CustodyError(
        `camera "${cameraId}" has no footage between ${iso(range.fromMs)} and ${iso(range.toMs)}`,
        'pick a range inside the camera archive (see its retention)',
        ExitCode.failed,
      );
    }
    return {
      info: {
        cameraId,
        startMs: plan.startMs,
        endMs: plan.endMs,
        durationMs: plan.durationMs,
        gaps: plan.gaps,
        segments: plan.segments.length,
        expectedBytes: expectedClipBytes(plan),
      },
      segments: plan.segments,
    };
  }
}

function exportFailed(cameraId: string, reason: string): CustodyError {
  return new CustodyError(
    `clip export of camera "${cameraId}" failed: ${reason}`,
    'check the archive folder and ffmpeg (custody doctor), then export again',
    ExitCode.failed,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
