import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, jainIndex, RateMeter, uploadStates } from '../../src/core/upload-state.ts';

describe('upload job states', () => {
  it('follows the happy path of DESIGN.md', () => {
    const path = ['queued', 'hashing', 'uploading', 'verifying', 'done'] as const;
    for (let i = 1; i < path.length; i++) {
      expect(canTransition(path[i - 1] as never, path[i] as never)).toBe(true);
    }
  });

  it('pauses and resumes through the queue, so the concurrency limit holds', () => {
    expect(canTransition('uploading', 'paused')).toBe(true);
    expect(canTransition('paused', 'queued')).toBe(true);
    expect(canTransition('paused', 'uploading')).toBe(false);
  });

  it('retries a failed job; never leaves done or cancelled', () => {
    expect(canTransition('failed', 'queued')).toBe(true);
    for (const final of ['done', 'cancelled'] as const) {
      for (const to of uploadStates) expect(canTransition(final, to)).toBe(false);
    }
  });

  it('never skips the upload: done only from verifying, or from hashing a file sent already', () => {
    for (const from of uploadStates) {
      expect(canTransition(from, 'done')).toBe(from === 'verifying' || from === 'hashing');
    }
  });
});

describe('RateMeter', () => {
  it('converges on a steady rate and gives the ETA from it', () => {
    const meter = new RateMeter(1000);
    for (let t = 0; t <= 10_000; t += 100) meter.sample(t * 500, t); // 500 KB/s
    expect(meter.rate).toBeCloseTo(500_000, 0);
    expect(meter.etaMs(1_000_000)).toBeCloseTo(2000, 0);
    expect(meter.etaMs(0)).toBe(0);
  });

  it('follows a drop with the half-life, whatever the sampling interval', () => {
    for (const step of [50, 250, 1000]) {
      const meter = new RateMeter(1000);
      let bytes = 0;
      for (let t = 0; t <= 5000; t += step) {
        meter.sample(bytes, t);
        bytes += step * 1000; // 1 MB/s
      }
      // No bytes for one half-life: the average halves.
      meter.sample(bytes - step * 1000, 6000);
      expect(meter.rate / 1_000_000).toBeCloseTo(0.5, 1);
    }
  });

  it('has no rate, and an infinite ETA, before it has two samples', () => {
    const meter = new RateMeter();
    meter.sample(100, 0);
    expect(meter.rate).toBe(0);
    expect(meter.etaMs(10)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('jainIndex', () => {
  it('is 1 for equal shares and 1/n when one takes all', () => {
    expect(jainIndex([5, 5, 5, 5])).toBe(1);
    expect(jainIndex([1, 0, 0, 0])).toBe(0.25);
  });

  it('lies in [1/n, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1e6), { minLength: 1, maxLength: 30 }), (shares) => {
        const index = jainIndex(shares);
        expect(index).toBeLessThanOrEqual(1 + 1e-9);
        expect(index).toBeGreaterThanOrEqual(1 / shares.length - 1e-9);
      }),
    );
  });
});
