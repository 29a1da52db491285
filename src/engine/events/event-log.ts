import { createHash } from 'node:crypto';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import {
  type CustodyEvent,
  type EventLevel,
  eventLevels,
  type NewEvent,
  newEventSchema,
} from '../../protocol/events.ts';
import type { Store } from '../store/database.ts';
import { canonicalJson } from './canonical-json.ts';

/** prevHash of the first event: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

export type EventFilter = {
  since?: Date;
  afterSeq?: number;
  /** Pages back through a newest-first listing: pass the oldest seq of the page before. */
  beforeSeq?: number;
  /** Prefixes by dotted segment: 'upload' matches 'upload' and 'upload.done', not 'uploads.x'. */
  kinds?: string[];
  /** Minimum level: 'warn' gives warn and error. */
  level?: EventLevel;
  subject?: string;
  /** Matches `data.requestId`. */
  requestId?: string;
  /**
   * Substring of message, kind, subject or the data JSON, case-insensitive for ASCII letters
   * (SQLite's LIKE; the log holds ids, file names and hashes).
   */
  search?: string;
  limit?: number;
  /** By seq; 'asc' unless told. */
  order?: 'asc' | 'desc';
};

export type VerifyResult = { ok: true; count: number } | { ok: false; seq: number; reason: string };

export type EventListener = (event: CustodyEvent) => void;

type EventRow = {
  seq: number;
  time: string;
  level: EventLevel;
  kind: string;
  subject: string | null;
  message: string;
  data: string;
  prev_hash: string;
  hash: string;
};

/**
 * The append-only, hash-chained audit log. Each event carries the SHA-256 of its predecessor,
 * so an edited or deleted row breaks the chain where `verify` can point at it.
 */
export class EventLog {
  readonly #db: DatabaseSync;
  readonly #now: () => Date;
  readonly #onListenerError: (err: unknown) => void;
  readonly #listeners = new Set<EventListener>();
  readonly #last: StatementSync;
  readonly #insert: StatementSync;
  readonly #queries = new Map<string, StatementSync>();

  constructor(
    store: Store,
    options: { now?: () => Date; onListenerError?: (err: unknown) => void } = {},
  ) {
    this.#db = store.db;
    this.#now = options.now ?? (() => new Date());
    // A failing subscriber (a UI pane, a push connection) must not undo a recorded event.
    this.#onListenerError =
      options.onListenerError ??
      ((err) => process.emitWarning(`event listener failed: ${(err as Error)?.message ?? err}`));
    this.#last = this.#db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    this.#insert = this.#db.prepare(
      `INSERT INTO events (seq, time, level, kind, subject, message, data, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * Records one event. Inside a caller's open transaction it joins that transaction (so a
   * state change and its event commit together); subscribers hear of it straight away.
   */
  append(input: NewEvent): CustodyEvent {
    const parsed = newEventSchema.safeParse(input);
    if (!parsed.success) {
      throw new CustodyError(
        `cannot record event ${String(input?.kind)}: ${z.prettifyError(parsed.error)}`,
        'this is a bug in custody; report it with the log',
        ExitCode.failed,
      );
    }
    // What is hashed must be exactly what a later read gives back: round-trip through JSON.
    const dataJson = JSON.stringify(parsed.data.data);
    const data = JSON.parse(dataJson) as Record<string, unknown>;

    const ownTransaction = !this.#db.isTransaction;
    if (ownTransaction) this.#db.exec('BEGIN IMMEDIATE');
    let event: CustodyEvent;
    try {
      const last = this.#last.get() as { seq: number; hash: string } | undefined;
      const body = {
        seq: (last?.seq ?? 0) + 1,
        time: this.#now().toISOString(),
        level: parsed.data.level,
        kind: parsed.data.kind,
        subject: parsed.data.subject,
        message: parsed.data.message,
        data,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      event = { ...body, hash: hashEvent(body) };
      this.#insert.run(
        event.seq,
        event.time,
        event.level,
        event.kind,
        event.subject,
        event.message,
        dataJson,
        event.prevHash,
        event.hash,
      );
      if (ownTransaction) this.#db.exec('COMMIT');
    } catch (err) {
      if (ownTransaction && this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }

    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
    return event;
  }

  list(filter: EventFilter = {}): CustodyEvent[] {
    const { sql, params } = buildListQuery(filter);
    return this.#query(sql)
      .all(...params)
      .map((row) => fromRow(row as EventRow));
  }

  /** Hears every event appended through this EventLog from now on; returns the unsubscribe. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Walks the whole chain in seq order and names the first event where it breaks. */
  verify(): VerifyResult {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    for (const value of this.#query('SELECT * FROM events ORDER BY seq ASC').iterate()) {
      const row = value as EventRow;
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          seq: expectedSeq,
          reason: `event ${expectedSeq} is missing (the next one is ${row.seq}): events were deleted`,
        };
      }
      if (row.prev_hash !== prevHash) {
        return {
          ok: false,
          seq: row.seq,
          reason: `prevHash at seq ${row.seq} does not match the hash of seq ${row.seq - 1}: an event was deleted, replaced or edited`,
        };
      }
      let event: CustodyEvent;
      try {
        event = fromRow(row);
      } catch {
        return { ok: false, seq: row.seq, reason: `data at seq ${row.seq} is not JSON: edited` };
      }
      const { hash, ...body } = event;
      if (hashEvent(body) !== hash) {
        return { ok: false, seq: row.seq, reason: `hash mismatch at seq ${row.seq}: edited` };
      }
      prevHash = row.hash;
      expectedSeq += 1;
    }
    return { ok: true, count: expectedSeq - 1 };
  }

  #query(sql: string): StatementSync {
    let statement = this.#queries.get(sql);
    if (statement === undefined) {
      // Filters combine into a bounded but unplanned number of shapes; keep memory flat.
      if (this.#queries.size >= 64) this.#queries.clear();
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    return statement;
  }
}

/** The SELECT behind `list`; exported so tests can ask SQLite how it plans each filter. */
export function buildListQuery(filter: EventFilter): { sql: string; params: SQLInputValue[] } {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  if (filter.since !== undefined) {
    // ISO strings in UTC sort as time does. Left alone, SQLite scans the whole table in seq
    // order (for `time >= ?` and for min(seq) alike), so take the first matching seq from
    // the time index and walk by seq from there; the time test stays for a clock that stepped
    // back.
    const since = filter.since.toISOString();
    where.push(
      'seq >= (SELECT min(seq) FROM events INDEXED BY events_time WHERE time >= ?) AND time >= ?',
    );
    params.push(since, since);
  }
  if (filter.afterSeq !== undefined) {
    where.push('seq > ?');
    params.push(filter.afterSeq);
  }
  if (filter.beforeSeq !== undefined) {
    where.push('seq < ?');
    params.push(filter.beforeSeq);
  }
  if (filter.kinds !== undefined && filter.kinds.length > 0) {
    // A range rather than LIKE: the kind index serves it, and '_' needs no escaping.
    // '/' is the character after '.', so ['upload.', 'upload/') is every 'upload.…'.
    const ors = filter.kinds.map((prefix) => {
      const stem = prefix.replace(/\.+$/, '');
      params.push(stem, `${stem}.`, `${stem}/`);
      return '(kind = ? OR (kind >= ? AND kind < ?))';
    });
    where.push(`(${ors.join(' OR ')})`);
  }
  if (filter.level !== undefined) {
    const rank = eventLevels.indexOf(filter.level);
    if (rank < 0) {
      throw new CustodyError(
        `unknown event level "${filter.level}"`,
        `use one of ${eventLevels.join(', ')}`,
        ExitCode.badInput,
      );
    }
    const wanted = eventLevels.slice(rank);
    where.push(`level IN (${wanted.map(() => '?').join(', ')})`);
    params.push(...wanted);
  }
  if (filter.subject !== undefined) {
    where.push('subject = ?');
    params.push(filter.subject);
  }
  if (filter.requestId !== undefined) {
    // Same expression as the events_request index, so the index answers it.
    where.push("json_extract(data, '$.requestId') = ?");
    params.push(filter.requestId);
  }
  if (filter.search !== undefined && filter.search !== '') {
    // No index can serve a substring, so this scans (newest first, stopping at the limit).
    // LIKE per column measured twice as fast as lower() over the columns joined
    // (bench/event-search.bench.ts), and a match cannot straddle two columns.
    const pattern = `%${filter.search.replace(/[\\%_]/g, '\\$&')}%`;
    const columns = ['message', 'kind', 'subject', 'data'];
    where.push(`(${columns.map((column) => `${column} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    params.push(...columns.map(() => pattern));
  }
  let sql = 'SELECT * FROM events';
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += filter.order === 'desc' ? ' ORDER BY seq DESC' : ' ORDER BY seq ASC';
  if (filter.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(Math.max(0, Math.floor(filter.limit)));
  }
  return { sql, params };
}

/** SHA-256 (hex) of the canonical JSON of everything but the hash itself. */
export function hashEvent(body: Omit<CustodyEvent, 'hash'>): string {
  const { seq, time, level, kind, subject, message, data, prevHash } = body;
  const canonical = canonicalJson({ seq, time, level, kind, subject, message, data, prevHash });
  return createHash('sha256').update(canonical).digest('hex');
}

function fromRow(row: EventRow): CustodyEvent {
  return {
    seq: row.seq,
    time: row.time,
    level: row.level,
    kind: row.kind,
    subject: row.subject,
    message: row.message,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
