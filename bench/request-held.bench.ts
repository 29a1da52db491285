// Request received → held for 2 cameras × 5 minutes (target: p95 ≤ 2 s). Each run is a new
// request from the real service, taken in by the RequestManager, exported by ffmpeg straight
// into the encrypted buffer. Baseline: the same two exports into a null sink (no encryption,
// no store), the floor under any held time.
import { Writable } from 'node:stream';
import { CAMERAS, envNumber, requestBench } from './request-bench-setup.ts';
import { percentile } from './video-bench-setup.ts';

const runs = envNumber('REQUEST_RUNS', 20);
const bench = await requestBench();
try {
  const held: number[] = [];
  let clipBytes = 0;
  for (let run = 0; run < runs; run++) {
    const request = await bench.newRequest();
    const start = performance.now();
    bench.manager.receive(request);
    const view = await bench.until(request.id, 'held');
    held.push(performance.now() - start);
    clipBytes = view.cameras.reduce((sum, c) => sum + c.bytes, 0);
    // Deny so the buffer does not grow over the runs (not timed here: see request-deny).
    await bench.manager.deny(request.id, 'bench run over', 'bench');
  }

  const nullSink = () => new Writable({ write: (_chunk, _enc, done) => done() });
  const baseline: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await Promise.all(CAMERAS.map((c) => bench.clips.toWritable(c.id, bench.range, nullSink())));
    baseline.push(performance.now() - start);
  }

  const ms = (values: number[], p: number) => `${percentile(values, p).toFixed(0)} ms`;
  console.log(
    `footage              2 cameras × ${bench.minutes} min, ${(bench.footageBytes / 1048576).toFixed(1)} MiB in the archive, clips ${(clipBytes / 1048576).toFixed(1)} MiB`,
  );
  console.log(
    `received → held      p50 ${ms(held, 50)}  p95 ${ms(held, 95)}  max ${ms(held, 100)}  (${runs} runs; target p95 ≤ 2000 ms)`,
  );
  console.log(
    `baseline export only p50 ${ms(baseline, 50)}  p95 ${ms(baseline, 95)}  (both clips to a null sink, no encryption)`,
  );
  console.log(
    `held vs baseline     ${(percentile(held, 50) / percentile(baseline, 50)).toFixed(2)}x at p50`,
  );
  if (percentile(held, 95) > 2000) process.exitCode = 1;
} finally {
  await bench.close();
}
