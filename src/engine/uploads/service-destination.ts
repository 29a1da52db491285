import { CustodyError, ExitCode } from '../../core/errors.ts';
import type { EventLog } from '../events/event-log.ts';
import type { ServiceRestClient } from '../service/rest-client.ts';
import type { CaseResolver } from './case-resolver.ts';
import { type Destination, PermanentUploadError, type TransferContext } from './destination.ts';
import { serviceDestination, type TusDestination } from './tus-destination.ts';
import type { UploadJob } from './upload-job.ts';

/** The service's evidence kinds: what a job's source makes of its file. */
function evidenceKind(job: UploadJob): string {
  if (job.sourceKind === 'snapshot') return 'snapshot';
  if (job.sourceKind === 'request') return 'clip';
  return 'file';
}

/**
 * The evidence service: tus with the case resolved to an id and the evidence kind added, and
 * "verified" meaning the service itself hashed the bytes and filed them (GET …/result), not
 * just that it holds them — only then may a source be moved or deleted.
 */
export class ServiceDestination implements Destination {
  readonly id = 'service';
  readonly verifiesHash = true;
  readonly #tus: TusDestination;
  readonly #rest: ServiceRestClient;
  readonly #cases: CaseResolver;
  readonly #events: EventLog;

  constructor(options: {
    url: string;
    apiKey: string;
    caFingerprint?: string;
    rest: ServiceRestClient;
    cases: CaseResolver;
    events: EventLog;
  }) {
    this.#tus = serviceDestination(options.url, () => options.apiKey, options.caFingerprint);
    this.#rest = options.rest;
    this.#cases = options.cases;
    this.#events = options.events;
  }

  async transfer(job: UploadJob, context: TransferContext): Promise<void> {
    const caseId = await this.#cases.resolve(job.caseChoice);
    await this.#tus.transfer(
      {
        ...job,
        caseChoice: { id: caseId },
        metadata: { kind: evidenceKind(job), ...job.metadata },
      },
      context,
    );
  }

  discard(job: UploadJob): Promise<void> {
    return this.#tus.discard(job);
  }

  async verify(job: UploadJob): Promise<void> {
    const uploadId = job.uploadUrl?.split('/').pop();
    if (!uploadId) throw new CustodyError(`upload ${job.id} has no URL`, 'retry it');
    let result: Awaited<ReturnType<ServiceRestClient['uploadResult']>>;
    try {
      result = await this.#rest.uploadResult(uploadId);
    } catch (err) {
      // Not filed (yet): a retry resumes the upload, or starts over if the service dropped it.
      if (err instanceof CustodyError && err.exitCode === ExitCode.badInput) {
        throw new CustodyError(err.what, 'the upload is retried', ExitCode.failed, { cause: err });
      }
      throw err;
    }
    const { evidence, duplicate } = result;
    if (evidence.sha256 !== job.sha256) {
      throw new PermanentUploadError(
        `the service filed ${job.path} with SHA-256 ${evidence.sha256}, not ${job.sha256}`,
        'check the file and upload it again',
      );
    }
    this.#events.append({
      level: 'info',
      kind: 'upload.filed',
      subject: job.id,
      message: `${evidence.filename} filed in case ${evidence.caseId}${duplicate ? ' (already there)' : ''}`,
      data: {
        path: job.path,
        evidenceId: evidence.id,
        caseId: evidence.caseId,
        sha256: evidence.sha256,
        duplicate,
        ...(job.metadata.requestId ? { requestId: job.metadata.requestId } : {}),
      },
    });
  }
}
