// Resident memory of the engine as users run it (the built `custody engine`, its own process)
// with 26 uploads running under a 20 MB/s cap (target ≤ 120 MB), started with the node flags
// of its #! line. Baselines in the same run: the same engine idle before the uploads, and once
// more with V8's default young generation, to show what the flags save. Env:
// ENGINE_RSS_SECONDS (default 15).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatBytes } from '../src/core/format.ts';
import { startTusPeer } from '../test/engine/uploads/tus-peer.ts';
import { shippedNodeFlags } from '../test/helpers/cli.ts';
import { custody, startEngine, writeEngineConfig } from '../test/helpers/control.ts';
import { envNumber } from './video-bench-setup.ts';

const seconds = envNumber('ENGINE_RSS_SECONDS', 15);
const FILES = 26;
const FILE_BYTES = 64 * 1024 * 1024;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kib * 1024;
}

async function measure(label: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-rss-'));
  const peer = await startTusPeer(path.join(dir, 'peer'));
  const previous = process.env.NODE_OPTIONS;
  try {
    const config = writeEngineConfig(dir, {
      service: { mode: 'none' },
      cameras: [],
      uploads: { concurrency: FILES, bandwidth: '20M', schedule: [] },
    });
    const data = path.join(dir, 'data');
    const files = path.join(dir, 'files');
    mkdirSync(files);
    // Random bytes: nothing on the way can shortcut them.
    const block = randomBytes(1024 * 1024);
    for (let i = 0; i < FILES; i++) {
      const file = path.join(files, `bodycam-${String(i).padStart(2, '0')}.mp4`);
      writeFileSync(
        file,
        Buffer.concat(Array.from({ length: FILE_BYTES / block.length }, () => block)),
      );
    }
    if (env.NODE_OPTIONS) process.env.NODE_OPTIONS = env.NODE_OPTIONS;
    const engine = await startEngine(config, data, ['--quiet']);
    process.env.NODE_OPTIONS = previous;
    const pid = engine.child.pid as number;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idle = rssOf(pid);
      const queued = await custody(data, ['upload', files, '--to', peer.url]);
      if (queued.code !== 0) throw new Error(`queueing failed: ${queued.stderr}`);
      let peak = 0;
      const samples: number[] = [];
      const until = Date.now() + seconds * 1000;
      while (Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const rss = rssOf(pid);
        samples.push(rss);
        peak = Math.max(peak, rss);
      }
      const status = JSON.parse((await custody(data, ['status', '--json'])).stdout) as {
        uploads: { counts: Record<string, number>; rate: number };
      };
      samples.sort((a, b) => a - b);
      const median = samples[Math.floor(samples.length / 2)] ?? 0;
      console.log(
        `${label.padEnd(42)} idle ${formatBytes(idle).padStart(9)}  median ${formatBytes(median).padStart(9)}  peak ${formatBytes(peak).padStart(9)}  (${status.uploads.counts.uploading} uploading, ${formatBytes(peer.received())} received)`,
      );
    } finally {
      await engine.stop();
    }
  } finally {
    process.env.NODE_OPTIONS = previous;
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `engine RSS, ${FILES} uploads of ${formatBytes(FILE_BYTES)} under a 20M cap, ${seconds} s (target ≤ 120 MB)`,
);
await measure(`custody engine (${shippedNodeFlags.join(' ')})`, {
  NODE_OPTIONS: shippedNodeFlags.join(' '),
});
await measure('V8 default young generation', {});
