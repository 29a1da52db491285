// Whole-log search (events.list with `search`) over 100k events, against a plain list of the
// same limit and against lower() over the columns joined, the other way to fold case in SQLite.
// A rare or absent needle is the worst case: no index serves a substring, so it scans them all.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildListQuery, type EventFilter, EventLog } from '../src/engine/events/event-log.ts';
import { openStore } from '../src/engine/store/database.ts';

const count = 100_000;
const limit = 501;
const runs = 9;
const dir = mkdtempSync(path.join(tmpdir(), 'custody-bench-'));
const store = openStore(dir);
const log = new EventLog(store);

// One transaction: the fill is set-up, not what is measured.
store.db.exec('BEGIN IMMEDIATE');
for (let i = 0; i < count; i++) {
  log.append({
    level: i % 50 === 0 ? 'warn' : 'info',
    kind: i % 3 === 0 ? 'upload.progress' : 'request.exporting',
    subject: `job_${(i % 977).toString(16).padStart(12, '0')}`,
    message: `interview-room-${i % 311}.mp4 at ${i * 1024} bytes`,
    data: {
      requestId: `req_${(i % 1013).toString(16).padStart(16, '0')}`,
      sha256: 'ab'.repeat(32),
      path: `/media/dock/CAM${i % 17}/clip-${i}.mp4`,
    },
  });
}
store.db.exec('COMMIT');

function median(run: () => number): { ms: number; rows: number } {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    rows = run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)] ?? 0, rows };
}

const newest = { order: 'desc', limit } as const;
const cases: [string, EventFilter][] = [
  ['plain list (baseline)', newest],
  ['search, common term', { ...newest, search: 'INTERVIEW' }],
  ['search, one old match', { ...newest, search: 'clip-17.mp4' }],
  ['search, no match', { ...newest, search: 'nothing-here' }],
  ['search + level warn', { ...newest, search: 'CAM3/', level: 'warn' }],
  ['search + kind request', { ...newest, search: 'clip-17.mp4', kinds: ['request'] }],
  ['search, page back', { ...newest, search: 'interview', beforeSeq: count / 2 }],
];
const results = cases.map(([name, filter]) => {
  const { ms, rows } = median(() => log.list(filter).length);
  return { name, ms, rows };
});

// The same worst case through lower() over the columns joined, for comparison.
const { params } = buildListQuery({ ...newest, search: 'nothing-here' });
const joined = store.db.prepare(
  `SELECT * FROM events WHERE instr(lower(message || ' ' || kind || ' ' || coalesce(subject, '') || ' ' || data), lower(?)) > 0 ORDER BY seq DESC LIMIT ?`,
);
const lowerJoined = median(() => joined.all('nothing-here', params.at(-1) ?? limit).length);
store.close();
rmSync(dir, { recursive: true, force: true });

const baseline = results[0]?.ms ?? 1;
console.log(`${count.toLocaleString('en')} events, limit ${limit}, median of ${runs}`);
for (const { name, ms, rows } of results) {
  console.log(
    `${name.padEnd(24)} ${String(rows).padStart(4)} rows ${ms.toFixed(1).padStart(7)} ms  (${(ms / baseline).toFixed(0)}x list)`,
  );
}
const worst = results.find((r) => r.name === 'search, no match')?.ms ?? 0;
console.log(
  `${'lower() joined, no match'.padEnd(24)} ${String(lowerJoined.rows).padStart(4)} rows ${lowerJoined.ms.toFixed(1).padStart(7)} ms  (LIKE per column ${(lowerJoined.ms / worst).toFixed(1)}x faster)`,
);
