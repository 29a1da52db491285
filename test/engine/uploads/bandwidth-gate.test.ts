import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { jainIndex } from '../../../src/core/upload-state.ts';
import { BandwidthGate, MAX_GRANT } from '../../../src/engine/uploads/bandwidth-gate.ts';

/** `n` takers asking for as much as they can for `ms`; bytes each got. */
async function share(gate: BandwidthGate, n: number, ms: number): Promise<number[]> {
  const got = Array<number>(n).fill(0);
  const stop = AbortSignal.timeout(ms);
  await Promise.all(
    got.map(async (_, i) => {
      while (!stop.aborted) {
        const grant = await gate.acquire(1024 * 1024, stop).catch(() => 0);
        got[i] = (got[i] ?? 0) + grant;
        // A taker also does some work between grants, as a real upload writes its bytes.
        await sleep(i % 3);
      }
    }),
  );
  return got;
}

describe('BandwidthGate', () => {
  it('shares the cap fairly among many takers, within the rate', async () => {
    const rate = 4 * 1024 * 1024;
    const gate = new BandwidthGate(rate);
    const got = await share(gate, 26, 1500);
    const total = got.reduce((a, b) => a + b, 0);
    expect(jainIndex(got)).toBeGreaterThan(0.95);
    // The bucket starts empty: no burst above the cap.
    expect(total).toBeLessThanOrEqual(rate * 1.5 + MAX_GRANT);
    expect(total).toBeGreaterThan(rate * 1.2);
  });

  it('grants at most 64 KiB at a time, unlimited too', async () => {
    const gate = new BandwidthGate(null);
    expect(await gate.acquire(10 * 1024 * 1024)).toBe(MAX_GRANT);
    expect(await gate.acquire(100)).toBe(100);
  });

  it('answers 0 at once while off, and releases waiters when it turns off', async () => {
    const gate = new BandwidthGate(1000);
    const waiting = gate.acquire(MAX_GRANT);
    gate.setRate(0);
    expect(await waiting).toBe(0);
    expect(await gate.acquire(10)).toBe(0);
    let opened = false;
    const open = gate.whenOpen().then(() => {
      opened = true;
    });
    await sleep(10);
    expect(opened).toBe(false);
    gate.setRate(null);
    await open;
    expect(opened).toBe(true);
  });

  it('drops an aborted waiter', async () => {
    const gate = new BandwidthGate(1);
    const controller = new AbortController();
    const waiting = gate.acquire(10, controller.signal);
    controller.abort(new Error('paused'));
    await expect(waiting).rejects.toThrow('paused');
  });
});
