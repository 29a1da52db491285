// One large upload (env UPLOAD_BENCH_BYTES, default 1 GiB) to a stock @tus/server on loopback,
// uncapped, by our tus client, against curl PATCHing the same file to the same server
// (created with a curl POST).
import { execFile, execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatBytes, formatRate } from '../src/core/format.ts';
import { TusDestination } from '../src/engine/uploads/tus-destination.ts';
import { makeRig } from '../test/engine/uploads/rig.ts';
import { sha256Of, startTusPeer } from '../test/engine/uploads/tus-peer.ts';

const size = Number(process.env.UPLOAD_BENCH_BYTES ?? 1024 ** 3);
const dir = mkdtempSync(path.join(tmpdir(), 'custody-bench-'));
const file = path.join(dir, 'big.mp4');

async function writeRandom(target: string, bytes: number): Promise<void> {
  const out = createWriteStream(target);
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (let left = bytes; left > 0; left -= block.length) {
    randomFillSync(block);
    if (!out.write(left >= block.length ? block : block.subarray(0, left))) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

await writeRandom(file, size);
const expected = await sha256Of(file);
// curl runs as a child while the server runs in this process, so it must not block.
const run = promisify(execFile);

async function ours(): Promise<number> {
  const peer = await startTusPeer(mkdtempSync(path.join(dir, 'ours-')));
  const rig = makeRig({
    dataDir: mkdtempSync(path.join(dir, 'data-')),
    destinations: [new TusDestination({ id: 'peer', endpoint: peer.url })],
    chunkSize: 8 * 1024 * 1024,
  });
  const { job } = rig.queue.enqueue({ sourceKind: 'picked', path: file, destinationId: 'peer' });
  // The hash pass reads the disk, not the link, and curl has none: it is left out here.
  rig.queue.recordHash(job.id, expected, job.size, job.mtimeMs);
  const start = performance.now();
  rig.scheduler.start();
  await rig.scheduler.whenIdle();
  const ms = performance.now() - start;
  const [upload] = await peer.uploads();
  if (rig.queue.get(job.id)?.state !== 'done' || upload?.sha256 !== expected) {
    throw new Error('our upload did not arrive intact');
  }
  await rig.close();
  await peer.close();
  return ms;
}

async function curl(): Promise<number> {
  const peer = await startTusPeer(mkdtempSync(path.join(dir, 'curl-')));
  const start = performance.now();
  const created = await run('curl', [
    '-s',
    '-i',
    '-X',
    'POST',
    peer.url,
    '-H',
    'Tus-Resumable: 1.0.0',
    '-H',
    `Upload-Length: ${size}`,
  ]);
  const location = /location: (\S+)/i.exec(created.stdout)?.[1];
  if (!location) throw new Error(`curl POST gave no Location:\n${created.stdout}`);
  const url = new URL(location, peer.url).href;
  await run(
    'curl',
    [
      '-s',
      '-f',
      '-X',
      'PATCH',
      url,
      '-H',
      'Tus-Resumable: 1.0.0',
      '-H',
      'Upload-Offset: 0',
      '-H',
      'Content-Type: application/offset+octet-stream',
      // No 1 s wait for a 100 Continue the server never sends.
      '-H',
      'Expect:',
      // --data-binary @file reads the whole file into memory first (and fails at 1 GiB);
      // --upload-file streams it, with the same Content-Length body.
      '--upload-file',
      file,
    ],
    { maxBuffer: 1024 * 1024 },
  );
  const ms = performance.now() - start;
  const [upload] = await peer.uploads();
  if (upload?.offset !== size) throw new Error('curl upload incomplete');
  await peer.close();
  return ms;
}

try {
  execFileSync('curl', ['--version'], { stdio: 'ignore' });
  // Alternate and keep the best of each, so a cold page cache does not favour either.
  const oursMs = Math.min(await ours(), await ours());
  const curlMs = Math.min(await curl(), await curl());
  const rate = (ms: number) => formatRate((size * 1000) / ms);
  console.log(`file                ${formatBytes(size)}`);
  console.log(`custody tus client  ${(oursMs / 1000).toFixed(2)} s  ${rate(oursMs)}`);
  console.log(`curl PATCH          ${(curlMs / 1000).toFixed(2)} s  ${rate(curlMs)}`);
  console.log(`ratio               ${(curlMs / oursMs).toFixed(2)}x of curl (target ≥ 0.90x)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
