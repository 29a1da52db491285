import type { StatementSync } from 'node:sqlite';
import type { TimeRange } from '../../core/footage.ts';
import type { Store } from '../store/database.ts';

export type Segment = {
  id: number;
  cameraId: string;
  path: string;
  startMs: number;
  endMs: number;
  bytes: number;
};

export type NewSegment = Omit<Segment, 'id'>;

type SegmentRow = {
  id: number;
  camera_id: string;
  path: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
};

/** The archive index: one row per finished MPEG-TS segment. */
export class SegmentRepo {
  readonly #insert: StatementSync;
  readonly #inRange: StatementSync;
  readonly #latest: StatementSync;
  readonly #endedBefore: StatementSync;
  readonly #remove: StatementSync;
  readonly #paths: StatementSync;
  /** Segments an export is reading; retention leaves them until it is done. */
  readonly #pins = new Map<number, number>();

  constructor(store: Store) {
    const { db } = store;
    this.#insert = db.prepare(
      `INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms,
         bytes = excluded.bytes
       RETURNING id`,
    );
    this.#inRange = db.prepare(
      `SELECT * FROM segments WHERE camera_id = ? AND end_ms > ? AND start_ms < ?
       ORDER BY start_ms`,
    );
    this.#latest = db.prepare(
      'SELECT * FROM segments WHERE camera_id = ? ORDER BY start_ms DESC LIMIT 1',
    );
    this.#endedBefore = db.prepare(
      'SELECT * FROM segments WHERE camera_id = ? AND end_ms < ? ORDER BY start_ms',
    );
    this.#remove = db.prepare('DELETE FROM segments WHERE id = ?');
    this.#paths = db.prepare('SELECT path FROM segments WHERE camera_id = ?');
  }

  add(segment: NewSegment): Segment {
    const row = this.#insert.get(
      segment.cameraId,
      segment.path,
      segment.startMs,
      segment.endMs,
      segment.bytes,
    ) as { id: number };
    return { id: row.id, ...segment };
  }

  inRange(cameraId: string, range: TimeRange): Segment[] {
    return this.#inRange
      .all(cameraId, range.fromMs, range.toMs)
      .map((r) => fromRow(r as SegmentRow));
  }

  latest(cameraId: string): Segment | undefined {
    const row = this.#latest.get(cameraId);
    return row === undefined ? undefined : fromRow(row as SegmentRow);
  }

  endedBefore(cameraId: string, cutoffMs: number): Segment[] {
    return this.#endedBefore.all(cameraId, cutoffMs).map((r) => fromRow(r as SegmentRow));
  }

  paths(cameraId: string): Set<string> {
    return new Set(this.#paths.all(cameraId).map((row) => String(row.path)));
  }

  remove(id: number): void {
    this.#remove.run(id);
  }

  /** Keeps the segments from retention until the returned release is called. */
  pin(segments: readonly Segment[]): () => void {
    for (const s of segments) this.#pins.set(s.id, (this.#pins.get(s.id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const s of segments) {
        const count = (this.#pins.get(s.id) ?? 1) - 1;
        if (count <= 0) this.#pins.delete(s.id);
        else this.#pins.set(s.id, count);
      }
    };
  }

  isPinned(id: number): boolean {
    return this.#pins.has(id);
  }
}

function fromRow(row: SegmentRow): Segment {
  return {
    id: Number(row.id),
    cameraId: row.camera_id,
    path: row.path,
    startMs: Number(row.start_ms),
    endMs: Number(row.end_ms),
    bytes: Number(row.bytes),
  };
}
