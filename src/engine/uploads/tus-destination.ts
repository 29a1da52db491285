import type { Agent } from 'node:https';
import { CustodyError } from '../../core/errors.ts';
import { pinnedAgent } from '../service/tls-pin.ts';
import { type Destination, PermanentUploadError, type TransferContext } from './destination.ts';
import { checkSourceUnchanged } from './job-source.ts';
import { TusClient, TusError } from './tus-client.ts';
import type { CaseChoice, UploadJob } from './upload-job.ts';

export type TusDestinationOptions = {
  id: string;
  /** Creation endpoint, e.g. `https://archive.example.org/files/`. */
  endpoint: string;
  headers?: () => Record<string, string>;
  agent?: Agent;
};

// Statuses a retry cannot fix: credentials, size limits, no tus here, and 460, the tus
// checksum extension's "checksum mismatch". Not 400: a body cut short by the network also
// gets one, and the next HEAD says where to go on.
const PERMANENT_STATUSES = new Set([401, 403, 405, 413, 415, 460]);

function caseMetadata(choice: CaseChoice): Record<string, string> {
  if (choice === 'none') return {};
  if ('id' in choice) return { caseId: choice.id };
  const { newCase, departmentId, categoryId, description } = choice;
  return {
    newCase,
    ...(departmentId ? { departmentId } : {}),
    ...(categoryId ? { categoryId } : {}),
    ...(description ? { description } : {}),
  };
}

/**
 * tus metadata: the job's own, then the file's name, hash and case (which always win). The
 * name is the file's, except for a request clip, whose buffer file name means nothing to the
 * case: it keeps the evidence name it was queued with.
 */
export function tusMetadata(job: UploadJob): Record<string, string> {
  const base = job.path.split(/[\\/]/).pop() ?? job.path;
  const name = job.sourceKind === 'request' ? (job.metadata.filename ?? base) : base;
  return {
    ...job.metadata,
    filename: name,
    sha256: job.sha256 ?? '',
    ...caseMetadata(job.caseChoice),
  };
}

/**
 * Any tus endpoint. The evidence service is one too (`serviceDestination`): same code, with a
 * Bearer token and the case in the metadata.
 */
export class TusDestination implements Destination {
  readonly id: string;
  // A plain tus server only tells its offset, never what hash it holds.
  readonly verifiesHash = false;
  readonly #endpoint: string;
  readonly #client: TusClient;

  constructor(options: TusDestinationOptions) {
    this.id = options.id;
    this.#endpoint = options.endpoint;
    this.#client = new TusClient({ headers: options.headers, agent: options.agent });
  }

  async transfer(job: UploadJob, context: TransferContext): Promise<void> {
    const { signal } = context;
    const resumed = job.uploadUrl === null ? undefined : await this.#resume(job.uploadUrl, signal);
    const url =
      resumed?.url ??
      (await sorted(this.#client.create(this.#endpoint, job.size, tusMetadata(job), signal)));
    let offset = resumed?.offset ?? 0;
    context.onProgress(url, offset);
    while (offset < job.size) {
      await checkSourceUnchanged(job, context.source);
      await context.gate.whenOpen(signal);
      const end = Math.min(job.size, offset + context.chunkSize);
      const body = whole(
        context.source.read(offset, end, context.gate, signal, context.onSent),
        end - offset,
      );
      try {
        offset = await sorted(this.#client.patch(url, offset, end - offset, body, signal));
      } catch (err) {
        if (finishedWith(err, end, job.size)) {
          // The evidence service answers the last PATCH with 200 and the filed evidence (and
          // drops a duplicate's upload, so a HEAD afterwards would find it gone): all arrived.
          offset = end;
          context.onProgress(url, offset);
          continue;
        }
        // The bandwidth went off mid-request, which cut it: no failure, wait and resume.
        if (context.gate.open || signal.aborted) throw err;
        await context.gate.whenOpen(signal);
        offset = await sorted(this.#client.offset(url, signal));
      }
      context.onProgress(url, offset);
    }
  }

  /** The server's offset; undefined when it dropped the upload (expired), to start over. */
  async #resume(
    url: string,
    signal: AbortSignal,
  ): Promise<{ url: string; offset: number } | undefined> {
    try {
      return { url, offset: await this.#client.offset(url, signal) };
    } catch (err) {
      if (err instanceof TusError && err.gone) return undefined;
      throw permanentIf(err);
    }
  }

  async discard(job: UploadJob): Promise<void> {
    if (job.uploadUrl !== null) await this.#client.terminate(job.uploadUrl);
  }

  async verify(job: UploadJob, signal: AbortSignal): Promise<void> {
    if (job.uploadUrl === null) throw new CustodyError(`upload ${job.id} has no URL`, 'retry it');
    const offset = await this.#client.offset(job.uploadUrl, signal);
    if (offset !== job.size) {
      throw new CustodyError(
        `the destination holds ${offset} of ${job.size} bytes of ${job.path}`,
        'the upload resumes from there',
      );
    }
  }
}

/** Fails unless `source` gives `length` bytes, so a request with that length is never left hanging. */
async function* whole(
  source: AsyncIterable<Uint8Array>,
  length: number,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const bytes of source) {
    sent += bytes.length;
    yield bytes;
  }
  if (sent < length) throw new Error(`the body ended after ${sent} of ${length} bytes`);
}

/** A 200 to the PATCH that carried the last byte: the server took it and finished the upload. */
function finishedWith(err: unknown, end: number, size: number): boolean {
  return err instanceof TusError && err.status === 200 && end === size;
}

/** The request's result, its error made permanent when no retry can fix it. */
async function sorted<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    throw permanentIf(err);
  }
}

function permanentIf(err: unknown): unknown {
  if (err instanceof TusError && err.status !== undefined && PERMANENT_STATUSES.has(err.status)) {
    return new PermanentUploadError(err.what, err.fix, { cause: err });
  }
  return err;
}

/**
 * The evidence service: tus at `<serviceUrl>/v1/uploads` with a Bearer token, connecting only to
 * the pinned certificate when the integration file carries one.
 */
export function serviceDestination(
  serviceUrl: string,
  token: () => string,
  caFingerprint?: string,
): TusDestination {
  return new TusDestination({
    id: 'service',
    endpoint: new URL('v1/uploads', serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`).href,
    headers: () => ({ Authorization: `Bearer ${token()}` }),
    agent: pinnedAgent(serviceUrl, caFingerprint),
  });
}
