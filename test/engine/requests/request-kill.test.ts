import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferStore } from '../../../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../../../src/engine/crypto/key-store.ts';
import { openStore } from '../../../src/engine/store/database.ts';
import type { Service } from '../../server/service-fixture.ts';
import { createRequest, makeFootage, serviceWithCase, tempDir } from './request-rig.ts';

const childScript = path.join(import.meta.dirname, 'request-child.ts');

type Line = Array<{
  id: string;
  state: string;
  clips: string[];
  offsets: number[];
  jobs: string[];
  bufferFiles: number;
  unshredded: number;
}>;

const running = new Set<() => Promise<void>>();

/** The engine as a real process, and a way to wait for what it prints. */
function engineProcess(dataDir: string, service: Service, rate: number | null) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--experimental-transform-types',
      '--no-warnings',
      childScript,
      dataDir,
      service.url,
      service.system.key,
      JSON.stringify(rate),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let latest: Line = [];
  const waiters: Array<{ check: (line: Line) => boolean; resolve: () => void }> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    if (!text.startsWith('[')) return;
    latest = JSON.parse(text) as Line;
    for (const waiter of [...waiters]) {
      if (waiter.check(latest)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
    running.delete(kill);
  };
  running.add(kill);
  return {
    until(check: (line: Line) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
      if (check(latest)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}; last: ${JSON.stringify(latest)}`)),
          timeoutMs,
        );
        waiters.push({
          check,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    kill,
  };
}

let service: Service;
let caseId: string;
let dir: ReturnType<typeof tempDir>;

beforeEach(async () => {
  ({ service, caseId } = await serviceWithCase());
  dir = tempDir('custody-request-kill-');
});

afterEach(async () => {
  for (const kill of [...running]) await kill();
  await service.close();
  dir.remove();
});

describe('engine killed with SIGKILL', () => {
  it('during export and during delivery: resumes, and files each clip exactly once', {
    timeout: 120_000,
  }, async () => {
    const anchorMs = Date.now() - 120_000;
    const store = openStore(dir.path);
    for (const camera of ['cam-1', 'cam-2']) {
      makeFootage(store, dir.path, camera, { seconds: 30, anchorMs, size: '1280x720' });
    }
    store.close();
    const request = await createRequest(
      service,
      caseId,
      ['cam-1', 'cam-2'],
      anchorMs,
      anchorMs + 30_000,
    );
    const of = (line: Line) => line.find((r) => r.id === request.id);

    // 1. Killed while ffmpeg streams into the buffer.
    let engine = engineProcess(dir.path, service, 400_000);
    await engine.until((line) => of(line)?.clips.includes('exporting') === true, 'the export');
    await engine.kill();

    // 2. Back up: the export is redone and the request held; approved on the service side;
    //    killed again part way through the (throttled) upload.
    engine = engineProcess(dir.path, service, 400_000);
    await engine.until((line) => of(line)?.state === 'held', 'held after the restart');
    await service.supervisor.client.decide(request.id, { decision: 'approve' });
    await engine.until(
      (line) => (of(line)?.offsets ?? []).some((offset) => offset > 0),
      'the delivery to be part way',
    );
    await engine.kill();

    // 3. Back up again at full speed: the delivery resumes and completes.
    engine = engineProcess(dir.path, service, null);
    await engine.until((line) => of(line)?.state === 'delivered', 'delivered', 60_000);
    // Killed once more right after: whatever shredding was cut short is finished at start.
    await engine.kill();
    engine = engineProcess(dir.path, service, null);
    await engine.until(
      (line) =>
        of(line)?.state === 'delivered' &&
        line.every((r) => r.bufferFiles === 0 && r.unshredded === 0),
      'the buffer to be empty',
    );
    await engine.kill();

    const found = await service.investigator.client.getRequest(request.id);
    expect(found.state).toBe('delivered');
    const evidence = (await service.investigator.client.listEvidence(caseId)).items;
    expect(evidence.map((e) => e.cameraId).sort()).toEqual(['cam-1', 'cam-2']);
    const audit = (await service.investigator.client.listAudit(caseId)).items;
    expect(audit.filter((a) => a.action === 'evidence.filed')).toHaveLength(2);
    expect(audit.filter((a) => a.action === 'evidence.duplicate')).toHaveLength(0);

    // The hashes filed are those taken at export, and the buffer is empty, keys shredded.
    const after = openStore(dir.path);
    try {
      const clips = after.db
        .prepare('SELECT camera_id, sha256, shredded_at FROM request_clips WHERE request_id = ?')
        .all(request.id) as Array<{
        camera_id: string;
        sha256: string;
        shredded_at: string | null;
      }>;
      for (const clip of clips) {
        expect(evidence.find((e) => e.cameraId === clip.camera_id)?.sha256).toBe(clip.sha256);
        expect(clip.shredded_at).not.toBeNull();
      }
      const buffer = new BufferStore({
        dir: path.join(dir.path, 'buffer'),
        keys: new KeyStore(after),
      });
      expect(await buffer.list()).toEqual([]);
      const live = after.db
        .prepare('SELECT count(*) AS n FROM buffer_keys WHERE wrapped_key IS NOT NULL')
        .get() as { n: number };
      expect(live.n).toBe(0);
    } finally {
      after.close();
    }
  });
});
