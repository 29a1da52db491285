// One SIGKILL run: upload a few files with the uploader in a child process, kill it with
// SIGKILL at random moments, rerun it until it finishes on its own, then check the server.
// Used by kill.test.ts and bench/upload-kill.bench.ts.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { randomFile, removeDir, tempDir } from './rig.ts';
import { sha256Of, startTusPeer } from './tus-peer.ts';

const childScript = path.join(import.meta.dirname, 'upload-child.ts');
const CHUNK = 128 * 1024;

export type KillRunResult = {
  kills: number;
  /** Each file has exactly one complete upload on the server, with its hash. */
  exactlyOnce: boolean;
  /** Uploads the server holds that are not complete (created just before a kill). */
  incomplete: number;
  /** Bytes the server received beyond the files' total. */
  resent: number;
  /** resent ≤ kills × one chunk. */
  resentWithinOneChunkPerKill: boolean;
  states: string[];
};

type Child = {
  exit: Promise<number | null>;
  ready: Promise<void>;
  kill: () => void;
  output: Promise<string>;
};

function startChild(args: string[]): Child {
  const child = spawn(
    process.execPath,
    ['--experimental-transform-types', '--no-warnings', childScript, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  let last = '';
  const ready = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      if (line === 'ready') resolve();
      else last = line;
    });
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { exit, ready, kill: () => child.kill('SIGKILL'), output: exit.then(() => last) };
}

export async function killRun(random: () => number = Math.random): Promise<KillRunResult> {
  const work = tempDir('kill');
  const peer = await startTusPeer(tempDir('kill-server'));
  try {
    const files = [0, 1, 2].map((i) =>
      randomFile(work, `clip-${i}.mp4`, 256 * 1024 + Math.floor(random() * 1024 * 1024)),
    );
    // Capped so each run lasts long enough to be killed in the middle of things.
    const args = [path.join(work, 'data'), peer.url, String(4 * 1024 * 1024), ...files];
    let kills = 0;
    let output = '';
    for (;;) {
      const child = startChild(args);
      await Promise.race([child.ready, child.exit]);
      const killAfter = Math.floor(random() * 400);
      const timer = setTimeout(child.kill, killAfter);
      const code = await child.exit;
      clearTimeout(timer);
      if (code === 0) {
        output = await child.output;
        break;
      }
      kills++;
      if (kills > 100) throw new Error('the uploader never finished');
    }
    const uploads = await peer.uploads();
    const complete = uploads.filter((u) => u.offset === u.size);
    const hashes = await Promise.all(files.map((file) => sha256Of(file)));
    const exactlyOnce =
      complete.length === files.length &&
      hashes.every((hash) => complete.filter((u) => u.sha256 === hash).length === 1);
    const total = uploads.reduce((sum, u) => sum + u.offset, 0);
    const resent = peer.received() - total;
    return {
      kills,
      exactlyOnce,
      incomplete: uploads.length - complete.length,
      resent,
      resentWithinOneChunkPerKill: resent <= kills * CHUNK,
      states: (JSON.parse(output) as { state: string }[]).map((job) => job.state),
    };
  } finally {
    await peer.close();
    removeDir(work);
    removeDir(peer.directory);
  }
}
