import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { CustodyError, ExitCode } from '../../core/errors.ts';

const require = createRequire(import.meta.url);

/** Where a candidate binary came from, in DESIGN.md's order of preference. */
export type FfmpegSource =
  | 'config'
  | 'FFMPEG_PATH'
  | 'ffmpeg-static'
  | '@ffmpeg-installer/ffmpeg'
  | 'PATH';

export type FfmpegCandidate = { source: FfmpegSource; path: string };

export type FfmpegFailure = { source: FfmpegSource; path: string; problem: string };

export type FfmpegProbe =
  | { ok: true; source: FfmpegSource; path: string; version: string; passedOver: FfmpegFailure[] }
  | { ok: false; tried: FfmpegFailure[] };

/** Packages may be absent (ffmpeg-static is optional and usually fails to install here). */
function packagePath(name: string): string | null {
  try {
    const mod = require(name) as string | { path?: string } | null;
    if (typeof mod === 'string') return mod;
    return mod?.path ?? null;
  } catch {
    return null;
  }
}

export function ffmpegCandidates(
  configPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): FfmpegCandidate[] {
  const candidates: FfmpegCandidate[] = [];
  if (configPath) candidates.push({ source: 'config', path: configPath });
  if (env.FFMPEG_PATH) candidates.push({ source: 'FFMPEG_PATH', path: env.FFMPEG_PATH });
  const staticPath = packagePath('ffmpeg-static');
  if (staticPath) candidates.push({ source: 'ffmpeg-static', path: staticPath });
  const installerPath = packagePath('@ffmpeg-installer/ffmpeg');
  if (installerPath) candidates.push({ source: '@ffmpeg-installer/ffmpeg', path: installerPath });
  candidates.push({ source: 'PATH', path: 'ffmpeg' });
  return candidates;
}

export function probeFfmpeg(
  configPath?: string,
  env: NodeJS.ProcessEnv = process.env,
): FfmpegProbe {
  return probeCandidates(ffmpegCandidates(configPath, env));
}

/** Runs `-version` on each candidate so a present but broken binary is passed over, not used. */
export function probeCandidates(candidates: FfmpegCandidate[]): FfmpegProbe {
  const tried: FfmpegFailure[] = [];
  for (const candidate of candidates) {
    const run = spawnSync(candidate.path, ['-hide_banner', '-version'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (run.error) {
      const code = (run.error as NodeJS.ErrnoException).code;
      tried.push({ ...candidate, problem: code === 'ENOENT' ? 'not found' : String(code) });
      continue;
    }
    if (run.status !== 0) {
      tried.push({ ...candidate, problem: `exited with ${run.status ?? run.signal}` });
      continue;
    }
    const version = /ffmpeg version (\S+)/.exec(run.stdout)?.[1] ?? 'unknown';
    return { ok: true, source: candidate.source, path: candidate.path, version, passedOver: tried };
  }
  return { ok: false, tried };
}

/**
 * The RTSP demuxer's socket I/O timeout, in microseconds: `-stimeout` up to ffmpeg 4, `-timeout`
 * from 5.0, which dropped `-stimeout`. Before 5.0 `-timeout` was the listen timeout and made
 * ffmpeg wait for the camera to call in, so neither spelling is safe on the other side.
 */
export type RtspTimeoutOption = '-stimeout' | '-timeout';

/** The major of a release ("5.1.6-0+deb12u1", "n4.4"); null for git builds ("N-47683-g0e8eb07980-static"). */
export function ffmpegMajor(version: string): number | null {
  const match = /^n?(\d+)\.\d/.exec(version);
  return match ? Number(match[1]) : null;
}

/** From `ffmpeg -h demuxer=rtsp`: the options the binary's RTSP demuxer really takes. */
export function rtspTimeoutFromHelp(help: string): RtspTimeoutOption {
  return /^\s*-stimeout\s/m.test(help) ? '-stimeout' : '-timeout';
}

const askedRtspTimeouts = new Map<string, RtspTimeoutOption>();

/**
 * A release number decides; a build without one (git snapshots, like the npm-shipped binary) is
 * asked once. A binary that cannot answer gets the current spelling, uncached: it will not
 * record anyway, and the recorder reports why.
 */
export function rtspTimeoutOption(ffmpegPath: string, version?: string): RtspTimeoutOption {
  const major = version === undefined ? null : ffmpegMajor(version);
  if (major !== null) return major >= 5 ? '-timeout' : '-stimeout';
  const known = askedRtspTimeouts.get(ffmpegPath);
  if (known !== undefined) return known;
  const run = spawnSync(ffmpegPath, ['-hide_banner', '-h', 'demuxer=rtsp'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (run.error || run.status !== 0) return '-timeout';
  const option = rtspTimeoutFromHelp(run.stdout);
  askedRtspTimeouts.set(ffmpegPath, option);
  return option;
}

export const ffmpegFix =
  'set "ffmpegPath" in the config or FFMPEG_PATH, run npm install (it ships @ffmpeg-installer/ffmpeg), or apt-get install ffmpeg';

export function describeFfmpegFailure(tried: FfmpegFailure[]): string {
  return tried.map((t) => `${t.source} (${t.path}): ${t.problem}`).join('; ');
}

/** A binary the operator named explicitly and that does not run deserves a warning even when a fallback works. */
export function explicitFailures(probe: FfmpegProbe): FfmpegFailure[] {
  const failures = probe.ok ? probe.passedOver : probe.tried;
  return failures.filter((f) => f.source === 'config' || f.source === 'FFMPEG_PATH');
}

/** For callers that cannot go on without ffmpeg; the engine itself keeps running without it. */
export function requireFfmpeg(configPath?: string): Extract<FfmpegProbe, { ok: true }> {
  const probe = probeFfmpeg(configPath);
  if (probe.ok) return probe;
  throw new CustodyError(
    `no working ffmpeg (${describeFfmpegFailure(probe.tried)})`,
    ffmpegFix,
    ExitCode.failed,
  );
}
