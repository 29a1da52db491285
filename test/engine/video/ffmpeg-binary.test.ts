import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  explicitFailures,
  ffmpegCandidates,
  probeCandidates,
  probeFfmpeg,
} from '../../../src/engine/video/ffmpeg-binary.ts';
import { tempDir } from '../../helpers/cli.ts';

describe('ffmpeg resolution', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('orders config, FFMPEG_PATH, the npm packages, then PATH', () => {
    const sources = ffmpegCandidates('/cfg/ffmpeg', { FFMPEG_PATH: '/env/ffmpeg' }).map(
      (c) => c.source,
    );
    expect(sources[0]).toBe('config');
    expect(sources[1]).toBe('FFMPEG_PATH');
    expect(sources).toContain('@ffmpeg-installer/ffmpeg');
    expect(sources.at(-1)).toBe('PATH');
  });

  it('finds the npm-shipped ffmpeg on a bare machine', () => {
    const probe = probeFfmpeg(undefined, {});
    expect(probe.ok).toBe(true);
    if (probe.ok) expect(probe.version).not.toBe('');
  });

  it('passes over missing and broken binaries and reports each', () => {
    const broken = path.join(dir.path, 'ffmpeg');
    writeFileSync(broken, '#!/bin/sh\nexit 3\n');
    chmodSync(broken, 0o755);
    const probe = probeCandidates([
      { source: 'config', path: path.join(dir.path, 'missing') },
      { source: 'FFMPEG_PATH', path: broken },
    ]);
    expect(probe).toEqual({
      ok: false,
      tried: [
        { source: 'config', path: path.join(dir.path, 'missing'), problem: 'not found' },
        { source: 'FFMPEG_PATH', path: broken, problem: 'exited with 3' },
      ],
    });
    expect(explicitFailures(probe)).toHaveLength(2);
  });

  it('falls back past a broken configured binary but keeps the failure visible', () => {
    const probe = probeFfmpeg(path.join(dir.path, 'missing'), {});
    expect(probe.ok).toBe(true);
    expect(explicitFailures(probe)).toEqual([
      { source: 'config', path: path.join(dir.path, 'missing'), problem: 'not found' },
    ]);
  });
});
