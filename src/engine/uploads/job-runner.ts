import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff } from '../../core/backoff.ts';
import { CustodyError } from '../../core/errors.ts';
import type { UploadState } from '../../core/upload-state.ts';
import type { BandwidthGate } from './bandwidth-gate.ts';
import { type Destination, PermanentUploadError, unreadable } from './destination.ts';
import { DefaultJobSources, type JobSource, type JobSources } from './job-source.ts';
import type { UploadJob } from './upload-job.ts';
import type { UploadQueue } from './upload-queue.ts';

export type RetryPolicy = { maxAttempts: number; baseMs: number; maxMs: number };

export type JobRunnerOptions = {
  queue: UploadQueue;
  gate: BandwidthGate;
  chunkSize: number;
  retry: RetryPolicy;
  random?: () => number;
  /**
   * Where each job's bytes come from; by default files only. The engine passes one with the
   * request buffer, so request clips are decrypted on the fly while they upload.
   */
  sources?: JobSources;
  /**
   * Why a job's source is away for now (its dock camera was unplugged), else undefined. A job
   * that fails while its source is away pauses with that reason instead: the failure is only
   * the absence (the file can vanish before the dock's watcher reports its camera gone), and
   * the source resumes the job once it is back.
   */
  unavailable?: (job: UploadJob) => string | undefined;
};

export type JobProgress = {
  /** Bytes the destination confirmed. */
  onOffset: (offset: number) => void;
  /** Bytes handed to the network or disk since the last confirmed offset. */
  onSent: (bytes: number) => void;
};

/**
 * Takes one job from queued to done (or failed, or paused while its source is away). The state
 * belongs to the queue: when an operator pauses or cancels the job, or the engine stops,
 * `signal` aborts and the runner just returns, leaving the state to whoever changed it.
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #sources: JobSources;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#sources = options.sources ?? new DefaultJobSources();
  }

  async run(
    id: string,
    destination: Destination,
    signal: AbortSignal,
    progress: JobProgress,
  ): Promise<void> {
    const { queue } = this.#options;
    const backoff = new Backoff({
      ...this.#options.retry,
      // The first try is not a retry: the budget counts tries, as the setting says.
      maxAttempts: this.#options.retry.maxAttempts - 1,
      ...(this.#options.random ? { random: this.#options.random } : {}),
    });
    try {
      const queued = queue.get(id);
      if (queued?.state !== 'queued') return;
      const source = this.#sources.forJob(queued);
      if (!(await this.#hash(id, source, signal))) return;
      for (;;) {
        try {
          await this.#upload(id, destination, source, signal, progress, backoff);
          return;
        } catch (err) {
          if (signal.aborted) return;
          if (err instanceof PermanentUploadError || backoff.exhausted) {
            const tries = backoff.attempts + 1;
            const suffix =
              err instanceof PermanentUploadError ? '' : ` (gave up after ${tries} tries)`;
            this.#fail(id, `${describe(err, destination.id)}${suffix}`, [
              'hashing',
              'uploading',
              'verifying',
            ]);
            return;
          }
          const delay = backoff.next();
          queue.recordRetry(id, describe(err, destination.id), delay);
          await sleep(delay, undefined, { signal });
          // Back from verifying: the next try sends whatever the destination lacks.
          queue.transition(id, 'uploading', { from: 'verifying' });
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      this.#fail(id, describe(err, destination.id), [
        'queued',
        'hashing',
        'uploading',
        'verifying',
      ]);
    }
  }

  #fail(id: string, error: string, from: readonly UploadState[]): void {
    const { queue } = this.#options;
    const job = queue.get(id);
    const away = job === undefined ? undefined : this.#options.unavailable?.(job);
    if (away === undefined) queue.transition(id, 'failed', { from, error });
    else queue.transition(id, 'paused', { from, pauseReason: away });
  }

  /**
   * Hashes unless the stored hash is for the source's current size and mtime (request clips
   * arrive with the hash taken while they were encrypted, so they never re-hash).
   */
  async #hash(id: string, source: JobSource, signal: AbortSignal): Promise<boolean> {
    const { queue } = this.#options;
    const job = queue.get(id);
    if (job?.state !== 'queued') return false;
    const before = await statOrFail(job, source);
    const mtimeMs = Math.floor(before.mtimeMs);
    if (job.sha256 !== null && before.size === job.size && mtimeMs === job.mtimeMs) {
      return queue.transition(id, 'uploading', { from: 'queued' }) !== undefined;
    }
    if (!queue.transition(id, 'hashing', { from: 'queued' })) return false;
    const sha256 = await source.sha256(signal).catch((err: unknown) => {
      if (signal.aborted) throw err;
      throw unreadable(job, err);
    });
    const after = await statOrFail(job, source);
    if (after.size !== before.size || Math.floor(after.mtimeMs) !== mtimeMs) {
      throw new PermanentUploadError(
        `source file ${job.path} changed while it was hashed`,
        'queue it again once it stops changing',
      );
    }
    queue.recordHash(id, sha256, before.size, mtimeMs);
    // The queue could not tell this file from one already uploaded without reading it; now it can.
    if (queue.finishDuplicate(id)) return false;
    return queue.transition(id, 'uploading', { from: 'hashing' }) !== undefined;
  }

  async #upload(
    id: string,
    destination: Destination,
    source: JobSource,
    signal: AbortSignal,
    progress: JobProgress,
    backoff: Backoff,
  ): Promise<void> {
    const { queue, gate, chunkSize } = this.#options;
    const job = queue.get(id);
    if (job?.state !== 'uploading') return;
    let confirmed = job.offset;
    await destination.transfer(job, {
      gate,
      signal,
      chunkSize,
      source,
      onProgress: (uploadUrl, offset) => {
        queue.recordProgress(id, uploadUrl, offset);
        progress.onOffset(offset);
        // Progress proves the link works again: the next failure starts from short delays.
        if (offset > confirmed) backoff.reset();
        confirmed = offset;
      },
      onSent: progress.onSent,
    });
    if (!queue.transition(id, 'verifying', { from: 'uploading' })) return;
    await destination.verify(queue.get(id) as UploadJob, signal);
    queue.transition(id, 'done', { from: 'verifying' });
  }
}

async function statOrFail(
  job: UploadJob,
  source: JobSource,
): Promise<{ size: number; mtimeMs: number }> {
  try {
    return await source.stat();
  } catch (err) {
    throw unreadable(job, err);
  }
}

function describe(err: unknown, destinationId: string): string {
  if (err instanceof CustodyError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  // The system's wording names neither the disk nor what to do.
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return `destination "${destinationId}" is out of disk space (${code}) — free space there, then retry the job`;
  }
  return err instanceof Error ? err.message : String(err);
}
