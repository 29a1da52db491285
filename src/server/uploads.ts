/**
 * Evidence uploads over tus 1.0 (@tus/server): the protocol, resume and expiry are the
 * library's; this module only decides who may upload where and checks the bytes at the end.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Server as TusServer, type Upload } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type Principal,
  type UploadMetadata,
  type UploadResult,
  uploadMetadataSchema,
} from '../protocol/service.ts';
import { authenticate, hasLevel } from './access.ts';
import { ApiError, parseInput } from './api-error.ts';
import type { ServiceContext } from './context.ts';
import { publicEvidence } from './routes/cases.ts';

export const UPLOADS_PATH = '/v1/uploads';

type TusRequest = { method: string; headers: Headers };

/** @tus/server answers a thrown `{ status_code, body }` with exactly that. */
function tusError(err: unknown): unknown {
  return err instanceof ApiError
    ? { status_code: err.status, body: JSON.stringify(err.body()) }
    : err;
}

async function sha256Of(ctx: ServiceContext, id: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(ctx.store.read(id), hash);
  return hash.digest('hex');
}

/**
 * @tus/server reads an empty value as null (tus sends it as a bare key, or with empty base64):
 * that key is left out, like a snapshot without a description or a camera without a location.
 */
function uploadMetadata(upload: Upload): UploadMetadata {
  const given = Object.entries(upload.metadata ?? {}).filter(([, value]) => value !== null);
  return parseInput(uploadMetadataSchema, Object.fromEntries(given), 'Upload-Metadata');
}

export function createTusServer(ctx: ServiceContext): TusServer {
  const { repo, store } = ctx;
  const principalOf = (req: TusRequest): Principal =>
    authenticate(repo, req.headers.get('authorization')).principal;

  function checkCreate(principal: Principal, upload: Upload): void {
    const meta = uploadMetadata(upload);
    if (upload.size === undefined) {
      throw new ApiError(
        'bad_request',
        'Upload-Length is required — send the file size when creating the upload',
      );
    }
    if (meta.size !== undefined && meta.size !== upload.size) {
      throw new ApiError(
        'bad_request',
        `metadata size ${meta.size} differs from Upload-Length ${upload.size}`,
        [{ path: 'size', message: 'must equal Upload-Length' }],
      );
    }
    if (!repo.getCase(meta.caseId)) {
      throw new ApiError('bad_request', `no case ${meta.caseId}`, [
        { path: 'caseId', message: 'unknown case: see GET /v1/cases' },
      ]);
    }
    const request = meta.requestId === undefined ? undefined : repo.getRequest(meta.requestId);
    if (meta.requestId !== undefined && request?.caseId !== meta.caseId) {
      throw new ApiError(
        'bad_request',
        `request ${meta.requestId} does not belong to case ${meta.caseId}`,
        [{ path: 'requestId', message: 'unknown request, or one for another case' }],
      );
    }
    // Approval of a request is what entitles its system to deliver into the request's case.
    const delivering =
      request?.systemId === principal.id &&
      (request.state === 'approved' || request.state === 'delivering');
    if (!delivering && !hasLevel(repo, meta.caseId, principal, 'manage')) {
      throw new ApiError(
        'forbidden',
        `manage permission on case ${meta.caseId} is needed to attach evidence — ask someone who manages the case to grant it`,
      );
    }
  }

  async function finish(principal: Principal, upload: Upload): Promise<UploadResult> {
    const meta = uploadMetadata(upload);
    const actual = await sha256Of(ctx, upload.id);
    if (actual !== meta.sha256) {
      await store.remove(upload.id);
      repo.addAudit({
        caseId: meta.caseId,
        actor: principal,
        action: 'evidence.rejected',
        detail: { filename: meta.filename, announced: meta.sha256, received: actual },
      });
      throw new ApiError(
        'checksum_mismatch',
        `${meta.filename}: the bytes received hash to ${actual}, not the announced ${meta.sha256}; the upload was discarded — check the file and upload it again`,
      );
    }
    const outcome = repo.transaction(() => {
      const existing = repo.findEvidence(meta.caseId, actual);
      if (existing) {
        repo.addAudit({
          caseId: meta.caseId,
          actor: principal,
          action: 'evidence.duplicate',
          detail: { evidenceId: existing.id, filename: meta.filename, sha256: actual },
        });
        repo.recordUploadResult({
          uploadId: upload.id,
          uploaderId: principal.id,
          evidenceId: existing.id,
          duplicate: true,
        });
        return { evidence: existing, duplicate: true };
      }
      const evidence = repo.addEvidence({
        caseId: meta.caseId,
        kind: meta.kind,
        filename: meta.filename,
        name: meta.name ?? null,
        description: meta.description ?? null,
        size: upload.size ?? 0,
        sha256: actual,
        cameraId: meta.cameraId ?? null,
        cameraName: meta.cameraName ?? null,
        cameraLocation: meta.cameraLocation ?? null,
        from: meta.from ?? null,
        to: meta.to ?? null,
        requestId: meta.requestId ?? null,
        uploadedBy: principal,
        storageId: upload.id,
      });
      repo.recordUploadResult({
        uploadId: upload.id,
        uploaderId: principal.id,
        evidenceId: evidence.id,
        duplicate: false,
      });
      repo.addAudit({
        caseId: meta.caseId,
        actor: principal,
        action: 'evidence.filed',
        detail: {
          evidenceId: evidence.id,
          filename: meta.filename,
          sha256: actual,
          size: evidence.size,
        },
      });
      return { evidence, duplicate: false };
    });
    if (outcome.duplicate) await store.remove(upload.id);
    return { evidence: publicEvidence(outcome.evidence), duplicate: outcome.duplicate };
  }

  return new TusServer({
    path: UPLOADS_PATH,
    datastore: store,
    // Relative, so the Location stays right behind TLS or a proxy without trusting headers.
    relativeLocation: true,
    // Filed evidence leaves only through the case, never by a tus DELETE.
    disableTerminationForFinishedUploads: true,
    async onIncomingRequest(req, uploadId) {
      try {
        const principal = principalOf(req);
        if (req.method === 'POST') return;
        const upload = await store.getUpload(uploadId).catch(() => undefined);
        // Another uploader's upload is reported as missing rather than confirmed to exist.
        if (upload && upload.metadata?.uploaderId !== principal.id) {
          throw new ApiError('not_found', `no upload ${uploadId}`);
        }
      } catch (err) {
        throw tusError(err);
      }
    },
    async onUploadCreate(req, upload) {
      try {
        const principal = principalOf(req);
        checkCreate(principal, upload);
        return { metadata: { ...upload.metadata, uploaderId: principal.id } };
      } catch (err) {
        throw tusError(err);
      }
    },
    async onUploadFinish(req, upload) {
      try {
        const result = await finish(principalOf(req), upload);
        return {
          status_code: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(result),
        };
      } catch (err) {
        throw tusError(err);
      }
    },
  });
}

export function uploadRoutes(app: FastifyInstance, tus: TusServer, ctx: ServiceContext): void {
  // Outside tus: an uploader that lost the last PATCH's answer learns what its upload became.
  app.get<{ Params: { id: string } }>(`${UPLOADS_PATH}/:id/result`, async (request) => {
    const outcome = ctx.repo.getUploadResult(request.params.id);
    if (!outcome || outcome.uploaderId !== request.principal.id) {
      throw new ApiError(
        'not_found',
        `upload ${request.params.id} has not been filed — if all its bytes were sent, the service is still checking them or rejected them; resume or upload it again`,
      );
    }
    const evidence = ctx.repo.getEvidence(outcome.evidenceId);
    if (!evidence) throw new ApiError('not_found', `evidence ${outcome.evidenceId} is gone`);
    return { evidence: publicEvidence(evidence), duplicate: outcome.duplicate };
  });
  // tus reads the body itself; fastify must leave the stream untouched.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) =>
    done(null),
  );
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };
  app.all(UPLOADS_PATH, handle);
  app.all(`${UPLOADS_PATH}/*`, handle);
}
