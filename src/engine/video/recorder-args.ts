import path from 'node:path';
import type { CameraConfig } from './camera.ts';
import type { RtspTimeoutOption } from './ffmpeg-binary.ts';

export type RecorderArgsOptions = {
  cameraDir: string;
  /** Names this run's segments `<prefix>-000000.ts`…, unique across restarts. */
  prefix: string;
  /** Font for the burnt-in clock and name; null draws none. */
  font: string | null;
  /** How this ffmpeg spells RTSP's socket timeout (rtspTimeoutOption). */
  rtspTimeout: RtspTimeoutOption;
};

/** File descriptor ffmpeg writes the CSV segment list to (0–2 are stdin, progress, log). */
export const SEGMENT_LIST_FD = 3;

/**
 * One ffmpeg writing fixed-length MPEG-TS segments. The segment list (on its own pipe) names
 * each segment once it is complete, with start and end in stream time; `-progress` on stdout
 * is the heartbeat that says frames are still coming.
 */
export function recorderArgs(camera: CameraConfig, options: RecorderArgsOptions): string[] {
  const n = camera.segmentSeconds;
  const common = ['-hide_banner', '-nostats', '-loglevel', 'warning', '-progress', 'pipe:1'];
  const segmenter = [
    '-f',
    'segment',
    '-segment_time',
    String(n),
    // Continuous timestamps across a run's segments, so they join without seams.
    '-reset_timestamps',
    '0',
    '-segment_format',
    'mpegts',
    '-segment_list',
    `pipe:${SEGMENT_LIST_FD}`,
    '-segment_list_type',
    'csv',
    path.join(options.cameraDir, `${options.prefix}-%06d.ts`),
  ];
  if (camera.source.kind === 'url') {
    const url = camera.source.url;
    // Without a timeout a stalled camera holds ffmpeg forever instead of failing and restarting.
    const timeout = url.startsWith('rtsp')
      ? ['-rtsp_transport', 'tcp', options.rtspTimeout, '10000000']
      : ['-rw_timeout', '10000000'];
    // ffmpeg probes a live stream for 5 s by default before it writes a frame; a camera's
    // stream describes itself within its first keyframe interval.
    const probe = ['-analyzeduration', '2000000'];
    return [...common, ...timeout, ...probe, '-i', url, '-map', '0:v', '-c', 'copy', ...segmenter];
  }
  const { pattern, width, height, fps } = camera.source;
  const overlay =
    options.font === null
      ? []
      : ['-vf', drawtext(options.font, camera.name, Math.max(10, Math.round(height / 20)))];
  return [
    ...common,
    // lavfi draws as fast as it can; -re paces it like a live camera.
    '-re',
    '-f',
    'lavfi',
    '-i',
    `${pattern}=size=${width}x${height}:rate=${fps}`,
    ...overlay,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    // A test pattern needs few bits; CRF 30 roughly halves x264's work on the busy patterns.
    '-crf',
    '30',
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(fps),
    // Keyframes on the segment grid, so every segment starts with one.
    '-force_key_frames',
    `expr:gte(t,n_forced*${n})`,
    ...segmenter,
  ];
}

/**
 * `%{localtime\:%F %T}` is drawtext's clock (the colon escaped for the option parser). The name
 * is reduced to characters that need no escaping in a filter graph; findDrawtextFont only
 * offers font paths that need none either.
 */
function drawtext(font: string, name: string, fontSize: number): string {
  const safeName = name.replace(/[^\p{L}\p{N} .#()/-]/gu, ' ');
  return [
    `drawtext=fontfile='${font}'`,
    `text='${safeName}  %{localtime\\:%F %T}'`,
    // Bottom left: testsrc and testsrc2 draw their own counter top left.
    'x=8',
    'y=h-th-12',
    `fontsize=${fontSize}`,
    'fontcolor=white',
    'box=1',
    'boxcolor=black@0.6',
    'boxborderw=4',
  ].join(':');
}
