// SIGKILL endurance: N runs (env UPLOAD_KILL_RUNS, default 1000) of the uploader killed at
// random points and rerun until it finishes; every file must arrive exactly once with its
// hash, and each kill may cost at most one re-sent chunk.
import { killRun } from '../test/engine/uploads/kill-runs.ts';

const runs = Number(process.env.UPLOAD_KILL_RUNS ?? 1000);
let kills = 0;
let failures = 0;
let incomplete = 0;
let resent = 0;
const started = performance.now();
for (let run = 1; run <= runs; run++) {
  const result = await killRun();
  kills += result.kills;
  incomplete += result.incomplete;
  resent += result.resent;
  const ok =
    result.exactlyOnce &&
    result.resentWithinOneChunkPerKill &&
    result.states.every((state) => state === 'done');
  if (!ok) {
    failures++;
    console.log(`run ${run} FAILED: ${JSON.stringify(result)}`);
  }
  if (run % 50 === 0 || run === runs) {
    console.log(`${run}/${runs} runs, ${kills} kills, ${failures} failed`);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(`runs                ${runs}`);
console.log(`kills               ${kills}`);
console.log(`failed runs         ${failures} (baseline: 0 allowed)`);
console.log(
  `orphan uploads      ${incomplete} (created on the server, killed before the URL was stored)`,
);
console.log(
  `bytes re-sent       ${resent} (${kills > 0 ? Math.round(resent / kills) : 0} per kill; limit one chunk = 131072)`,
);
console.log(`time                ${seconds.toFixed(1)} s`);
process.exitCode = failures === 0 ? 0 : 1;
