import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustodyError } from '../../../src/core/errors.ts';
import {
  buildListQuery,
  EventLog,
  GENESIS_HASH,
  hashEvent,
} from '../../../src/engine/events/event-log.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import {
  type CustodyEvent,
  custodyEventSchema,
  type NewEvent,
} from '../../../src/protocol/events.ts';

let dir: string;
let store: Store;
let clock: number;
let log: EventLog;

const start = Date.parse('2026-11-25T12:00:00.000Z');
/** Each call one minute after the last, so `since` has something to cut. */
const now = () => {
  clock += 60_000;
  return new Date(clock);
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'custody-events-'));
  store = openStore(dir);
  clock = start;
  log = new EventLog(store, { now });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sample: NewEvent[] = [
  { level: 'info', kind: 'engine.started', subject: null, message: 'engine started' },
  { level: 'debug', kind: 'upload.queued', subject: 'job-1', message: 'queued clip.mp4' },
  {
    level: 'info',
    kind: 'upload.done',
    subject: 'job-1',
    message: 'Uploaded clip.mp4',
    data: { sha256: 'ab12' },
  },
  { level: 'warn', kind: 'uploads.paused', subject: null, message: 'paused by schedule' },
  {
    level: 'info',
    kind: 'request.received',
    subject: 'req-7',
    message: 'request from Det. Ruiz',
    data: { requestId: 'req-7', cameras: ['cam-1'] },
  },
  {
    level: 'error',
    kind: 'request.denied',
    subject: 'req-7',
    message: 'denied',
    data: { requestId: 'req-7' },
  },
  {
    level: 'warn',
    kind: 'key.shredded',
    subject: 'req-7',
    message: 'file key destroyed',
    data: { requestId: 'req-7' },
  },
];

function appendSample(): CustodyEvent[] {
  return sample.map((event) => log.append(event));
}

const seqs = (events: CustodyEvent[]) => events.map((event) => event.seq);

describe('EventLog.append', () => {
  it('chains each event to the one before', () => {
    const [first, second] = appendSample();
    expect(first).toMatchObject({
      seq: 1,
      time: '2026-11-25T12:01:00.000Z',
      level: 'info',
      kind: 'engine.started',
      subject: null,
      data: {},
      prevHash: GENESIS_HASH,
    });
    expect(first?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second?.seq).toBe(2);
    expect(second?.prevHash).toBe(first?.hash);
    expect(custodyEventSchema.parse(second)).toEqual(second);
    const { hash, ...body } = second as CustodyEvent;
    expect(hashEvent(body)).toBe(hash);
  });

  it('stores data exactly as it will read back', () => {
    const event = log.append({
      level: 'info',
      kind: 'snapshot.exported',
      subject: 'cam-3',
      message: 'frame',
      data: { at: new Date('2026-11-25T12:00:00Z'), gone: undefined, z: 1, a: { y: [1, 'x'] } },
    });
    expect(event.data).toEqual({ at: '2026-11-25T12:00:00.000Z', z: 1, a: { y: [1, 'x'] } });
    expect(log.list()).toEqual([event]);
    expect(log.verify()).toEqual({ ok: true, count: 1 });
  });

  it('rejects an event that does not fit the schema', () => {
    expect(() =>
      log.append({ level: 'info', kind: 'Upload Done', subject: null, message: 'x' }),
    ).toThrow(CustodyError);
    expect(() =>
      log.append({ level: 'loud' as 'info', kind: 'upload.done', subject: null, message: 'x' }),
    ).toThrow(/level/);
    expect(log.list()).toEqual([]);
  });

  it('joins a transaction the caller has open', () => {
    store.db.exec('BEGIN IMMEDIATE');
    log.append(sample[0] as NewEvent);
    store.db.exec('ROLLBACK');
    expect(log.list()).toEqual([]);
    const event = log.append(sample[0] as NewEvent);
    expect(event.seq).toBe(1);
    expect(log.verify()).toEqual({ ok: true, count: 1 });
  });

  it('continues the chain after a reopen', () => {
    const written = appendSample();
    store.close();
    store = openStore(dir);
    log = new EventLog(store, { now });
    const next = log.append(sample[0] as NewEvent);
    expect(next.seq).toBe(written.length + 1);
    expect(next.prevHash).toBe(written.at(-1)?.hash);
    expect(log.verify()).toEqual({ ok: true, count: written.length + 1 });
  });
});

describe('EventLog.list', () => {
  it('filters by time, seq, kind prefix, level, subject, request and text', () => {
    const all = appendSample();
    expect(log.list()).toEqual(all);
    expect(seqs(log.list({ since: new Date('2026-11-25T12:05:00.000Z') }))).toEqual([5, 6, 7]);
    expect(seqs(log.list({ afterSeq: 5 }))).toEqual([6, 7]);
    // 'upload' is a segment prefix: it matches upload.* but not uploads.*.
    expect(seqs(log.list({ kinds: ['upload'] }))).toEqual([2, 3]);
    expect(seqs(log.list({ kinds: ['uploads'] }))).toEqual([4]);
    expect(seqs(log.list({ kinds: ['upload.done', 'key'] }))).toEqual([3, 7]);
    expect(seqs(log.list({ kinds: ['request.'] }))).toEqual([5, 6]);
    expect(seqs(log.list({ kinds: [] }))).toEqual(seqs(all));
    expect(seqs(log.list({ level: 'warn' }))).toEqual([4, 6, 7]);
    expect(seqs(log.list({ level: 'debug' }))).toEqual(seqs(all));
    expect(seqs(log.list({ subject: 'job-1' }))).toEqual([2, 3]);
    expect(seqs(log.list({ requestId: 'req-7' }))).toEqual([5, 6, 7]);
    expect(seqs(log.list({ search: 'CLIP.MP4' }))).toEqual([2, 3]);
    expect(seqs(log.list({ search: 'ab12' }))).toEqual([3]);
    expect(seqs(log.list({ search: 'cam-1' }))).toEqual([5]);
    expect(seqs(log.list({ order: 'desc', limit: 2 }))).toEqual([7, 6]);
    expect(seqs(log.list({ limit: 2 }))).toEqual([1, 2]);
    expect(seqs(log.list({ requestId: 'req-7', level: 'warn', order: 'desc' }))).toEqual([7, 6]);
    expect(log.list({ subject: 'nobody' })).toEqual([]);
  });

  it('refuses an unknown level with a bad-input error', () => {
    const err = (() => {
      try {
        log.list({ level: 'loud' as 'warn' });
      } catch (caught) {
        return caught as CustodyError;
      }
    })();
    expect(err).toBeInstanceOf(CustodyError);
    expect(err?.exitCode).toBe(2);
  });

  it('answers each filter from an index', () => {
    const plan = (filter: Parameters<typeof buildListQuery>[0]) => {
      const { sql, params } = buildListQuery(filter);
      return store.db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => String(row.detail))
        .join('\n');
    };
    expect(plan({ since: new Date(start) })).toContain('events_time');
    expect(plan({ kinds: ['upload'] })).toContain('events_kind');
    expect(plan({ kinds: ['upload', 'request'] })).toContain('events_kind');
    expect(plan({ subject: 'job-1' })).toContain('events_subject');
    expect(plan({ requestId: 'req-7' })).toContain('events_request');
    expect(plan({ afterSeq: 10 })).toMatch(/INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(plan({ beforeSeq: 10, search: 'x', order: 'desc' })).toMatch(
      /INTEGER PRIMARY KEY \(rowid<\?\)/,
    );
  });
});

describe('EventLog.list with search', () => {
  /** `count` progress events, as an upload writes them, newer than everything before. */
  function fill(count: number) {
    for (let i = 0; i < count; i++) {
      log.append({
        level: 'info',
        kind: 'upload.progress',
        subject: 'job-2',
        message: `chunk ${i} sent`,
        data: { bytes: i },
      });
    }
  }
  const newest = { order: 'desc', limit: 500 } as const;

  it('finds events older than the newest 500, in any case, in message, kind, subject or data', () => {
    const [, , done, , received] = appendSample();
    fill(600);
    expect(log.list(newest).some((event) => event.seq <= sample.length)).toBe(false);
    expect(log.list({ ...newest, search: 'uploaded CLIP.mp4' })).toEqual([done]);
    expect(log.list({ ...newest, search: 'AB12' })).toEqual([done]);
    expect(seqs(log.list({ ...newest, search: '"cameras":["cam-1"]' }))).toEqual([received?.seq]);
    expect(seqs(log.list({ ...newest, search: 'REQUEST.RECEIVED' }))).toEqual([received?.seq]);
    expect(seqs(log.list({ ...newest, search: 'Req-7' }))).toEqual([7, 6, 5]);
    expect(log.list({ ...newest, search: 'job-1 Uploaded' })).toEqual([]);
  });

  it('combines with the level and kind filters, newest first', () => {
    appendSample();
    fill(600);
    expect(seqs(log.list({ ...newest, search: 'req-7', level: 'warn' }))).toEqual([7, 6]);
    expect(seqs(log.list({ ...newest, search: 'req-7', kinds: ['request'] }))).toEqual([6, 5]);
    expect(seqs(log.list({ ...newest, search: 'clip', kinds: ['upload'], level: 'info' }))).toEqual(
      [3],
    );
    expect(log.list({ ...newest, search: 'chunk', kinds: ['request'] })).toEqual([]);
  });

  it('pages back with beforeSeq', () => {
    fill(1200);
    const first = log.list({ ...newest, search: 'chunk' });
    expect(first).toHaveLength(500);
    expect(first[0]?.seq).toBe(1200);
    const second = log.list({ ...newest, search: 'chunk', beforeSeq: first.at(-1)?.seq });
    expect(seqs(second)).toEqual(seqs(first).map((seq) => seq - 500));
    const last = log.list({ ...newest, search: 'chunk', beforeSeq: second.at(-1)?.seq });
    expect(seqs(last)).toEqual(Array.from({ length: 200 }, (_, i) => 200 - i));
  });

  it('takes %, _ and backslash literally', () => {
    log.append({ level: 'info', kind: 'upload.done', subject: null, message: 'at 100% done' });
    log.append({ level: 'info', kind: 'upload.done', subject: null, message: 'at 1000 done' });
    log.append({ level: 'info', kind: 'upload.done', subject: 'a_b', message: 'x' });
    log.append({ level: 'info', kind: 'upload.done', subject: 'axb', message: 'y' });
    log.append({ level: 'info', kind: 'upload.done', subject: null, message: 'to D:\\clips' });
    expect(seqs(log.list({ search: '100%' }))).toEqual([1]);
    expect(seqs(log.list({ search: 'a_b' }))).toEqual([3]);
    expect(seqs(log.list({ search: 'd:\\CLIPS' }))).toEqual([5]);
    expect(seqs(log.list({ search: '\\' }))).toEqual([5]);
  });
});

describe('EventLog.subscribe', () => {
  it('tells subscribers about each event until they unsubscribe', () => {
    const heard: number[] = [];
    const unsubscribe = log.subscribe((event) => heard.push(event.seq));
    log.append(sample[0] as NewEvent);
    log.append(sample[1] as NewEvent);
    unsubscribe();
    log.append(sample[2] as NewEvent);
    expect(heard).toEqual([1, 2]);
  });

  it('keeps the event when a subscriber throws', () => {
    const errors: unknown[] = [];
    log = new EventLog(store, { now, onListenerError: (err) => errors.push(err) });
    const heard: number[] = [];
    log.subscribe(() => {
      throw new Error('pane crashed');
    });
    log.subscribe((event) => heard.push(event.seq));
    const event = log.append(sample[0] as NewEvent);
    expect(heard).toEqual([event.seq]);
    expect(errors).toHaveLength(1);
    expect(log.list()).toEqual([event]);
  });
});

describe('EventLog.verify and tampering', () => {
  it('verifies an intact log, including an empty one', () => {
    expect(log.verify()).toEqual({ ok: true, count: 0 });
    appendSample();
    expect(log.verify()).toEqual({ ok: true, count: sample.length });
  });

  it('refuses UPDATE and DELETE while the triggers are in place', () => {
    appendSample();
    expect(() =>
      store.db.exec("UPDATE events SET message = 'nothing happened' WHERE seq = 3"),
    ).toThrow(/events are append-only/);
    expect(() => store.db.exec('DELETE FROM events WHERE seq = 3')).toThrow(
      /events are append-only/,
    );
    expect(log.verify()).toEqual({ ok: true, count: sample.length });
  });

  it('names the edited event when an attacker drops the trigger and edits a row', () => {
    appendSample();
    store.db.exec('DROP TRIGGER events_no_update');
    store.db.exec("UPDATE events SET message = 'nothing happened' WHERE seq = 3");
    const result = log.verify();
    expect(result).toEqual({
      ok: false,
      seq: 3,
      reason: expect.stringContaining('hash mismatch at seq 3'),
    });
  });

  it('names the next event when the edited row also got a fresh hash', () => {
    appendSample();
    const row = log.list({ afterSeq: 2, limit: 1 })[0] as CustodyEvent;
    const { hash: _old, ...body } = { ...row, data: { sha256: 'forged' } };
    store.db.exec('DROP TRIGGER events_no_update');
    store.db
      .prepare('UPDATE events SET data = ?, hash = ? WHERE seq = 3')
      .run(JSON.stringify(body.data), hashEvent(body));
    const result = log.verify();
    expect(result).toEqual({
      ok: false,
      seq: 4,
      reason: expect.stringContaining('prevHash at seq 4'),
    });
  });

  it('names the gap when an attacker deletes a row', () => {
    appendSample();
    store.db.exec('DROP TRIGGER events_no_delete');
    store.db.exec('DELETE FROM events WHERE seq = 3');
    const result = log.verify();
    expect(result).toEqual({
      ok: false,
      seq: 3,
      reason: expect.stringContaining('event 3 is missing'),
    });
  });

  it('catches a deletion that renumbers the rest', () => {
    appendSample();
    store.db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete');
    store.db.exec('DELETE FROM events WHERE seq = 3');
    store.db.exec('UPDATE events SET seq = seq - 1 WHERE seq > 3');
    const result = log.verify();
    expect(result).toEqual({
      ok: false,
      seq: 3,
      reason: expect.stringContaining('prevHash at seq 3'),
    });
  });
});
