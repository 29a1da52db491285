// `custody upload … --wait` with no engine running: a one-shot engine uploads to a stock
// @tus/server and, killed with SIGKILL and run again, resumes from the server's offset.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Of, startTusPeer, type TusPeer } from '../engine/uploads/tus-peer.ts';
import { collect, runCli, startCli, tempDir } from '../helpers/cli.ts';
import { custody, startEngine, writeEngineConfig } from '../helpers/control.ts';

const CHUNK = 256 * 1024;
const SIZE = 12 * 1024 * 1024;

describe('custody upload --to URL --wait', { timeout: 90_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let peerDir: ReturnType<typeof tempDir>;
  let peer: TusPeer;
  let config: string;
  let data: string;
  let big: string;

  beforeEach(async () => {
    dir = tempDir('custody-upload-');
    peerDir = tempDir('custody-upload-peer-');
    peer = await startTusPeer(peerDir.path);
    // No service and no cameras: only the uploader runs. 4 MiB/s makes the upload last ~3 s.
    config = writeEngineConfig(dir.path, {
      service: { mode: 'none' },
      cameras: [],
      uploads: { bandwidth: '4M', schedule: [], chunkSize: CHUNK },
    });
    data = path.join(dir.path, 'data');
    big = path.join(dir.path, 'big.bin');
    writeFileSync(big, randomBytes(SIZE));
  });
  afterEach(async () => {
    await peer.close();
    peerDir.remove();
    dir.remove();
  });

  const upload = (extra: string[] = []) => [
    'upload',
    big,
    '--to',
    peer.url,
    '--wait',
    '--config',
    config,
    '--data',
    data,
    ...extra,
  ];

  it('delivers the exact bytes and exits 0 with the verified hash', async () => {
    const result = await runCli(upload());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const hash = await sha256Of(big);
    expect(result.stdout).toMatch(new RegExp(`^done\\s+${big}\\s+sha256 ${hash}$`, 'm'));
    const stored = await peer.uploads();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ size: SIZE, offset: SIZE, sha256: hash });
    expect(peer.received()).toBe(SIZE);
    // The one-shot engine closed cleanly: no socket, no lock left.
    expect(existsSync(path.join(data, 'engine.sock'))).toBe(false);
    expect(existsSync(path.join(data, 'custody.lock'))).toBe(false);

    // Again: already uploaded, nothing is sent twice.
    const again = await runCli(upload(['--json']));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, files: [{ state: 'done' }] });
    expect(peer.received()).toBe(SIZE);
  });

  it('killed with SIGKILL halfway and rerun, resumes from the server offset', async () => {
    const first = startCli(upload());
    const firstDone = collect(first);
    // Until a third has arrived; meanwhile the one-shot engine answers on its socket.
    const deadline = Date.now() + 30_000;
    while (peer.received() < SIZE / 3) {
      if (Date.now() > deadline) throw new Error(`no progress: ${(await firstDone).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const listed = await custody(data, ['uploads', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'big.bin', state: 'uploading' }),
    ]);
    first.kill('SIGKILL');
    await firstDone;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beforeRerun = peer.received();
    expect(beforeRerun).toBeGreaterThan(0);
    expect(beforeRerun).toBeLessThan(SIZE);
    // The killed engine left its socket and lock behind; the rerun takes both over.
    expect(existsSync(path.join(data, 'engine.sock'))).toBe(true);

    const rerun = await runCli(upload());
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const stored = await peer.uploads();
    // One upload on the server, completed: the rerun continued it instead of starting over.
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ size: SIZE, offset: SIZE, sha256: await sha256Of(big) });
    const resent = peer.received() - SIZE;
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThanOrEqual(CHUNK);
  });

  it('waiting on a running engine that stops exits 4; the rerun finishes the upload', async () => {
    const engine = await startEngine(config, data);
    const waiting = startCli(upload());
    const waited = collect(waiting);
    const deadline = Date.now() + 30_000;
    while (peer.received() < SIZE / 4) {
      if (Date.now() > deadline) throw new Error(`no progress: ${(await waited).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const stopped = await engine.stop();
    expect(stopped.code).toBe(0);
    const result = await waited;
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^custody: lost the connection to the engine on .* — /);
    expect(peer.received()).toBeLessThan(SIZE);

    // No engine now: the rerun runs its own and resumes from the server's offset.
    const rerun = await runCli(upload());
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const stored = await peer.uploads();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ size: SIZE, offset: SIZE, sha256: await sha256Of(big) });
    expect(peer.received() - SIZE).toBeLessThanOrEqual(CHUNK);
  });
});
