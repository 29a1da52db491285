import { describe, expect, it } from 'vitest';
import { killRun } from './kill-runs.ts';

// 50 runs under CI (about two minutes, beside the other test files); 10 for a quick local run.
// bench/upload-kill.bench.ts runs 1000.
const RUNS = Number(process.env.UPLOAD_KILL_TEST_RUNS ?? (process.env.CI ? 50 : 10));

describe('uploader killed with SIGKILL at random points', () => {
  it(`every file arrives exactly once with its hash (${RUNS} runs)`, {
    timeout: RUNS * 20_000,
  }, async () => {
    let kills = 0;
    for (let run = 0; run < RUNS; run++) {
      const result = await killRun();
      kills += result.kills;
      expect(result.states).toEqual(['done', 'done', 'done']);
      expect(result.exactlyOnce).toBe(true);
      expect(result.resentWithinOneChunkPerKill).toBe(true);
    }
    expect(kills).toBeGreaterThan(0);
  });
});
