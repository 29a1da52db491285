// Deny → key destroyed and files gone (target ≤ 1 s): from the operator's deny to the moment
// both clips' keys are shredded and their buffer files deleted, including telling the real
// service. Baseline: deleting two plain files of the same sizes.
import { existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { envNumber, requestBench } from './request-bench-setup.ts';
import { percentile } from './video-bench-setup.ts';

const runs = envNumber('REQUEST_RUNS', 20);
const bench = await requestBench();
try {
  const deny: number[] = [];
  const baseline: number[] = [];
  const scratch = path.join(path.dirname(bench.buffer.pathOf('x')), '..');
  for (let run = 0; run < runs; run++) {
    const request = await bench.newRequest();
    bench.manager.receive(request);
    const held = await bench.until(request.id, 'held');
    const fileIds = held.cameras.map((c) => `${request.id}-${c.id}`);

    const start = performance.now();
    await bench.manager.deny(request.id, 'outside the warrant', 'bench');
    deny.push(performance.now() - start);
    for (const id of fileIds) {
      if (existsSync(bench.buffer.pathOf(id))) throw new Error(`${id} still exists after deny`);
    }
    if ((await bench.buffer.list()).length > 0) throw new Error('buffer not empty after deny');

    const plain = held.cameras.map((c, i) => {
      const file = path.join(scratch, `plain-${run}-${i}.ts`);
      writeFileSync(file, Buffer.alloc(c.bytes, 1));
      return file;
    });
    const rmStart = performance.now();
    await Promise.all(plain.map((file) => rm(file)));
    baseline.push(performance.now() - rmStart);
  }
  const ms = (values: number[], p: number) => `${percentile(values, p).toFixed(1)} ms`;
  console.log(
    `deny → shredded      p50 ${ms(deny, 50)}  p95 ${ms(deny, 95)}  max ${ms(deny, 100)}  (${runs} runs, 2 clips each; target ≤ 1000 ms)`,
  );
  console.log(
    `baseline plain rm    p50 ${ms(baseline, 50)}  p95 ${ms(baseline, 95)}  (two files of the same sizes)`,
  );
  if (percentile(deny, 100) > 1000) process.exitCode = 1;
} finally {
  await bench.close();
}
