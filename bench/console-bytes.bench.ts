// Bytes the console writes to its terminal per second (targets: idle ~0 B/s and ≤ 1 % CPU;
// 26 active uploads ≤ 8 KB/s), measured on the pty stream of an 80x24 tmux pane (pipe-pane
// copies every byte the program writes). Also the console+engine process's CPU and RSS
// (target ≤ 150 MB with 26 uploads): once on the demo as shipped, whose embedded service
// receives the uploads in the same process, and once linked to a `custody server` in its own
// process, as a site runs it, so the figure is the console and the engine alone.
// Baseline in the same run: what a full redraw of the same screen at the console's frame
// cap (10 a second) would write, i.e. the cost without incremental rendering.
// Needs `npm run build` first (it runs dist/, as `npm start` does).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../src/core/format.ts';
import { startServiceProcess } from '../test/helpers/service-process.ts';
import { BenchPane, cliPath, repoRoot, shippedNodeFlags, sleep } from './console-harness.ts';

const windowMs = Number(process.env.CONSOLE_BYTES_WINDOW_MS ?? 10_000);
const uploads = 26;

type Window = { bytesPerSecond: number; cpu: number; rssMedian: number; rssPeak: number };

/** The console on the demo config (with `service` if given), measured as an operator uses it. */
async function run(service?: Record<string, unknown>) {
  const pane = new BenchPane(80, 24);
  try {
    const example = JSON.parse(readFileSync(path.join(repoRoot, 'config.example.json'), 'utf8'));
    delete example.$schema;
    const config = path.join(pane.dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        ...example,
        ...(service ? { service } : {}),
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
    const measure = async (): Promise<Window> => {
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
    // Skip: no case (the third choice).
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
    return { idle, idleBaseline, tiles, busy, busyBaseline, stillRunning };
  } finally {
    pane.close();
  }
}

const rate = (v: number) => `${formatBytes(Math.round(v))}/s`;
const memory = (w: Window) =>
  `median ${formatBytes(w.rssMedian)}, peak ${formatBytes(w.rssPeak)} (${(w.rssPeak / 1e6).toFixed(1)} MB)`;

const demo = await run();
console.log(
  `window               ${windowMs / 1000} s, 80x24 tmux pane, NO_COLOR, demo cameras recording`,
);
console.log(
  `idle (Inbox)         ${rate(demo.idle.bytesPerSecond)}, ${demo.idle.cpu.toFixed(1)} % CPU  (target ~0 B/s, ≤ 1 % CPU)`,
);
console.log(`  baseline           ${rate(demo.idleBaseline)}  (full redraw at 10 frames/s)`);
console.log(
  `cameras (4 tiles)    ${rate(demo.tiles.bytesPerSecond)}, ${demo.tiles.cpu.toFixed(1)} % CPU  (pictures redrawn once a second)`,
);
console.log(
  `${uploads} uploads (Uploads) ${rate(demo.busy.bytesPerSecond)}, ${demo.busy.cpu.toFixed(1)} % CPU  (target ≤ 8 KB/s; ${demo.stillRunning ?? '?'} still running at the end)`,
);
console.log(`  baseline           ${rate(demo.busyBaseline)}  (full redraw at 10 frames/s)`);

const server = await startServiceProcess(new BenchPane().dir);
try {
  const site = await run({ mode: 'remote', integrationFile: server.integrationFile });
  console.log(
    `console+engine RSS   ${memory(site.busy)} with ${uploads} uploads to a service in its own process  (target ≤ 150 MB)`,
  );
} finally {
  await server.stop();
}
console.log(
  `  demo, all in one   ${memory(demo.busy)}  (its embedded service receiving them in the same process)`,
);
