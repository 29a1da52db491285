import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustodyError } from '../../src/core/errors.ts';
import { TokenBucket } from '../../src/core/token-bucket.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

function fakeClock(start = 1000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('starts empty: nothing is granted at t=0', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: MIB, now: clock.now });
    expect(bucket.take(1000)).toBe(0);
    expect(bucket.available).toBe(0);
    expect(bucket.waitMs(1024)).toBe(1);
  });

  it('accrues at the rate and grants what accrued', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, now: clock.now });
    clock.advance(250);
    expect(bucket.take(1000)).toBe(250);
    expect(bucket.take(1000)).toBe(0);
    expect(bucket.waitMs(100)).toBe(100);
  });

  it('holds at most min(1 s of rate, 256 KiB) unless a burst is given', () => {
    const clock = fakeClock();
    const slow = new TokenBucket({ bytesPerSecond: 1000, now: clock.now });
    const fast = new TokenBucket({ bytesPerSecond: 10 * MIB, now: clock.now });
    const burst = new TokenBucket({ bytesPerSecond: 10 * MIB, now: clock.now, burstBytes: MIB });
    expect([slow.capacity, fast.capacity, burst.capacity]).toEqual([1000, 256 * KIB, MIB]);
    clock.advance(60_000);
    expect([slow.take(1e9), fast.take(1e9), burst.take(1e9)]).toEqual([1000, 256 * KIB, MIB]);
  });

  it('waitMs asks for at most one capacity, so a large write can proceed in pieces', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, now: clock.now });
    expect(bucket.waitMs(10_000)).toBe(1000);
  });

  it('applies a lower rate at once, clamping what is held', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, now: clock.now });
    clock.advance(500);
    bucket.setRate(100);
    expect(bucket.take(1000)).toBe(100);
    clock.advance(100);
    expect(bucket.take(1000)).toBe(10);
  });

  it('settles accrual at the old rate before a higher one applies', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 100, now: clock.now });
    clock.advance(500);
    bucket.setRate(10_000);
    clock.advance(100);
    expect(bucket.take(10_000)).toBe(50 + 1000);
  });

  it('grants nothing while off, however long it waits', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 0, now: clock.now });
    clock.advance(3_600_000);
    expect(bucket.take(1)).toBe(0);
    expect(bucket.waitMs(1)).toBe(Number.POSITIVE_INFINITY);
    bucket.setRate(1000);
    expect(bucket.take(1000)).toBe(0);
    clock.advance(1000);
    expect(bucket.take(1000)).toBe(1000);
  });

  it('turning off keeps nothing back for later', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, now: clock.now });
    clock.advance(500);
    bucket.setRate(0);
    expect(bucket.take(1000)).toBe(0);
    expect(bucket.waitMs(1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('grants everything while unlimited and starts empty when capped again', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: null, now: clock.now });
    expect(bucket.take(123_456_789)).toBe(123_456_789);
    expect(bucket.waitMs(1e12)).toBe(0);
    clock.advance(10_000);
    bucket.setRate(1000);
    expect(bucket.take(1000)).toBe(0);
  });

  it('grants whole bytes only and ignores empty requests', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, now: clock.now });
    clock.advance(1000);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(-5)).toBe(0);
    expect(bucket.take(10.7)).toBe(10);
  });

  it('does not grant twice when the clock steps back', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, now: clock.now });
    clock.advance(100);
    expect(bucket.take(1000)).toBe(100);
    clock.advance(-50);
    expect(bucket.take(1000)).toBe(0);
    clock.advance(100);
    expect(bucket.take(1000)).toBe(50);
  });

  it('rejects a negative or non-numeric rate as bad input', () => {
    const clock = fakeClock();
    expect(() => new TokenBucket({ bytesPerSecond: -1, now: clock.now })).toThrow(CustodyError);
    const bucket = new TokenBucket({ bytesPerSecond: 1, now: clock.now });
    expect(() => bucket.setRate(Number.NaN)).toThrow(CustodyError);
  });

  it('gives 26 callers taking small grants the exact aggregate rate', () => {
    const clock = fakeClock();
    // A rate and a step that leave a fraction of a byte behind on every refill.
    const rate = MIB + 7;
    const bucket = new TokenBucket({ bytesPerSecond: rate, now: clock.now });
    let total = 0;
    let elapsed = 0;
    for (let step = 0; step < 30_000; step++) {
      clock.advance(0.37);
      elapsed += 0.37;
      for (let caller = 0; caller < 26; caller++) total += bucket.take(97);
    }
    const accrued = (rate * elapsed) / 1000;
    expect(total).toBeLessThanOrEqual(accrued);
    expect(total).toBeGreaterThan(accrued - 1);
  });

  const rateArb = fc.integer({ min: 1, max: 50 * MIB });

  it('never grants more than rate x elapsed, for any takes and time steps', () => {
    const opArb = fc.oneof(
      fc.record({ advance: fc.double({ min: 0, max: 3000, noNaN: true }) }),
      fc.record({ take: fc.integer({ min: 1, max: 2 * MIB }) }),
      fc.record({ rate: fc.option(rateArb, { nil: null }) }),
    );
    fc.assert(
      fc.property(rateArb, fc.array(opArb, { maxLength: 200 }), (rate, ops) => {
        const clock = fakeClock();
        const bucket = new TokenBucket({ bytesPerSecond: rate, now: clock.now });
        let allowance = 0; // what the rates in force allowed so far
        let granted = 0;
        let current: number | null = rate;
        for (const op of ops) {
          if ('advance' in op) {
            clock.advance(op.advance);
            if (current !== null) allowance += (current * op.advance) / 1000;
          } else if ('rate' in op) {
            bucket.setRate(op.rate);
            current = op.rate;
          } else {
            const grant = bucket.take(op.take);
            expect(grant).toBeGreaterThanOrEqual(0);
            expect(grant).toBeLessThanOrEqual(op.take);
            if (current === null) expect(grant).toBe(op.take);
            else granted += grant;
          }
          // Starting empty makes the usual "+ capacity" slack unnecessary.
          expect(granted).toBeLessThanOrEqual(allowance + 1e-3);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('grants the full rate while demand is continuous', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 50 * MIB }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (rate, steps) => {
          const clock = fakeClock();
          const bucket = new TokenBucket({ bytesPerSecond: rate, now: clock.now });
          // Steps short enough that the bucket never overflows between takes.
          const maxStep = ((bucket.capacity - 1) * 1000) / rate;
          let elapsed = 0;
          let granted = 0;
          for (const step of steps) {
            clock.advance(step * maxStep);
            elapsed += step * maxStep;
            granted += bucket.take(Number.MAX_SAFE_INTEGER);
            const accrued = (rate * elapsed) / 1000;
            expect(granted).toBeLessThanOrEqual(accrued + bucket.capacity);
            expect(granted).toBeGreaterThanOrEqual(accrued - bucket.capacity);
            // Only the fraction of a byte not yet granted is outstanding.
            expect(granted).toBeGreaterThan(accrued - 1 - 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('has min(n, capacity) bytes ready after waiting waitMs(n)', () => {
    fc.assert(
      fc.property(
        rateArb,
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.integer({ min: 1, max: 4 * MIB }),
        (rate, warmup, n) => {
          const clock = fakeClock();
          const bucket = new TokenBucket({ bytesPerSecond: rate, now: clock.now });
          clock.advance(warmup);
          bucket.take(Math.floor(bucket.capacity / 2));
          const wait = bucket.waitMs(n);
          expect(Number.isInteger(wait)).toBe(true);
          clock.advance(wait);
          expect(bucket.take(n)).toBeGreaterThanOrEqual(Math.min(n, bucket.capacity));
        },
      ),
      { numRuns: 500 },
    );
  });
});
