import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadJob } from '../../../src/engine/uploads/upload-job.ts';
import { removeDir, tempDir } from './rig.ts';

const child = fileURLToPath(new URL('./disk-full-child.ts', import.meta.url));

// A tiny tmpfs in a user + mount namespace gives a real "no space left on device" without root.
const script = `mount -t tmpfs -o size=64k tmpfs "$1" && shift && exec "$@"`;

let dir: string;
afterEach(() => removeDir(dir));

describe('a full destination disk', () => {
  it('fails that job with the reason, and the other job still arrives', () => {
    dir = tempDir('disk-full');
    const full = path.join(dir, 'archive-full');
    const roomy = path.join(dir, 'archive-roomy');
    mkdirSync(full);
    const run = spawnSync(
      'unshare',
      [
        '--user',
        '--map-root-user',
        '--mount',
        'sh',
        '-c',
        script,
        'sh',
        full,
        process.execPath,
        '--experimental-transform-types',
        '--no-warnings',
        child,
        dir,
        full,
        roomy,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    const [big, other] = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as UploadJob[];
    expect(big?.state).toBe('failed');
    expect(big?.error).toMatch(
      /^destination "full" is out of disk space \(ENOSPC\) — free space there, then retry the job/,
    );
    expect(other?.state).toBe('done');
  });
});
