import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferStore } from '../../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../../src/engine/crypto/key-store.ts';
import { ServiceRestClient } from '../../src/engine/service/rest-client.ts';
import { openStore } from '../../src/engine/store/database.ts';
import type { RequestView } from '../../src/protocol/engine-state.ts';
import { custodyEventSchema } from '../../src/protocol/events.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { openTestEngine } from '../helpers/engine.ts';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process.ts';
import { until } from '../helpers/until.ts';
import { siteCamera } from '../helpers/video.ts';

type TestEngine = Awaited<ReturnType<typeof openTestEngine>>;

/**
 * The whole chain as it runs at a site: a separate `custody server`, an investigator creating
 * requests with `custody request create`, the engine recording two cameras, exporting into the
 * encrypted buffer, and delivering or destroying on the operator's word.
 */
describe('video requests end to end', () => {
  const service = tempDir('custody-e2e-service-');
  let site: ServiceProcess;
  let test: TestEngine;

  beforeAll(async () => {
    site = await startServiceProcess(service.path);
    test = await openTestEngine({
      service: { mode: 'remote', integrationFile: site.integrationFile },
      cameras: [siteCamera('lobby', 'testsrc2'), siteCamera('yard', 'smptebars')],
      docks: [],
      syncFolders: [],
      uploads: { schedule: [], bandwidth: 'unlimited' },
    });
    await until('both cameras recording and the service ready', () => {
      const state = test.engine.state();
      return (
        state.connection.state === 'ready' && state.cameras.every((c) => c.state === 'recording')
      );
    });
    // A few segments of footage, and the registry on the service.
    await new Promise((resolve) => setTimeout(resolve, 7000));
  }, 90_000);

  afterAll(async () => {
    await test?.close();
    await site?.stop();
    service.remove();
  });

  const createRequest = (reason: string) => site.requestFootage(['lobby', 'yard'], reason);

  const request = (id: string): RequestView | undefined =>
    test.engine.state().requests.find((r) => r.id === id);

  it('holds a request encrypted, delivers it on approval with matching hashes and metadata', async () => {
    const id = await createRequest('Break-in at the lobby');
    const held = await until(
      'the request held',
      () => request(id)?.state === 'held' && request(id),
    );
    expect(held.cameras.map((c) => c.state)).toEqual(['held', 'held']);
    expect(held.cameras.every((c) => c.sha256 !== null && c.bytes > 0)).toBe(true);

    await test.engine.run('requests.approve', { id });
    await until('the request delivered', () => request(id)?.state === 'delivered', 60_000);

    const investigator = new ServiceRestClient({ url: site.url, apiKey: site.investigatorKey });
    const detail = await investigator.getRequest(id);
    expect(detail.state).toBe('delivered');
    expect(detail.decision?.decision).toBe('approve');
    const byCamera = new Map(detail.evidence.map((e) => [e.cameraId, e]));
    for (const camera of held.cameras) {
      expect(byCamera.get(camera.id)).toMatchObject({
        caseId: site.caseId,
        kind: 'clip',
        sha256: camera.sha256,
        cameraName: `Camera ${camera.id}`,
        cameraLocation: `Location of ${camera.id}`,
        requestId: id,
      });
    }
    // Delivered footage leaves the buffer: nothing of this request is left to decrypt.
    const buffer = path.join(test.dir, 'data', 'buffer');
    await until('the delivered clips shredded', () =>
      readdirSync(buffer).every((name) => !name.startsWith(id)),
    );
    // The chain of custody, as an auditor exports it while the engine runs.
    const exported = await runCli([
      'events',
      '--request',
      id,
      '--json',
      '--config',
      test.configFile,
      '--data',
      path.join(test.dir, 'data'),
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    // JSON lines, one event a line, each of the log's own schema.
    const audit = exported.stdout
      .trim()
      .split('\n')
      .map((line) => custodyEventSchema.parse(JSON.parse(line)));
    const kinds = audit.map((event) => event.kind);
    for (const step of [
      'request.received',
      'request.exporting',
      'request.clip_held',
      'request.held',
      'request.approved',
      'request.delivering',
      'upload.filed',
      'request.delivered',
      'request.clip_shredded',
    ]) {
      expect(kinds, step).toContain(step);
    }
    expect(kinds.indexOf('request.held')).toBeLessThan(kinds.indexOf('request.approved'));
    expect(kinds.lastIndexOf('upload.filed')).toBeLessThan(kinds.indexOf('request.delivered'));
    expect(audit.every((event) => event.data.requestId === id)).toBe(true);
    const filedHashes = audit
      .filter((event) => event.kind === 'upload.filed')
      .map((event) => event.data.sha256)
      .sort();
    expect(filedHashes).toEqual(held.cameras.map((camera) => camera.sha256).sort());
  }, 120_000);

  it('destroys a denied request: no file, no key, and a captured copy cannot be decrypted', async () => {
    const id = await createRequest('Curiosity');
    await until('the request held', () => request(id)?.state === 'held');
    const buffer = path.join(test.dir, 'data', 'buffer');
    const captured = path.join(test.dir, 'captured');
    mkdirSync(captured, { recursive: true });
    const before = readdirSync(buffer).filter((name) => name.startsWith(id));
    expect(before.length).toBeGreaterThanOrEqual(2);
    for (const name of before) copyFileSync(path.join(buffer, name), path.join(captured, name));

    await test.engine.run('requests.deny', { id, reason: 'No legal basis' });
    await until('the request destroyed', () => request(id)?.state === 'destroyed');
    expect(readdirSync(buffer).filter((name) => name.startsWith(id))).toEqual([]);

    // The captured ciphertext opens nothing: its key is gone from the engine's store.
    const store = openStore(path.join(test.dir, 'data'));
    try {
      const copies = new BufferStore({ dir: captured, keys: new KeyStore(store) });
      for (const name of before) {
        expect(() => copies.read(name.replace(/\.cbuf$/, ''))).toThrow(/shredded/i);
      }
    } finally {
      store.close();
    }
    const service = new ServiceRestClient({ url: site.url, apiKey: site.investigatorKey });
    expect((await service.getRequest(id)).state).toBe('destroyed');
    expect((await service.getRequest(id)).evidence).toEqual([]);
  }, 120_000);

  it('exports a request that arrived while the engine was down before any waiting upload starts', async () => {
    // Files waiting in the queue when the engine stops.
    const waiting = path.join(test.dir, 'waiting');
    mkdirSync(waiting, { recursive: true });
    for (let i = 0; i < 3; i++) {
      writeFileSync(path.join(waiting, `interview-${i}.bin`), randomBytes(512 * 1024));
    }
    // Bandwidth off keeps them queued until they are paused; paused they survive the stop.
    await test.engine.run('bandwidth.set', { bytesPerSecond: 0 });
    const added = await test.engine.run('uploads.add', { paths: [waiting] });
    const jobIds = added.flatMap((file) => (file.ok ? [file.jobId] : []));
    expect(jobIds).toHaveLength(3);
    await test.engine.run('uploads.pause', { all: true });
    await test.engine.run('bandwidth.set', { bytesPerSecond: 'schedule' });
    await test.engine.close();

    const id = await createRequest('Asked for while the workstation was off');
    const engine = await test.reopen();
    const restartedAt = engine.events.list({ kinds: ['engine.started'] }).at(-1)?.seq ?? 0;
    await engine.run('uploads.resume', { all: true });
    await until('the request held', () => request(id)?.state === 'held');
    await until('the waiting files filed', () =>
      jobIds.every(
        (job) => engine.state().uploads.jobs.find((j) => j.id === job)?.state === 'done',
      ),
    );

    const held = engine.events.list({ kinds: ['request.held'], requestId: id })[0];
    const started = engine.events
      .list({ kinds: ['upload.hashing', 'upload.uploading'] })
      .filter((event) => event.seq > restartedAt && jobIds.includes(event.subject ?? ''));
    expect(held).toBeDefined();
    expect(started.length).toBeGreaterThan(0);
    for (const event of started) expect(event.seq).toBeGreaterThan(held?.seq ?? 0);
  }, 120_000);
});
