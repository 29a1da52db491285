// Bytes the console writes to its terminal per second (targets: idle ~0 B/s and ≤ 1 % CPU;
// 26 active uploads ≤ 8 KB/s), measured on the pty stream of an 80x24 tmux pane (pipe-pane
// copies every byte the program writes). Also the console+engine process's CPU and RSS.
// Baseline in the same run: what a full redraw of the same screen at the console's frame
// cap (10 a second) would write, i.e. the cost without incremental rendering.
// Needs `npm run build` first (it runs dist/, as `npm start` does).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../src/core/format.ts';
import { BenchPane, cliPath, repoRoot, shippedNodeFlags, sleep } from './console-harness.ts';

const windowMs = Number(process.env.CONSOLE_BYTES_WINDOW_MS ?? 10_000);
const uploads = 26;

const pane = new BenchPane(80, 24);
try {
  const example = JSON.parse(readFileSync(path.join(repoRoot, 'config.example.json'), 'utf8'));
  delete example.$schema;
  const config = path.join(pane.dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...example,
      dataDir: './data',
      // 26 at once, slow enough that all of them are still running while we measure.
      uploads: { ...example.uploads, concurrency: uploads, bandwidth: '1M', schedule: [] },
    }),
  );
  const files: string[] = [];
  for (let i = 0; i < uploads; i++) {
    const file = path.join(pane.dir, `bodycam-${String(i + 1).padStart(2, '0')}.mp4`);
    writeFileSync(file, Buffer.alloc(4 * 1024 * 1024, i));
    files.push(file);
  }

  // The node flags the program ships with (its #! line; `npm start` passes the same).
  pane.start(`${process.execPath} ${shippedNodeFlags.join(' ')} ${cliPath} --config ${config}`, {
    CUSTODY_INTERACTIVE: '1',
    NO_COLOR: '1',
  });
  await sleep(200);
  pane.go();
  await pane.waitUntil((s) => s.includes('│ Ready'), 30_000, 50);
  const shellPid = pane.tmux('list-panes', '-t', 'main', '-F', '#{pane_pid}').trim();
  const nodePid = readFileSync(`/proc/${shellPid}/task/${shellPid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.js'));
  if (!nodePid) throw new Error('could not find the console process');

  const cpuTicks = () => {
    const fields = readFileSync(`/proc/${nodePid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
  };
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${nodePid}/status`, 'utf8'))?.[1]) * 1024;
  const measure = async () => {
    const bytes0 = pane.bytes();
    const cpu0 = cpuTicks();
    const t0 = performance.now();
    // Resident memory sampled through the window, five times a second.
    const samples: number[] = [];
    while (performance.now() - t0 < windowMs) {
      samples.push(rss());
      await sleep(200);
    }
    const seconds = (performance.now() - t0) / 1000;
    samples.sort((a, b) => a - b);
    return {
      bytesPerSecond: (pane.bytes() - bytes0) / seconds,
      cpu: ((cpuTicks() - cpu0) / 100 / seconds) * 100,
      rssMedian: samples[Math.floor(samples.length / 2)] ?? 0,
      rssPeak: samples.at(-1) ?? 0,
    };
  };
  const fullRedraw = () => pane.tmux('capture-pane', '-p', '-e', '-t', 'main').length * 10;

  // Idle: the Inbox, nothing moving but the four cameras recording in the engine.
  pane.send('1');
  await sleep(3000);
  const idle = await measure();
  const idleBaseline = fullRedraw();

  // The Cameras tab: four live tiles, each picture polled once a second.
  pane.send('2');
  await sleep(3000);
  const tiles = await measure();

  // Activity: 26 files added through Select files, all uploading at once, Uploads in view.
  pane.send('3');
  await sleep(300);
  pane.send('o');
  await sleep(300);
  pane.send('t'); // type the paths rather than browse
  await sleep(300);
  pane.send('-l', files.join('; '));
  await sleep(300);
  pane.send('Enter');
  await pane.waitUntil((s) => s.includes('File it into'), 10_000, 50);
  pane.send('Down');
  await sleep(100);
  pane.send('Down');
  await sleep(100);
  pane.send('Enter');
  await pane.waitUntil((s) => new RegExp(`${uploads} run`).test(s), 30_000, 50);
  await sleep(2000);
  const busy = await measure();
  const busyBaseline = fullRedraw();
  const stillRunning = /(\d+) run/.exec(pane.capture())?.[1];

  const rate = (v: number) => `${formatBytes(Math.round(v))}/s`;
  console.log(
    `window               ${windowMs / 1000} s, 80x24 tmux pane, NO_COLOR, demo cameras recording`,
  );
  console.log(
    `idle (Inbox)         ${rate(idle.bytesPerSecond)}, ${idle.cpu.toFixed(1)} % CPU  (target ~0 B/s, ≤ 1 % CPU)`,
  );
  console.log(`  baseline           ${rate(idleBaseline)}  (full redraw at 10 frames/s)`);
  console.log(
    `cameras (4 tiles)    ${rate(tiles.bytesPerSecond)}, ${tiles.cpu.toFixed(1)} % CPU  (pictures redrawn once a second)`,
  );
  console.log(
    `${uploads} uploads (Uploads) ${rate(busy.bytesPerSecond)}, ${busy.cpu.toFixed(1)} % CPU  (target ≤ 8 KB/s; ${stillRunning ?? '?'} still running at the end)`,
  );
  console.log(`  baseline           ${rate(busyBaseline)}  (full redraw at 10 frames/s)`);
  console.log(
    `console+engine RSS   median ${formatBytes(busy.rssMedian)}, peak ${formatBytes(busy.rssPeak)} with ${uploads} uploads  (target ≤ 150 MB; the embedded service receiving them runs in this process too)`,
  );
} finally {
  pane.close();
}
