import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseSegmentListLine } from '../../src/core/segment-list.ts';
import { requireFfmpeg } from '../../src/engine/video/ffmpeg-binary.ts';
import type { SegmentRepo } from '../../src/engine/video/segment-repo.ts';

export type FootageOptions = {
  seconds: number;
  /** Wall-clock ms the footage starts at, as if recorded live from then. */
  anchorMs: number;
  segmentSeconds?: number;
  /** ffmpeg frame size, e.g. '640x360'. */
  size?: string;
  /** lavfi test pattern; cameras that must not give identical clips need different ones. */
  pattern?: string;
  /** Segment indexes left out of the index: a gap in the archive. */
  skip?: number[];
};

/**
 * MPEG-TS segments made at full speed with the recorder's kind of encoder settings, written
 * to `<dir>/archive/<cameraId>` and indexed as the recorder would. For tests and benches that
 * need footage without waiting for it to be recorded.
 */
export function makeFootage(
  segments: SegmentRepo,
  dir: string,
  cameraId: string,
  options: FootageOptions,
): { bytes: number; segments: number } {
  const segmentSeconds = options.segmentSeconds ?? 2;
  const cameraDir = path.join(dir, 'archive', cameraId);
  mkdirSync(cameraDir, { recursive: true });
  const listFile = path.join(cameraDir, 'list.csv');
  // biome-ignore format: one ffmpeg option per line pair reads best
  const made = spawnSync(requireFfmpeg().path, [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `${options.pattern ?? 'testsrc2'}=size=${options.size ?? '320x180'}:rate=10`,
    '-t', String(options.seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-crf', '30',
    '-pix_fmt', 'yuv420p', '-g', '10',
    '-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`,
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-reset_timestamps', '0',
    '-segment_format', 'mpegts', '-segment_list', listFile, '-segment_list_type', 'csv',
    path.join(cameraDir, 'seg-%06d.ts'),
  ]);
  if (made.status !== 0) throw new Error(`making footage failed: ${made.stderr}`);
  let bytes = 0;
  let index = 0;
  let indexed = 0;
  for (const line of readFileSync(listFile, 'utf8').split('\n')) {
    const entry = parseSegmentListLine(line);
    if (!entry) continue;
    const skipped = options.skip?.includes(index) ?? false;
    index += 1;
    if (skipped) continue;
    const file = path.join(cameraDir, entry.file);
    const size = statSync(file).size;
    bytes += size;
    indexed += 1;
    segments.add({
      cameraId,
      path: file,
      startMs: options.anchorMs + entry.startSeconds * 1000,
      endMs: options.anchorMs + entry.endSeconds * 1000,
      bytes: size,
    });
  }
  return { bytes, segments: indexed };
}
