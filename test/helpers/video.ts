import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema } from '../../src/config/schema.ts';
import type { CameraConfig } from '../../src/engine/video/camera.ts';
import { requireFfmpeg } from '../../src/engine/video/ffmpeg-binary.ts';

export const ffmpegPath = requireFfmpeg().path;
export const ffprobePath = (
  createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as {
    path: string;
  }
).path;

export type Probe = {
  codec: string;
  width: number;
  height: number;
  durationS: number;
  frames: number;
  firstPacketKey: boolean;
};

/**
 * ffprobe's view of a video file. The npm ffprobe (static build N-66595) crashes with SIGSEGV
 * on any MPEG-TS input on this CPU, so an MPEG-TS file is first stream-copied into MP4 (a
 * container change, no re-encoding) and ffprobe reads that.
 */
export function probe(file: string): Probe {
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-probe-'));
  try {
    let target = file;
    if (file.endsWith('.ts')) {
      target = path.join(dir, 'remux.mp4');
      const remux = spawnSync(ffmpegPath, ['-v', 'error', '-i', file, '-c', 'copy', '-y', target]);
      if (remux.status !== 0) throw new Error(`remux failed: ${remux.stderr}`);
    }
    const run = spawnSync(
      ffprobePath,
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name,width,height,nb_frames:format=duration',
        '-show_packets',
        '-read_intervals',
        '%+#1',
        '-of',
        'json',
        target,
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0)
      throw new Error(`ffprobe failed (${run.status ?? run.signal}): ${run.stderr}`);
    const out = JSON.parse(run.stdout) as {
      streams: { codec_name: string; width: number; height: number; nb_frames?: string }[];
      format: { duration?: string };
      packets?: { flags: string }[];
    };
    const stream = out.streams[0];
    if (!stream) throw new Error(`no video stream in ${file}`);
    return {
      codec: stream.codec_name,
      width: stream.width,
      height: stream.height,
      durationS: Number(out.format.duration ?? Number.NaN),
      frames: Number(stream.nb_frames ?? Number.NaN),
      firstPacketKey: out.packets?.[0]?.flags.startsWith('K') ?? false,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function demoCamera(id: string, overrides: Partial<CameraConfig> = {}): CameraConfig {
  const config = configSchema.parse({
    cameras: [
      {
        id,
        name: `Camera ${id}`,
        source: { kind: 'demo', pattern: 'testsrc2', width: 320, height: 180, fps: 10 },
        segmentSeconds: 1,
        retention: '1h',
      },
    ],
  });
  return { ...(config.cameras[0] as CameraConfig), ...overrides };
}

/** A demo camera as a site's config writes it (with a location), for engine-level tests. */
export function siteCamera(
  id: string,
  pattern: string,
  size = { width: 320, height: 180, fps: 10 },
) {
  return {
    id,
    name: `Camera ${id}`,
    location: `Location of ${id}`,
    source: { kind: 'demo', pattern, ...size },
    segmentSeconds: 2,
    retention: '10m',
  };
}

export async function waitFor<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
