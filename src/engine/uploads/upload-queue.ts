import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { canTransition, runningStates, type UploadState } from '../../core/upload-state.ts';
import type { EventLevel } from '../../protocol/events.ts';
import type { EventLog } from '../events/event-log.ts';
import { type Store, transaction } from '../store/database.ts';
import {
  type NewUploadJob,
  newUploadJobSchema,
  type UploadJob,
  uploadJobSchema,
} from './upload-job.ts';

export type TransitionOptions = {
  /** Only move if the job is still in this state; otherwise nothing happens. */
  from?: UploadState | readonly UploadState[];
  error?: string | null;
  pauseReason?: string | null;
  /** To done without sending: this earlier job delivered the same file (finishDuplicate). */
  duplicateOf?: string;
};

export type EnqueueResult = { job: UploadJob; queued: boolean };

export type JobListener = (job: UploadJob, previous: UploadState) => void;

const LEVEL: Partial<Record<UploadState, EventLevel>> = {
  failed: 'error',
  cancelled: 'warn',
  paused: 'warn',
};

type Row = Record<string, unknown>;

function fromRow(row: Row): UploadJob {
  return uploadJobSchema.parse({
    id: row.id,
    sourceKind: row.source_kind,
    sourceId: row.source_id,
    path: row.path,
    destinationId: row.destination_id,
    caseChoice: JSON.parse(String(row.case_choice)),
    metadata: JSON.parse(String(row.metadata)),
    size: row.size,
    mtimeMs: row.mtime_ms,
    // A hash is only good for the size and mtime it was computed on.
    sha256:
      row.hashed_size === row.size && row.hashed_mtime_ms === row.mtime_ms ? row.sha256 : null,
    uploadUrl: row.upload_url,
    offset: row.offset,
    state: row.state,
    attempts: row.attempts,
    error: row.error,
    pauseReason: row.pause_reason,
    priority: row.priority,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

/** What the state change's event says after the file name, if anything. */
function reasonOf(job: UploadJob, duplicateOf: string | undefined): string | null {
  if (job.state === 'failed') return job.error;
  if (job.state === 'paused') return job.pauseReason;
  if (duplicateOf === undefined) return null;
  return `upload ${duplicateOf} sent this file already (same path, size, mtime and SHA-256); not sent again`;
}

function notFound(id: string): CustodyError {
  return new CustodyError(
    `no upload job ${id}`,
    'list the uploads to find its id',
    ExitCode.badInput,
  );
}

/**
 * The upload queue in the store. Every state change commits together with its `upload.<state>`
 * event, so the audit log and the queue never disagree, even across a crash.
 */
export class UploadQueue {
  readonly #db: DatabaseSync;
  readonly #events: EventLog;
  readonly #now: () => Date;
  readonly #listeners = new Set<JobListener>();
  readonly #byId: StatementSync;
  readonly #insert: StatementSync;
  readonly #sameFile: StatementSync;
  readonly #uploaded: StatementSync;
  readonly #setState: StatementSync;
  readonly #progress: StatementSync;

  constructor(store: Store, events: EventLog, options: { now?: () => Date } = {}) {
    this.#db = store.db;
    this.#events = events;
    this.#now = options.now ?? (() => new Date());
    this.#byId = this.#db.prepare('SELECT * FROM uploads WHERE id = ?');
    this.#insert = this.#db.prepare(
      `INSERT INTO uploads (id, source_kind, source_id, path, destination_id, case_choice, metadata,
         size, mtime_ms, ctime_ms, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
    );
    this.#sameFile = this.#db.prepare(
      `SELECT * FROM uploads WHERE path = ? AND size = ? AND mtime_ms = ? AND destination_id = ?
         AND (state NOT IN ('done', 'cancelled') OR (state = 'done' AND ctime_ms = ?))
       ORDER BY seq DESC LIMIT 1`,
    );
    this.#uploaded = this.#db.prepare(
      `SELECT id FROM uploads WHERE path = ? AND size = ? AND mtime_ms = ? AND destination_id = ?
         AND sha256 = ? AND state = 'done' LIMIT 1`,
    );
    this.#setState = this.#db.prepare(
      `UPDATE uploads SET state = ?, error = ?, pause_reason = ?, updated_at = ? WHERE id = ?`,
    );
    this.#progress = this.#db.prepare(
      'UPDATE uploads SET upload_url = ?, offset = ?, updated_at = ? WHERE id = ?',
    );
  }

  /** Hears every state change after it committed. */
  subscribe(listener: JobListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Queues a file, unless a job for that destination has it already (same path, size, mtime):
   * one not finished is returned as it is, a failed one is tried again. A done one counts only
   * if the ctime is the same too, proof that nothing touched the file since, so it is not read
   * again. Otherwise (rewritten, say, then its mtime set back) the new job is hashed first, and
   * finishDuplicate ends it unsent when the hash shows it is the file that job uploaded.
   */
  enqueue(input: NewUploadJob): EnqueueResult {
    const job = newUploadJobSchema.parse(input);
    const filePath = path.resolve(job.path);
    let stat: { size: number; mtimeMs: number; ctimeMs: number };
    try {
      stat = statSync(filePath);
    } catch (err) {
      throw new CustodyError(
        `cannot queue ${filePath}: ${(err as Error).message}`,
        'check that the file exists and custody may read it',
        ExitCode.badInput,
        { cause: err },
      );
    }
    const mtimeMs = Math.floor(stat.mtimeMs);
    // A pre-known size is the plaintext's; the file on disk (ciphertext) is larger.
    const size = job.known?.size ?? stat.size;
    const ctimeMs = Math.floor(stat.ctimeMs);
    const row = this.#sameFile.get(filePath, size, mtimeMs, job.destinationId, ctimeMs);
    const existing = row ? fromRow(row) : undefined;
    if (existing?.state === 'failed') {
      return { job: this.retry(existing.id) as UploadJob, queued: true };
    }
    if (existing) return { job: existing, queued: false };

    const id = randomUUID();
    const now = this.#now().toISOString();
    const created = transaction(this.#db, () => {
      this.#insert.run(
        id,
        job.sourceKind,
        job.sourceId,
        filePath,
        job.destinationId,
        JSON.stringify(job.caseChoice),
        JSON.stringify(job.metadata),
        size,
        mtimeMs,
        ctimeMs,
        now,
        now,
      );
      if (job.known) {
        this.#db
          .prepare(
            'UPDATE uploads SET sha256 = ?, hashed_size = size, hashed_mtime_ms = mtime_ms WHERE id = ?',
          )
          .run(job.known.sha256, id);
      }
      if (job.first) {
        this.#db
          .prepare(
            'UPDATE uploads SET priority = (SELECT coalesce(max(priority), 0) + 1 FROM uploads) WHERE id = ?',
          )
          .run(id);
      }
      const created = this.#mustGet(id);
      this.#record(created, 'queued');
      return created;
    });
    for (const listener of [...this.#listeners]) listener(created, 'queued');
    return { job: created, queued: true };
  }

  get(id: string): UploadJob | undefined {
    const row = this.#byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  /** In the order the scheduler starts them: priority first, then oldest first. */
  list(states?: readonly UploadState[]): UploadJob[] {
    const where = states ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
    return this.#db
      .prepare(`SELECT * FROM uploads ${where} ORDER BY priority DESC, seq ASC`)
      .all(...(states ?? []))
      .map(fromRow);
  }

  /**
   * The next job to start: queued, for one of `destinationIds` (jobs for a destination that is
   * not set up yet wait), not in `exclude` (jobs that are starting already).
   */
  next(destinationIds: readonly string[], exclude: ReadonlySet<string>): UploadJob | undefined {
    const ids = destinationIds.map(() => '?').join(', ');
    for (const row of this.#db
      .prepare(
        `SELECT * FROM uploads WHERE state = 'queued' AND destination_id IN (${ids})
         ORDER BY priority DESC, seq ASC`,
      )
      .iterate(...destinationIds)) {
      if (!exclude.has(String(row.id))) return fromRow(row);
    }
    return undefined;
  }

  /**
   * Moves a job to `to` and records the event. Returns undefined (and changes nothing) when
   * `options.from` no longer holds, so a runner racing an operator command just stops.
   */
  transition(id: string, to: UploadState, options: TransitionOptions = {}): UploadJob | undefined {
    const job = this.get(id);
    if (!job) throw notFound(id);
    const from = options.from;
    if (from !== undefined && !(typeof from === 'string' ? [from] : from).includes(job.state)) {
      return undefined;
    }
    if (!canTransition(job.state, to)) {
      throw new CustodyError(
        `upload ${id} is ${job.state} and cannot become ${to}`,
        'refresh the upload list; the job changed state meanwhile',
        ExitCode.badInput,
      );
    }
    const error = to === 'failed' ? (options.error ?? job.error) : null;
    const pauseReason = to === 'paused' ? (options.pauseReason ?? 'paused by the operator') : null;
    const updated = transaction(this.#db, () => {
      this.#setState.run(to, error, pauseReason, this.#now().toISOString(), id);
      const changed = this.#mustGet(id);
      this.#record(changed, job.state, options.duplicateOf);
      return changed;
    });
    for (const listener of [...this.#listeners]) listener(updated, job.state);
    return updated;
  }

  /**
   * Ends a hashed job as done without sending a byte when a done job for its destination had the
   * same path, size, mtime and hash: the destination holds that file already.
   */
  finishDuplicate(id: string): UploadJob | undefined {
    const job = this.get(id);
    if (job?.state !== 'hashing' || job.sha256 === null) return undefined;
    const twin = this.#uploaded.get(job.path, job.size, job.mtimeMs, job.destinationId, job.sha256);
    if (!twin) return undefined;
    return this.transition(id, 'done', { from: 'hashing', duplicateOf: String(twin.id) });
  }

  recordHash(id: string, sha256: string, size: number, mtimeMs: number): void {
    this.#db
      .prepare(
        // A file that changed since it was queued is a new upload: the old one has its length.
        `UPDATE uploads SET sha256 = ?, hashed_size = ?, hashed_mtime_ms = ?,
           upload_url = CASE WHEN size = ? AND mtime_ms = ? THEN upload_url END,
           offset = CASE WHEN size = ? AND mtime_ms = ? THEN offset ELSE 0 END,
           size = ?, mtime_ms = ?, updated_at = ? WHERE id = ?`,
      )
      .run(
        sha256,
        size,
        mtimeMs,
        size,
        mtimeMs,
        size,
        mtimeMs,
        size,
        mtimeMs,
        this.#now().toISOString(),
        id,
      );
  }

  /** After every accepted chunk, so a restart resumes from here (or the server's offset). */
  recordProgress(id: string, uploadUrl: string | null, offset: number): void {
    this.#progress.run(uploadUrl, offset, this.#now().toISOString(), id);
  }

  /** A failed try that will be retried: counted, and logged for the audit trail. */
  recordRetry(id: string, error: string, delayMs: number): void {
    this.#db
      .prepare('UPDATE uploads SET attempts = attempts + 1, error = ? WHERE id = ?')
      .run(error, id);
    const job = this.get(id);
    if (!job) return;
    this.#events.append({
      level: 'warn',
      kind: 'upload.retry',
      subject: id,
      message: `${path.basename(job.path)}: ${error}; retrying in ${Math.round(delayMs / 1000)}s`,
      data: this.#data(job),
    });
  }

  pause(id: string, reason?: string): UploadJob | undefined {
    return this.transition(id, 'paused', {
      from: ['queued', 'hashing', 'uploading', 'verifying'],
      pauseReason: reason ?? null,
    });
  }

  resume(id: string): UploadJob | undefined {
    return this.transition(id, 'queued', { from: 'paused' });
  }

  retry(id: string): UploadJob | undefined {
    this.#db
      .prepare('UPDATE uploads SET attempts = 0 WHERE id = ? AND state = ?')
      .run(id, 'failed');
    return this.transition(id, 'queued', { from: 'failed' });
  }

  cancel(id: string): UploadJob | undefined {
    return this.transition(id, 'cancelled', {
      from: ['queued', 'hashing', 'uploading', 'verifying', 'paused', 'failed'],
    });
  }

  pauseAll(reason?: string, filter: (job: UploadJob) => boolean = () => true): UploadJob[] {
    return this.#each(['queued', ...runningStates], filter, (id) => this.pause(id, reason));
  }

  resumeAll(filter: (job: UploadJob) => boolean = () => true): UploadJob[] {
    return this.#each(['paused'], filter, (id) => this.resume(id));
  }

  retryAll(): UploadJob[] {
    return this.#each(
      ['failed'],
      () => true,
      (id) => this.retry(id),
    );
  }

  cancelAll(): UploadJob[] {
    return this.#each(
      ['queued', 'paused', 'failed', ...runningStates],
      () => true,
      (id) => this.cancel(id),
    );
  }

  /** Ahead of every job there is now; the scheduler starts it at the next free slot. */
  moveToFront(id: string): UploadJob {
    if (!this.get(id)) throw notFound(id);
    this.#db
      .prepare(
        'UPDATE uploads SET priority = (SELECT coalesce(max(priority), 0) + 1 FROM uploads) WHERE id = ?',
      )
      .run(id);
    return this.#mustGet(id);
  }

  /** At engine start: jobs that were running when it stopped go back to the queue. */
  recover(): UploadJob[] {
    return this.#each(
      runningStates,
      () => true,
      (id) => this.transition(id, 'queued', { from: runningStates }),
    );
  }

  #each(
    states: readonly UploadState[],
    filter: (job: UploadJob) => boolean,
    apply: (id: string) => UploadJob | undefined,
  ): UploadJob[] {
    return this.list(states)
      .filter(filter)
      .flatMap((job) => apply(job.id) ?? []);
  }

  #mustGet(id: string): UploadJob {
    const job = this.get(id);
    if (!job) throw notFound(id);
    return job;
  }

  #record(job: UploadJob, previous: UploadState, duplicateOf?: string): void {
    const name = path.basename(job.path);
    const reason = reasonOf(job, duplicateOf);
    this.#events.append({
      level: LEVEL[job.state] ?? 'info',
      kind: `upload.${job.state}`,
      subject: job.id,
      message: reason ? `${name} ${job.state}: ${reason}` : `${name} ${job.state}`,
      data: {
        ...this.#data(job),
        from: previous === job.state ? null : previous,
        ...(duplicateOf ? { duplicateOf } : {}),
      },
    });
  }

  #data(job: UploadJob): Record<string, unknown> {
    // Request deliveries carry the request id, so `custody events --request ID` shows them.
    const request =
      job.sourceKind === 'request' && job.sourceId !== null
        ? { requestId: job.sourceId, cameraId: job.metadata.cameraId ?? null }
        : {};
    return {
      ...request,
      path: job.path,
      sha256: job.sha256,
      case: job.caseChoice,
      destination: job.destinationId,
      size: job.size,
      ...(job.error && job.state === 'failed' ? { error: job.error } : {}),
    };
  }
}
