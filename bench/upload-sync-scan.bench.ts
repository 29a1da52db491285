// A sync folder holding 10,000 small files (env SYNC_SCAN_FILES): time until all are queued,
// against a plain recursive readdir + stat of the same folder in the same run.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncFolderSource } from '../src/engine/uploads/sources/sync-folder.ts';
import { makeRig } from '../test/engine/uploads/rig.ts';

const count = Number(process.env.SYNC_SCAN_FILES ?? 10_000);
const dir = mkdtempSync(path.join(tmpdir(), 'custody-scan-'));
const watched = path.join(dir, 'watched');
for (let i = 0; i < count; i++) {
  const sub = path.join(watched, `d${i % 100}`);
  if (i < 100) mkdirSync(sub, { recursive: true });
  writeFileSync(path.join(sub, `f${i}.mp4`), `clip ${i}`);
}
// Files must be older than the stability threshold, as files already in a folder are.
await sleep(2100);

let start = performance.now();
let walked = 0;
for (const entry of readdirSync(watched, { recursive: true, withFileTypes: true })) {
  if (entry.isFile()) {
    statSync(path.join(entry.parentPath, entry.name));
    walked++;
  }
}
const walkMs = performance.now() - start;

const rig = makeRig({ dataDir: path.join(dir, 'data'), destinations: [] });
const source = new SyncFolderSource({
  folder: {
    id: 'bulk',
    name: 'Bulk',
    path: watched,
    enabled: true,
    destination: 'archive',
    include: ['**/*.mp4'],
    exclude: [],
    afterUpload: { policy: 'keep' },
  },
  queue: rig.queue,
  events: rig.events,
  verifiesHash: () => false,
});
start = performance.now();
await source.start();
const queuedCount = () =>
  Number(rig.store.db.prepare('SELECT count(*) AS n FROM uploads').get()?.n);
while (queuedCount() < walked && performance.now() - start < 120_000) await sleep(50);
const queueMs = performance.now() - start;
const queued = queuedCount();
await source.close();
await rig.close();
rmSync(dir, { recursive: true, force: true });

console.log(`files               ${walked}`);
console.log(`readdir + stat      ${(walkMs / 1000).toFixed(2)} s (baseline)`);
console.log(`queued by sync      ${queued} in ${(queueMs / 1000).toFixed(2)} s (target ≤ 10 s)`);
