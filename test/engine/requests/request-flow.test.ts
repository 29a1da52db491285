import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { buffer as collect } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/engine/store/database.ts';
import type { RequestView } from '../../../src/protocol/engine-state.ts';
import { waitFor } from '../../helpers/video.ts';
import type { Service } from '../../server/service-fixture.ts';
import {
  createRequest,
  type EngineOptions,
  type EngineSide,
  engineSide,
  makeFootage,
  rules,
  serviceWithCase,
  tempDir,
} from './request-rig.ts';

const SECONDS = 20;

let service: Service;
let caseId: string;
let dir: ReturnType<typeof tempDir>;
let engine: EngineSide | undefined;
let anchorMs: number;

beforeEach(async () => {
  ({ service, caseId } = await serviceWithCase());
  dir = tempDir('custody-requests-');
  anchorMs = Date.now() - 60_000;
});

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await service.close();
  dir.remove();
});

/** The engine over `dir` with footage for cam-1 (whole) and cam-2 (4 s missing); none for cam-3. */
function startEngine(options: EngineOptions = {}): EngineSide {
  const store = openStore(dir.path);
  makeFootage(store, dir.path, 'cam-1', { seconds: SECONDS, anchorMs });
  makeFootage(store, dir.path, 'cam-2', { seconds: SECONDS, anchorMs, skip: [2, 3] });
  store.close();
  engine = engineSide(service, dir.path, options);
  return engine;
}

const range = { from: () => anchorMs + 1_000, to: () => anchorMs + 13_000 };

async function waitState(id: string, state: RequestView['state'], timeoutMs = 20_000) {
  return waitFor(
    () => {
      const view = engine?.manager.get(id);
      return view?.state === state ? view : undefined;
    },
    `request ${id} to be ${state} (is ${engine?.manager.get(id)?.state})`,
    timeoutMs,
  );
}

async function serviceState(id: string, state: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await service.investigator.client.getRequest(id);
    if (found.state === state) return found;
    if (Date.now() > deadline)
      throw new Error(`service: request ${id} is ${found.state}, not ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function requestEvents(side: EngineSide, id: string) {
  return side.events.list({ requestId: id, order: 'asc' });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('video requests', () => {
  it('exports every camera into the buffer, reports gaps and a camera without footage, and takes each change once', async () => {
    const side = startEngine();
    const request = await createRequest(
      service,
      caseId,
      ['cam-1', 'cam-2', 'cam-3'],
      range.from(),
      range.to(),
    );
    const held = await waitState(request.id, 'held');
    const [one, two, three] = held.cameras;
    expect(one).toMatchObject({
      id: 'cam-1',
      name: 'Front door',
      state: 'held',
      gaps: [],
      error: null,
    });
    expect(two).toMatchObject({ id: 'cam-2', state: 'held', error: null });
    expect(two?.gaps).toHaveLength(1);
    expect(three).toMatchObject({ id: 'cam-3', state: 'failed', sha256: null });
    expect(three?.error).toMatch(/no footage/);
    expect(three?.gaps).toEqual([
      { from: new Date(range.from()).toISOString(), to: new Date(range.to()).toISOString() },
    ]);

    // What the buffer holds decrypts to exactly the bytes the hash was taken of.
    for (const clip of [one, two]) {
      const plain = await collect(side.buffer.read(`${request.id}-${clip?.id}`));
      expect(sha256(plain)).toBe(clip?.sha256);
      expect(plain.length).toBe(clip?.bytes);
    }
    await serviceState(request.id, 'held');

    // The same change again, by push and by a catch-up from the start: nothing happens twice.
    side.manager.receive(request);
    side.manager.receive({ ...request });
    const replay = await service.system.client.listRequests(0);
    for (const item of replay.items) side.manager.receive(item);
    await side.manager.whenIdle();
    expect(side.manager.cursor).toBeGreaterThanOrEqual(replay.cursor);
    const kinds = requestEvents(side, request.id).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'request.received')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'request.held')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'request.clip_held')).toHaveLength(2);
    expect(kinds).toContain('request.clip_missing');
    expect(side.manager.list().map((r) => r.id)).toEqual([request.id]);
    // Every event of the request names it and its case.
    for (const event of requestEvents(side, request.id)) {
      expect(event.data).toMatchObject({ requestId: request.id, caseId });
    }
  });

  it('never writes plaintext MPEG-TS into the buffer folder while it exports', {
    timeout: 90_000,
  }, async () => {
    const store = openStore(dir.path);
    makeFootage(store, dir.path, 'cam-1', { seconds: 60, anchorMs, size: '640x360' });
    store.close();
    engine = engineSide(service, dir.path);
    const side = engine;
    const request = await createRequest(service, caseId, ['cam-1'], anchorMs, anchorMs + 60_000);
    const scanner = new BufferScanner(side.bufferDir);
    let exporting = true;
    const done = waitState(request.id, 'held', 60_000).finally(() => {
      exporting = false;
    });
    while (exporting) {
      const found = scanner.scan();
      expect(found, `${found} holds MPEG-TS packets`).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const held = await done;
    expect(scanner.scans).toBeGreaterThan(5);
    // Bytes were seen while the file was still being written, not only the finished file.
    expect(scanner.partialBytes).toBeGreaterThan(0);
    // The detector does find the footage once decrypted: the scan above was no blind check.
    const plain = await collect(side.buffer.read(`${request.id}-cam-1`));
    expect(plain.length).toBe(held.cameras[0]?.bytes);
    expect(findTransportStream(plain)).toBeGreaterThanOrEqual(0);
  });

  it('approve → the clips reach the case with their SHA-256 and metadata, then the buffer is shredded', async () => {
    const side = startEngine();
    const request = await createRequest(
      service,
      caseId,
      ['cam-1', 'cam-2'],
      range.from(),
      range.to(),
    );
    const held = await waitState(request.id, 'held');
    const approved = await side.manager.approve(request.id, 'olga.operator');
    expect(approved.decision).toMatchObject({ decision: 'approve', by: 'olga.operator' });
    const delivered = await waitState(request.id, 'delivered');
    await side.manager.whenIdle();
    await serviceState(request.id, 'delivered');

    const evidence = (await service.investigator.client.listEvidence(caseId)).items;
    expect(evidence).toHaveLength(2);
    for (const clip of held.cameras) {
      const filed = evidence.find((e) => e.cameraId === clip.id);
      expect(filed).toMatchObject({
        kind: 'clip',
        filename: `${request.id}-${clip.id}.ts`,
        sha256: clip.sha256,
        size: clip.bytes,
        cameraName: clip.name,
        requestId: request.id,
        from: new Date(range.from()).toISOString(),
        to: new Date(range.to()).toISOString(),
      });
    }
    expect(evidence.find((e) => e.cameraId === 'cam-1')?.cameraLocation).toBe('Lobby');
    expect(delivered.cameras.every((c) => c.state === 'delivered')).toBe(true);
    // Delivered: nothing of the clips is left in the buffer, and no key.
    expect(await side.buffer.list()).toEqual([]);
    for (const clip of held.cameras) {
      expect(() => side.keys.getKey(`${request.id}-${clip.id}`)).toThrow(/shredded/);
    }
    const events = requestEvents(side, request.id);
    expect(events.find((e) => e.kind === 'request.approved')?.data).toMatchObject({
      by: 'olga.operator',
    });
    expect(events.filter((e) => e.kind === 'upload.done')).toHaveLength(2);
    expect(events.filter((e) => e.kind === 'request.clip_shredded')).toHaveLength(2);
    // Uploads ran from the known hash: no hashing pass.
    expect(events.filter((e) => e.kind === 'upload.hashing')).toHaveLength(0);
  });

  it('deny → no key and no file remain, and ciphertext copied before the denial cannot be decrypted', async () => {
    const side = startEngine();
    const request = await createRequest(
      service,
      caseId,
      ['cam-1', 'cam-2'],
      range.from(),
      range.to(),
    );
    await waitState(request.id, 'held');
    const fileIds = ['cam-1', 'cam-2'].map((camera) => `${request.id}-${camera}`);
    const captured = fileIds.map((id) => readFileSync(side.buffer.pathOf(id)));
    const wrapped = fileIds.map((id) => wrappedKey(side, id));

    const denied = await side.manager.deny(request.id, 'outside the warrant', 'olga.operator');
    expect(denied).toMatchObject({
      state: 'destroyed',
      decision: { decision: 'deny', by: 'olga.operator', reason: 'outside the warrant' },
    });
    expect(denied.cameras.map((c) => c.state)).toEqual(['destroyed', 'destroyed']);
    expect(readdirSync(side.bufferDir)).toEqual([]);
    await side.manager.whenIdle();
    await serviceState(request.id, 'destroyed');

    for (const [index, id] of fileIds.entries()) {
      expect(() => side.keys.getKey(id)).toThrow(/shredded/);
      // Not even the database file or its WAL still holds the wrapped key.
      for (const file of ['custody.db', 'custody.db-wal']) {
        const bytes = safeRead(path.join(dir.path, file));
        expect(bytes.indexOf(wrapped[index] as Buffer)).toBe(-1);
      }
      // The copy taken before the denial, put back, opens nothing.
      writeFileSync(side.buffer.pathOf(id), captured[index] as Buffer);
      expect(() => side.buffer.read(id)).toThrow(/shredded/);
    }
    const kinds = requestEvents(side, request.id).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['request.denied', 'request.clip_shredded', 'request.destroyed']),
    );
  });

  it('a held request past its expiry is shredded and reported destroyed', async () => {
    await service.close();
    ({ service, caseId } = await serviceWithCase({ requestExpiryMs: 4_000 }));
    const side = startEngine();
    const request = await createRequest(service, caseId, ['cam-1'], range.from(), range.to());
    await waitState(request.id, 'held');
    const gone = await waitState(request.id, 'destroyed', 15_000);
    expect(gone.cameras[0]?.state).toBe('destroyed');
    expect(await side.buffer.list()).toEqual([]);
    await serviceState(request.id, 'destroyed', 15_000);
    const kinds = requestEvents(side, request.id).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['request.expired', 'request.destroyed']));
  });

  it('an auto-approve rule delivers without asking, only requests it covers whole', async () => {
    const side = startEngine({ rules: rules({ autoApprove: [{ camera: 'cam-1' }] }) });
    const covered = await createRequest(service, caseId, ['cam-1'], range.from(), range.to());
    const mixed = await createRequest(
      service,
      caseId,
      ['cam-1', 'cam-2'],
      range.from(),
      range.to(),
    );
    const delivered = await waitState(covered.id, 'delivered');
    expect(delivered.decision?.by).toMatch(/auto-approve rule \(camera cam-1\)/);
    await waitState(mixed.id, 'held');
    await serviceState(covered.id, 'delivered');
    const evidence = (await service.investigator.client.listEvidence(caseId)).items;
    expect(evidence.map((e) => e.requestId)).toEqual([covered.id]);
    const approved = requestEvents(side, covered.id).find((e) => e.kind === 'request.approved');
    expect(approved?.data).toMatchObject({ by: 'auto-approve rule (camera cam-1)' });
  });

  it('a denial made on the service shreds the held clips too', async () => {
    const side = startEngine();
    const request = await createRequest(service, caseId, ['cam-1'], range.from(), range.to());
    await waitState(request.id, 'held');
    await service.supervisor.client.decide(request.id, {
      decision: 'deny',
      reason: 'no warrant yet',
    });
    const gone = await waitState(request.id, 'destroyed');
    expect(gone.decision).toMatchObject({ decision: 'deny', reason: 'no warrant yet' });
    expect(gone.decision?.by).toMatch(/Sam Supervisor/);
    expect(await side.buffer.list()).toEqual([]);
    await serviceState(request.id, 'destroyed');
  });

  it('a denial while the service is unreachable destroys the footage at once and reaches the service later', async () => {
    const offline = { now: false };
    const side = startEngine({ offline });
    const request = await createRequest(service, caseId, ['cam-1'], range.from(), range.to());
    await waitState(request.id, 'held');
    await serviceState(request.id, 'held');
    offline.now = true;
    const denied = await side.manager.deny(request.id, 'outside the warrant', 'olga.operator');
    expect(denied.state).toBe('destroyed');
    expect(await side.buffer.list()).toEqual([]);
    expect(requestEvents(side, request.id).map((e) => e.kind)).toContain(
      'request.service_call_failed',
    );
    offline.now = false;
    const remote = await serviceState(request.id, 'destroyed', 15_000);
    expect(remote.decision).toMatchObject({ decision: 'deny', reason: 'outside the warrant' });
    // One warning for the outage, not one per retry.
    const warnings = requestEvents(side, request.id).filter(
      (e) => e.kind === 'request.service_call_failed',
    );
    expect(warnings).toHaveLength(1);
  });

  it('without ffmpeg the request fails with a reason that says so', async () => {
    startEngine({ noFfmpeg: true });
    const request = await createRequest(service, caseId, ['cam-1'], range.from(), range.to());
    const failed = await waitState(request.id, 'failed');
    expect(failed.failureReason).toMatch(/ffmpeg is not available/);
    expect(failed.cameras[0]).toMatchObject({ state: 'failed' });
    const remote = await serviceState(request.id, 'failed');
    expect(remote.failureReason).toMatch(/ffmpeg/);
  });

  it('refuses a request over maxRange and tells the service why', async () => {
    const side = startEngine({ rules: rules({ maxRange: '10s' }) });
    const request = await createRequest(
      service,
      caseId,
      ['cam-1'],
      range.from(),
      range.from() + 20_000,
    );
    const failed = await waitState(request.id, 'failed');
    expect(failed.failureReason).toMatch(/more than the 10s .*requests\.maxRange/);
    const remote = await serviceState(request.id, 'failed');
    expect(remote.failureReason).toMatch(/maxRange/);
    expect(await side.buffer.list()).toEqual([]);
  });
});

describe('video requests across restarts', () => {
  it('redoes an export that was interrupted, with leftovers of the crash swept', {
    timeout: 90_000,
  }, async () => {
    const store = openStore(dir.path);
    makeFootage(store, dir.path, 'cam-1', { seconds: 30, anchorMs, size: '1280x720' });
    makeFootage(store, dir.path, 'cam-2', { seconds: 30, anchorMs, size: '1280x720' });
    store.close();
    engine = engineSide(service, dir.path);
    const request = await createRequest(
      service,
      caseId,
      ['cam-1', 'cam-2'],
      anchorMs,
      anchorMs + 60_000,
    );
    await waitFor(
      () => engine?.manager.get(request.id)?.cameras.some((c) => c.state === 'exporting'),
      'the export to start',
    );
    await engine.stop();
    engine = undefined;
    const stopped = openStore(dir.path);
    const states = stopped.db
      .prepare('SELECT state FROM request_clips WHERE request_id = ?')
      .all(request.id)
      .map((row) => row.state);
    stopped.close();
    // Stopped mid-export: the unfinished clips wait to be redone.
    expect(states).toContain('exporting');
    // What a SIGKILL would leave too: a half-written temp file.
    writeFileSync(path.join(dir.path, 'buffer', `.${request.id}-cam-1.cbuf.dead`), 'x');

    engine = engineSide(service, dir.path);
    const side = engine;
    const held = await waitState(request.id, 'held', 60_000);
    expect(held.cameras.map((c) => c.state)).toEqual(['held', 'held']);
    expect(readdirSync(side.bufferDir).sort()).toEqual(
      [`${request.id}-cam-1.cbuf`, `${request.id}-cam-2.cbuf`].sort(),
    );
    for (const clip of held.cameras) {
      const plain = await collect(side.buffer.read(`${request.id}-${clip.id}`));
      expect(sha256(plain)).toBe(clip.sha256);
    }
    const kinds = requestEvents(side, request.id).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'request.received')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'request.held')).toHaveLength(1);
  });

  it('finishes a half-done delivery after a restart, each clip filed once', async () => {
    const store = openStore(dir.path);
    makeFootage(store, dir.path, 'cam-1', { seconds: 30, anchorMs, size: '640x360' });
    store.close();
    // Slow enough that the engine stops mid-upload.
    engine = engineSide(service, dir.path, { rate: 200_000, chunkSize: 64 * 1024 });
    const request = await createRequest(service, caseId, ['cam-1'], anchorMs, anchorMs + 30_000);
    const held = await waitState(request.id, 'held');
    const size = held.cameras[0]?.bytes ?? 0;
    expect(size).toBeGreaterThan(400_000);
    await engine.manager.approve(request.id, 'olga.operator');
    const queue = engine.queue;
    await waitFor(() => {
      const job = queue.list().find((j) => j.sourceKind === 'request');
      return job !== undefined && job.offset > 0 && job.offset < size;
    }, 'the delivery to be part way');
    await engine.stop();
    engine = undefined;

    engine = engineSide(service, dir.path);
    const side = engine;
    await waitState(request.id, 'delivered', 30_000);
    await side.manager.whenIdle();
    const evidence = (await service.investigator.client.listEvidence(caseId)).items;
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ sha256: held.cameras[0]?.sha256, size });
    const jobs = side.queue.list().filter((j) => j.sourceKind === 'request');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.state).toBe('done');
    const audit = (await service.investigator.client.listAudit(caseId)).items;
    expect(audit.filter((a) => a.action === 'evidence.duplicate')).toHaveLength(0);
    expect(await side.buffer.list()).toEqual([]);
  });
});

/**
 * Scans every file in a folder, each time reading only what was added since the last scan
 * (plus an overlap, so a packet run across the boundary is still seen): a growing file is
 * checked all the way through without re-reading it whole each time.
 */
class BufferScanner {
  scans = 0;
  /** Bytes read from hidden files, the ones still being written. */
  partialBytes = 0;
  readonly #seen = new Map<string, number>();

  constructor(readonly folder: string) {}

  /** The name of a file holding MPEG-TS packets, or undefined. */
  scan(): string | undefined {
    this.scans += 1;
    for (const name of safeList(this.folder)) {
      const from = Math.max(0, (this.#seen.get(name) ?? 0) - 188 * 5);
      const bytes = safeRead(path.join(this.folder, name), from);
      if (name.startsWith('.')) this.partialBytes += bytes.length;
      this.#seen.set(name, from + bytes.length);
      if (findTransportStream(bytes) >= 0) return name;
    }
    return undefined;
  }
}

/** Offset of the first run of 5 MPEG-TS packets (0x47 every 188 bytes), or -1. */
function findTransportStream(bytes: Buffer): number {
  const RUN = 5;
  for (let at = bytes.indexOf(0x47); at >= 0; at = bytes.indexOf(0x47, at + 1)) {
    if (at + 188 * (RUN - 1) >= bytes.length) return -1;
    let run = 1;
    while (run < RUN && bytes[at + 188 * run] === 0x47) run += 1;
    if (run === RUN) return at;
  }
  return -1;
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** A file (from `from` on) that may vanish (renamed, removed) between listing and reading. */
function safeRead(file: string, from = 0): Buffer {
  try {
    if (from === 0) return readFileSync(file);
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const bytes = Buffer.alloc(Math.max(0, size - from));
      readSync(fd, bytes, 0, bytes.length, from);
      return bytes;
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

function wrappedKey(side: EngineSide, fileId: string): Buffer {
  const row = side.store.db
    .prepare('SELECT wrapped_key FROM buffer_keys WHERE file_id = ?')
    .get(fileId) as { wrapped_key: Uint8Array };
  return Buffer.from(row.wrapped_key);
}
