import type { DatabaseSync } from 'node:sqlite';
import { undecidedStates } from '../../core/request-state.ts';
import type { RequestState, VideoRequest } from '../../protocol/service.ts';
import { type Store, transaction } from '../store/database.ts';
import {
  type LocalDecision,
  type PendingDecision,
  type PendingReport,
  type StoredClip,
  type StoredRequest,
  storedClipSchema,
  storedRequestSchema,
} from './request-record.ts';

type Row = Record<string, unknown>;

const json = (value: unknown): unknown => (value === null ? null : JSON.parse(String(value)));

function requestFromRow(row: Row): StoredRequest {
  return storedRequestSchema.parse({
    id: row.id,
    seq: row.seq,
    cursor: row.cursor,
    request: json(row.request),
    state: row.state,
    receivedAt: row.received_at,
    expiresAt: row.expires_at,
    decision: json(row.decision),
    failureReason: row.failure_reason,
    pendingDecision: json(row.pending_decision),
    pendingReport: json(row.pending_report),
    reportAttempts: row.report_attempts,
    updatedAt: row.updated_at,
  });
}

function clipFromRow(row: Row): StoredClip {
  return storedClipSchema.parse({
    requestId: row.request_id,
    position: row.position,
    cameraId: row.camera_id,
    cameraName: row.camera_name,
    cameraLocation: row.camera_location,
    fileId: row.file_id,
    state: row.state,
    bytes: row.bytes,
    sha256: row.sha256,
    gaps: json(row.gaps),
    startMs: row.start_ms,
    endMs: row.end_ms,
    error: row.error,
    jobId: row.job_id,
    shreddedAt: row.shredded_at,
  });
}

export type NewClip = Pick<
  StoredClip,
  'cameraId' | 'cameraName' | 'cameraLocation' | 'fileId' | 'state' | 'error'
>;

export type RequestChange = {
  state?: RequestState;
  /** Only ever moves forward. */
  cursor?: number;
  request?: VideoRequest;
  decision?: LocalDecision;
  failureReason?: string | null;
  pendingDecision?: PendingDecision | null;
  pendingReport?: PendingReport | null;
  reportAttempts?: number;
};

export type ClipChange = Partial<
  Pick<
    StoredClip,
    'state' | 'bytes' | 'sha256' | 'gaps' | 'startMs' | 'endMs' | 'error' | 'jobId' | 'shreddedAt'
  >
>;

const REQUEST_COLUMNS: Record<keyof RequestChange, string> = {
  state: 'state',
  cursor: 'cursor',
  request: 'request',
  decision: 'decision',
  failureReason: 'failure_reason',
  pendingDecision: 'pending_decision',
  pendingReport: 'pending_report',
  reportAttempts: 'report_attempts',
};
const JSON_COLUMNS = new Set(['request', 'decision', 'pending_decision', 'pending_report', 'gaps']);

const CLIP_COLUMNS: Record<keyof ClipChange, string> = {
  state: 'state',
  bytes: 'bytes',
  sha256: 'sha256',
  gaps: 'gaps',
  startMs: 'start_ms',
  endMs: 'end_ms',
  error: 'error',
  jobId: 'job_id',
  shreddedAt: 'shredded_at',
};

/** The requests, their clips and the feed cursor in the store (tables of migration 6). */
export class RequestRepo {
  readonly #db: DatabaseSync;
  readonly #now: () => Date;

  #writes = 0;

  constructor(store: Store, now: () => Date) {
    this.#db = store.db;
    this.#now = now;
  }

  /** Runs `work` in one transaction (or inside the caller's). */
  /** Grows with every change to a request or clip: a view built from them holds while it stands. */
  get writes(): number {
    return this.#writes;
  }

  transaction<T>(work: () => T): T {
    return transaction(this.#db, work);
  }

  get cursor(): number {
    const row = this.#db.prepare('SELECT cursor FROM request_feed WHERE id = 1').get();
    return Number(row?.cursor ?? 0);
  }

  /** Moves the cursor forward only: a late push of an older change never rewinds catch-up. */
  advanceCursor(cursor: number): void {
    this.#db
      .prepare(
        `INSERT INTO request_feed (id, cursor) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET cursor = max(cursor, excluded.cursor)`,
      )
      .run(cursor);
  }

  insert(request: VideoRequest, state: RequestState, expiresAt: string, clips: NewClip[]): void {
    this.#writes++;
    const now = this.#now().toISOString();
    this.#db
      .prepare(
        `INSERT INTO requests (id, seq, cursor, request, state, received_at, expires_at, updated_at)
         VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM requests), ?, ?, ?, ?, ?, ?)`,
      )
      .run(request.id, request.cursor, JSON.stringify(request), state, now, expiresAt, now);
    const insertClip = this.#db.prepare(
      `INSERT INTO request_clips (request_id, position, camera_id, camera_name, camera_location,
         file_id, state, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    clips.forEach((clip, position) => {
      insertClip.run(
        request.id,
        position,
        clip.cameraId,
        clip.cameraName,
        clip.cameraLocation,
        clip.fileId,
        clip.state,
        clip.error,
      );
    });
  }

  get(id: string): StoredRequest | undefined {
    const row = this.#db.prepare('SELECT * FROM requests WHERE id = ?').get(id);
    return row ? requestFromRow(row) : undefined;
  }

  /** Oldest first. */
  list(states?: readonly RequestState[]): StoredRequest[] {
    const where = states ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
    return this.#db
      .prepare(`SELECT * FROM requests ${where} ORDER BY seq ASC`)
      .all(...(states ?? []))
      .map(requestFromRow);
  }

  /**
   * What the inbox shows: every undecided request (oldest, so the one expiring soonest, on
   * top), then the `recent` newest decided ones. Read with limits in SQL, not filtered from
   * the whole table: the engine's state asks for it up to ten times a second, and a site's
   * table grows by every request it ever had.
   */
  inbox(recent: number): StoredRequest[] {
    const undecided = undecidedStates.map(() => '?').join(', ');
    const decided = this.#db
      .prepare(`SELECT * FROM requests WHERE state NOT IN (${undecided}) ORDER BY seq DESC LIMIT ?`)
      .all(...undecidedStates, recent)
      .map(requestFromRow);
    return [...this.list(undecidedStates), ...decided];
  }

  withPendingCalls(): StoredRequest[] {
    return this.#db
      .prepare(
        `SELECT * FROM requests WHERE pending_decision IS NOT NULL OR pending_report IS NOT NULL
         ORDER BY seq ASC`,
      )
      .all()
      .map(requestFromRow);
  }

  update(id: string, change: RequestChange): StoredRequest {
    this.#writes++;
    const sets: string[] = ['updated_at = ?'];
    const values: Array<string | number | null> = [this.#now().toISOString()];
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) continue;
      const column = REQUEST_COLUMNS[key as keyof RequestChange];
      sets.push(column === 'cursor' ? 'cursor = max(cursor, ?)' : `${column} = ?`);
      values.push(encode(column, value));
    }
    this.#db.prepare(`UPDATE requests SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return this.get(id) as StoredRequest;
  }

  clips(requestId: string): StoredClip[] {
    return this.#db
      .prepare('SELECT * FROM request_clips WHERE request_id = ? ORDER BY position')
      .all(requestId)
      .map(clipFromRow);
  }

  clipByJob(jobId: string): StoredClip | undefined {
    const row = this.#db.prepare('SELECT * FROM request_clips WHERE job_id = ?').get(jobId);
    return row ? clipFromRow(row) : undefined;
  }

  updateClip(requestId: string, cameraId: string, change: ClipChange): void {
    const sets: string[] = [];
    const values: Array<string | number | null> = [];
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) continue;
      const column = CLIP_COLUMNS[key as keyof ClipChange];
      sets.push(`${column} = ?`);
      values.push(encode(column, value));
    }
    if (sets.length === 0) return;
    this.#writes++;
    this.#db
      .prepare(`UPDATE request_clips SET ${sets.join(', ')} WHERE request_id = ? AND camera_id = ?`)
      .run(...values, requestId, cameraId);
    this.#db
      .prepare('UPDATE requests SET updated_at = ? WHERE id = ?')
      .run(this.#now().toISOString(), requestId);
  }
}

function encode(column: string, value: unknown): string | number | null {
  if (value === null) return null;
  if (JSON_COLUMNS.has(column)) return JSON.stringify(value);
  return value as string | number;
}
