// 26 concurrent uploads under a 20 MiB/s cap to a stock tus server in another process:
// aggregate per 1 s and 10 s window against the cap, Jain fairness across the uploads, the
// peak in the first second, and the engine's RSS. Env: UPLOAD_CAP_SECONDS (default 30).
import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { formatBytes, formatRate } from '../src/core/format.ts';
import { jainIndex } from '../src/core/upload-state.ts';
import { TusDestination } from '../src/engine/uploads/tus-destination.ts';
import { makeRig } from '../test/engine/uploads/rig.ts';

const CAP = 20 * 1024 * 1024;
const JOBS = 26;
const seconds = Number(process.env.UPLOAD_CAP_SECONDS ?? 30);
const dir = mkdtempSync(path.join(tmpdir(), 'custody-cap-'));

type Sample = { t: number; received: Record<string, number> };

const server = spawn(
  process.execPath,
  [
    '--experimental-transform-types',
    '--no-warnings',
    path.join(import.meta.dirname, '../test/engine/uploads/tus-peer-child.ts'),
    mkdtempSync(path.join(dir, 'server-')),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const samples: Sample[] = [];
const url = await new Promise<string>((resolve) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { url?: string } & Sample;
    if (message.url) resolve(message.url);
    else samples.push(message);
  });
});

// Sparse files: the bench measures the link, not the disk, and needs no gigabytes of data.
const perJob = Math.ceil((CAP * seconds * 1.5) / JOBS);
const files = Array.from({ length: JOBS }, (_, i) => {
  const file = path.join(dir, `bwc-${i}.mp4`);
  const fd = openSync(file, 'w');
  ftruncateSync(fd, perJob);
  closeSync(fd);
  return file;
});

const rig = makeRig({
  dataDir: mkdtempSync(path.join(dir, 'data-')),
  destinations: [new TusDestination({ id: 'peer', endpoint: url })],
  rate: CAP,
  concurrency: JOBS,
  chunkSize: 8 * 1024 * 1024,
});
for (const file of files) {
  const { job } = rig.queue.enqueue({ sourceKind: 'dock', path: file, destinationId: 'peer' });
  // Hashing is a local pass; this bench is about the shared link.
  rig.queue.recordHash(job.id, '0'.repeat(64), job.size, job.mtimeMs);
}
const idleRss = process.memoryUsage().rss;
let peakRss = 0;
let peakDetail = '';
const rssTimer = setInterval(() => {
  const usage = process.memoryUsage();
  if (usage.rss > peakRss) {
    peakRss = usage.rss;
    peakDetail = `heap ${formatBytes(usage.heapUsed)} of ${formatBytes(usage.heapTotal)}, buffers ${formatBytes(usage.arrayBuffers)}`;
  }
}, 200);
const startedAt = samples.at(-1)?.t ?? 0;
rig.scheduler.start();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 300));
clearInterval(rssTimer);
await rig.close();
server.kill();

// Server clock: the samples carry the child's performance.now().
const total = (sample: Sample) => Object.values(sample.received).reduce((a, b) => a + b, 0);
const at = (t: number) => samples.findLast((sample) => sample.t <= t) ?? samples[0];
const windowRates = (size: number): number[] => {
  const rates: number[] = [];
  for (let t = startedAt; t + size * 1000 <= startedAt + seconds * 1000; t += size * 1000) {
    const from = at(t);
    const to = at(t + size * 1000);
    if (from && to) rates.push(((total(to) - total(from)) * 1000) / (to.t - from.t));
  }
  return rates;
};
const deviation = (rates: number[]) =>
  rates.length === 0
    ? '—'
    : `${(Math.max(...rates.map((r) => Math.abs(r / CAP - 1))) * 100).toFixed(2)} %`;
// Steady state: the first second ramps up from an empty bucket.
const oneSecond = windowRates(1);
const tenSeconds = windowRates(10);
const last = samples.at(-1) as Sample;
const shares = Object.values(last.received);
const firstSecond = at(startedAt + 1000);

console.log(`cap                     ${formatRate(CAP)}, ${JOBS} uploads, ${seconds} s`);
console.log(
  `1 s windows             min ${formatRate(Math.min(...oneSecond.slice(1)))} max ${formatRate(Math.max(...oneSecond.slice(1)))}; worst deviation after the first ${deviation(oneSecond.slice(1))} (target ±3 %)`,
);
console.log(
  `10 s windows            ${tenSeconds.map((r) => formatRate(r)).join(', ')}; worst deviation ${deviation(tenSeconds)} (target ±1 %)`,
);
console.log(
  `first second            ${formatBytes(firstSecond ? total(firstSecond) : 0)} (cap ${formatBytes(CAP)}: no burst above it)`,
);
console.log(
  `Jain fairness           ${jainIndex(shares).toFixed(4)} over ${shares.length} uploads (target ≥ 0.95)`,
);
console.log(
  `bench process RSS       ${formatBytes(peakRss)} peak; ${formatBytes(idleRss)} before the uploads started; at the peak ${peakDetail} (this process runs under tsx; bench/engine-rss measures the shipped engine against its 120 MB target)`,
);
rmSync(dir, { recursive: true, force: true });
