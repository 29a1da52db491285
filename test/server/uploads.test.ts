import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiErrorBody,
  type UploadMetadataInput,
  uploadResultSchema,
} from '../../src/protocol/service.ts';
import { caseWithCameras, type Service, startService, window } from './service-fixture.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const CHUNK = 64 * 1024;

type Outcome = { ok: true; body: string } | { ok: false; status: number | undefined; body: string };

/** tus-js-client, not our code, as the peer: a Node Buffer with a chunk size. */
function upload(
  service: Service,
  key: string,
  bytes: Buffer,
  metadata: UploadMetadataInput,
  extra: Partial<tus.UploadOptions> = {},
) {
  let instance: tus.Upload | undefined;
  const done = new Promise<Outcome>((resolve) => {
    instance = new tus.Upload(bytes, {
      endpoint: `${service.url}/v1/uploads`,
      headers: { authorization: `Bearer ${key}` },
      chunkSize: CHUNK,
      retryDelays: [],
      metadata: metadata as Record<string, string>,
      onSuccess: ({ lastResponse }) => resolve({ ok: true, body: lastResponse.getBody() }),
      onError: (err) => {
        const response = (err as tus.DetailedError).originalResponse;
        resolve({
          ok: false,
          status: response?.getStatus(),
          body: response?.getBody() ?? err.message,
        });
      },
      ...extra,
    });
    instance.start();
  });
  return { upload: instance as unknown as tus.Upload, done };
}

describe('evidence uploads over tus', () => {
  let service: Service;
  let caseId: string;
  beforeEach(async () => {
    service = await startService();
    caseId = (await caseWithCameras(service)).id;
  });
  afterEach(() => service.close());

  const metaFor = (
    bytes: Buffer,
    extra: Partial<UploadMetadataInput> = {},
  ): UploadMetadataInput => ({
    caseId,
    kind: 'clip',
    filename: 'front-door.mp4',
    sha256: sha256(bytes),
    size: String(bytes.length),
    cameraId: 'cam-1',
    cameraName: 'Front door',
    cameraLocation: 'Lobby',
    ...window,
    ...extra,
  });

  it('resumes after the connection is cut mid-file and files evidence with a matching SHA-256', async () => {
    const bytes = randomBytes(1024 * 1024 + 123);
    const meta = metaFor(bytes);
    let cut: () => void = () => {};
    const cutDone = new Promise<void>((resolve) => {
      cut = resolve;
    });
    const first = upload(service, service.investigator.key, bytes, meta, {
      onChunkComplete: (_size, accepted) => {
        // Abort drops the connection mid-request, like a network loss.
        if (accepted >= 4 * CHUNK) void first.upload.abort().then(cut);
      },
    });
    await cutDone;
    const uploadUrl = first.upload.url ?? '';
    const head = await fetch(uploadUrl, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${service.investigator.key}`, 'tus-resumable': '1.0.0' },
    });
    const offsetAtResume = Number(head.headers.get('upload-offset'));
    expect(offsetAtResume).toBeGreaterThan(0);
    expect(offsetAtResume).toBeLessThan(bytes.length);

    let firstProgress: number | undefined;
    const second = upload(service, service.investigator.key, bytes, meta, {
      uploadUrl,
      onProgress: (sent) => {
        firstProgress ??= sent;
      },
    });
    const outcome = await second.done;
    expect(outcome.ok).toBe(true);
    // The second session started where the server was, not from zero.
    expect(firstProgress).toBeGreaterThanOrEqual(offsetAtResume);

    const result = uploadResultSchema.parse(JSON.parse(outcome.ok ? outcome.body : ''));
    expect(result).toMatchObject({
      duplicate: false,
      evidence: { sha256: sha256(bytes), size: bytes.length, caseId },
    });
    expect(result.evidence).toMatchObject({
      cameraId: 'cam-1',
      cameraName: 'Front door',
      cameraLocation: 'Lobby',
      ...window,
    });

    const listed = await service.investigator.client.listEvidence(caseId);
    expect(listed.items.map((e) => e.sha256)).toEqual([sha256(bytes)]);
    const content = await fetch(`${service.url}/v1/evidence/${result.evidence.id}/content`, {
      headers: { authorization: `Bearer ${service.investigator.key}` },
    });
    expect(sha256(Buffer.from(await content.arrayBuffer()))).toBe(sha256(bytes));
    const audit = await service.investigator.client.listAudit(caseId);
    expect(audit.items.at(-1)).toMatchObject({
      action: 'evidence.filed',
      detail: { sha256: sha256(bytes) },
    });
  });

  it("files a snapshot's name and description, and takes an empty value as none", async () => {
    const named = randomBytes(3000);
    const plain = randomBytes(3000);
    const described = {
      kind: 'snapshot',
      name: 'Person at door',
      description: 'Red jacket',
    } as const;
    const blank = {
      kind: 'snapshot',
      name: 'Empty hall',
      description: '',
      cameraLocation: '',
    } as const;
    const key = service.investigator.key;
    expect((await upload(service, key, named, metaFor(named, described)).done).ok).toBe(true);
    expect((await upload(service, key, plain, metaFor(plain, blank)).done).ok).toBe(true);
    const listed = await service.investigator.client.listEvidence(caseId);
    expect(
      listed.items.map(({ name, description, cameraLocation }) => ({
        name,
        description,
        cameraLocation,
      })),
    ).toEqual([
      { name: 'Person at door', description: 'Red jacket', cameraLocation: 'Lobby' },
      { name: 'Empty hall', description: null, cameraLocation: null },
    ]);
  });

  it('rejects a tampered upload with a clear error and leaves nothing in the case', async () => {
    const announced = randomBytes(200_000);
    const sent = Buffer.from(announced);
    sent[1000] = (sent[1000] ?? 0) ^ 0xff;
    const outcome = await upload(service, service.investigator.key, sent, metaFor(announced)).done;
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.status).toBe(460);
    const error = (JSON.parse(outcome.body) as ApiErrorBody).error;
    expect(error.code).toBe('checksum_mismatch');
    expect(error.message).toContain(`not the announced ${sha256(announced)}`);

    expect((await service.investigator.client.listEvidence(caseId)).items).toEqual([]);
    const stored = readdirSync(path.join(service.dir.path, 'uploads'));
    expect(stored).toEqual([]);
    const audit = await service.investigator.client.listAudit(caseId);
    expect(audit.items.at(-1)).toMatchObject({ action: 'evidence.rejected' });
  });

  it('recognises an identical re-upload and does not store it twice', async () => {
    const bytes = randomBytes(150_000);
    const first = await upload(service, service.investigator.key, bytes, metaFor(bytes)).done;
    const second = await upload(
      service,
      service.investigator.key,
      bytes,
      metaFor(bytes, { filename: 'copy.mp4' }),
    ).done;
    if (!first.ok || !second.ok) throw new Error('uploads failed');
    const a = uploadResultSchema.parse(JSON.parse(first.body));
    const b = uploadResultSchema.parse(JSON.parse(second.body));
    expect(b).toMatchObject({ duplicate: true, evidence: { id: a.evidence.id } });
    expect((await service.investigator.client.listEvidence(caseId)).items).toHaveLength(1);
    // Only the first upload's bytes and its info file remain.
    expect(readdirSync(path.join(service.dir.path, 'uploads'))).toHaveLength(2);
  });

  it('refuses to create an upload without manage on the case, or with bad metadata', async () => {
    const bytes = randomBytes(1000);
    const outsider = service.account({ kind: 'user', name: 'Olga Other', role: 'investigator' });
    const denied = await upload(service, outsider.key, bytes, metaFor(bytes)).done;
    expect(denied).toMatchObject({ ok: false, status: 403 });
    expect(denied.ok ? '' : denied.body).toContain(`manage permission on case ${caseId} is needed`);

    const bad = await upload(
      service,
      service.investigator.key,
      bytes,
      metaFor(bytes, { kind: 'movie' as 'clip', sha256: 'abc' }),
    ).done;
    expect(bad).toMatchObject({ ok: false, status: 400 });
    const fields = (JSON.parse(bad.ok ? '' : bad.body) as ApiErrorBody).error.fields?.map(
      (f) => f.path,
    );
    expect(fields).toEqual(['kind', 'sha256']);

    const wrongKey = await upload(
      service,
      'cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      bytes,
      metaFor(bytes),
    ).done;
    expect(wrongKey).toMatchObject({ ok: false, status: 401 });
  });

  it('hides an upload from everyone but its uploader', async () => {
    const bytes = randomBytes(1000);
    const meta = metaFor(bytes);
    const encoded = Object.entries(meta)
      .map(([k, v]) => `${k} ${Buffer.from(String(v)).toString('base64')}`)
      .join(',');
    const tusHeaders = (key: string) => ({
      authorization: `Bearer ${key}`,
      'tus-resumable': '1.0.0',
    });
    const created = await fetch(`${service.url}/v1/uploads`, {
      method: 'POST',
      headers: {
        ...tusHeaders(service.investigator.key),
        'upload-length': String(bytes.length),
        'upload-metadata': encoded,
      },
    });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location') ?? '', service.url).href;
    const own = await fetch(location, {
      method: 'HEAD',
      headers: tusHeaders(service.investigator.key),
    });
    expect(own.headers.get('upload-offset')).toBe('0');
    const other = await fetch(location, {
      method: 'HEAD',
      headers: tusHeaders(service.supervisor.key),
    });
    expect(other.status).toBe(404);
  });

  it('lets the system deliver into the case of an approved request', async () => {
    const request = await service.investigator.client.createRequest({
      systemId: service.system.principal.id,
      cameras: ['cam-1'],
      ...window,
      caseId,
      reason: 'Break-in',
    });
    const bytes = randomBytes(5000);
    const meta = metaFor(bytes, { requestId: request.id });
    const early = await upload(service, service.system.key, bytes, meta).done;
    expect(early).toMatchObject({ ok: false, status: 403 });
    await service.supervisor.client.decide(request.id, { decision: 'approve' });
    const delivered = await upload(service, service.system.key, bytes, meta).done;
    expect(delivered.ok).toBe(true);
    const detail = await service.investigator.client.getRequest(request.id);
    expect(detail.evidence.map((e) => e.sha256)).toEqual([sha256(bytes)]);
  });
});
