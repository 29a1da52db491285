// CPU of the four demo cameras' ffmpeg processes, as % of one core, from /proc/<pid>/stat
// (target: ≤ 25 % in total). Baseline: one bare `ffmpeg -re -f lavfi testsrc2 -f null -` at the
// same size and rate, i.e. what drawing a test pattern costs before any encoding.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { benchArchive, envNumber, ffmpegPath, until } from './video-bench-setup.ts';

const seconds = envNumber('CPU_SECONDS', 20);
const ticksPerSecond =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** utime + stime in clock ticks; the fields after the command name, which may hold spaces. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function measure(pids: number[]): Promise<number[]> {
  const before = pids.map(cpuTicks);
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - start) / 1000;
  return pids.map(
    (pid, i) => ((cpuTicks(pid) - (before[i] ?? 0)) / ticksPerSecond / elapsed) * 100,
  );
}

const archive = benchArchive();
const { recorder, cameras } = archive;
recorder.start();
try {
  await until(
    () => cameras.every((c) => recorder.status(c.id)?.state === 'recording'),
    'recording',
  );
  const pids = cameras.map((c) => recorder.pid(c.id) ?? 0);
  const perCamera = await measure(pids);
  const total = perCamera.reduce((a, b) => a + b, 0);
  await recorder.stop();

  const bare = spawn(
    ffmpegPath,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=10',
      '-f',
      'null',
      '-',
    ],
    { stdio: 'ignore' },
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  const [baseline = 0] = await measure([bare.pid ?? 0]);
  bare.kill('SIGKILL');

  console.log(`sampled              ${seconds} s`);
  cameras.forEach((camera, i) => {
    const source = camera.source.kind === 'demo' ? camera.source.pattern : 'url';
    console.log(`${`  ${camera.id} (${source})`.padEnd(24)}${(perCamera[i] ?? 0).toFixed(1)} %`);
  });
  console.log(`4 demo cameras       ${total.toFixed(1)} % of one core  (target ≤ 25 %)`);
  console.log(
    `baseline bare lavfi  ${baseline.toFixed(1)} % of one core  (testsrc2 640x360@10 → null)`,
  );
} finally {
  await archive.close();
}
