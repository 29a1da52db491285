// Event log append and verify throughput, against plain SQLite inserts of the same rows in the
// same run (the hash chain and validation are the only difference).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { EventLog } from '../src/engine/events/event-log.ts';
import { openStore } from '../src/engine/store/database.ts';

const count = 20_000;
const dir = mkdtempSync(path.join(tmpdir(), 'custody-bench-'));

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en')}/s`;
}

const store = openStore(path.join(dir, 'log'));
const log = new EventLog(store);
let start = performance.now();
for (let i = 0; i < count; i++) {
  log.append({
    level: 'info',
    kind: 'upload.progress',
    subject: `job-${i % 26}`,
    message: `job ${i % 26} at ${i} bytes`,
    data: { requestId: `req-${i % 7}`, bytes: i },
  });
}
const appendMs = performance.now() - start;

start = performance.now();
const verified = log.verify();
const verifyMs = performance.now() - start;

start = performance.now();
const listed = log.list({ requestId: 'req-3', limit: 500, order: 'desc' }).length;
const listMs = performance.now() - start;
store.close();

const baseline = new DatabaseSync(path.join(dir, 'baseline.db'));
baseline.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL');
baseline.exec(
  'CREATE TABLE e (seq INTEGER PRIMARY KEY, time TEXT, level TEXT, kind TEXT, subject TEXT, message TEXT, data TEXT)',
);
const insert = baseline.prepare(
  'INSERT INTO e (time, level, kind, subject, message, data) VALUES (?, ?, ?, ?, ?, ?)',
);
start = performance.now();
for (let i = 0; i < count; i++) {
  insert.run(
    new Date().toISOString(),
    'info',
    'upload.progress',
    `job-${i % 26}`,
    `job ${i % 26} at ${i} bytes`,
    JSON.stringify({ requestId: `req-${i % 7}`, bytes: i }),
  );
}
const baselineMs = performance.now() - start;
baseline.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  `events appended      ${count.toLocaleString('en')} in ${appendMs.toFixed(0)} ms  (${rate(count, appendMs)})`,
);
console.log(
  `baseline raw insert  ${count.toLocaleString('en')} in ${baselineMs.toFixed(0)} ms  (${rate(count, baselineMs)})`,
);
console.log(`append vs baseline   ${(baselineMs / appendMs).toFixed(2)}x`);
console.log(
  `chain verify         ${verified.ok ? 'intact' : 'BROKEN'} in ${verifyMs.toFixed(0)} ms  (${rate(count, verifyMs)})`,
);
console.log(`list by request id   ${listed} rows in ${listMs.toFixed(1)} ms`);
