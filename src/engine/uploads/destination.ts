import { CustodyError, ExitCode } from '../../core/errors.ts';
import type { BandwidthGate } from './bandwidth-gate.ts';
import type { JobSource } from './job-source.ts';
import type { UploadJob } from './upload-job.ts';

export type TransferContext = {
  gate: BandwidthGate;
  signal: AbortSignal;
  chunkSize: number;
  /** The job's bytes: a file, or a request clip decrypted from the buffer. */
  source: JobSource;
  /** Called after every chunk the destination accepted; the runner persists it. */
  onProgress: (uploadUrl: string | null, offset: number) => void;
  /** Bytes handed to the network or disk, for the live rate. */
  onSent: (bytes: number) => void;
};

/** Where a job's file goes: a tus endpoint (the service is one) or an archive folder. */
export interface Destination {
  readonly id: string;
  /**
   * Whether verify() confirms the SHA-256 of what the destination holds, not just its size:
   * only then may a dock or sync folder move or delete the source (DESIGN.md, Upload job).
   */
  readonly verifiesHash: boolean;
  /** Sends what the destination lacks of the job's bytes; resolves once it holds every byte. */
  transfer(job: UploadJob, context: TransferContext): Promise<void>;
  /** Confirms the destination holds the whole file with `job.sha256`. */
  verify(job: UploadJob, signal: AbortSignal): Promise<void>;
  /** Drops what a cancelled job left at the destination, so it holds no stray partial file. */
  discard?(job: UploadJob): Promise<void>;
}

/** A failure no retry can fix (missing source, refused credentials): the job fails at once. */
export class PermanentUploadError extends CustodyError {
  constructor(what: string, fix: string, options?: { cause?: unknown }) {
    super(what, fix, ExitCode.failed, options);
    this.name = 'PermanentUploadError';
  }
}

export function unreadable(job: UploadJob, err: unknown): PermanentUploadError {
  const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  const what =
    reason === 'ENOENT' ? 'is gone' : reason === 'EACCES' ? 'may not be read' : 'cannot be read';
  return new PermanentUploadError(
    `source file ${job.path} ${what} (${reason})`,
    'put the file back or fix its permissions, then retry the job',
    { cause: err },
  );
}
