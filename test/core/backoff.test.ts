import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../../src/core/backoff.ts';
import { CustodyError } from '../../src/core/errors.ts';

describe('backoffDelay', () => {
  it('stays within [0, min(max, base * 2^attempt)] as a whole number of ms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, baseMs, maxMs, r) => {
          const delay = backoffDelay(attempt, { baseMs, maxMs, random: () => r });
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(maxMs, baseMs * 2 ** attempt));
        },
      ),
    );
  });

  it('doubles the ceiling per attempt up to the cap', () => {
    const opts = { baseMs: 100, maxMs: 1000, random: () => 0.5 };
    expect([0, 1, 2, 3, 4, 50].map((n) => backoffDelay(n, opts))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
  });

  it('spans the whole range (full jitter)', () => {
    const opts = { baseMs: 100, maxMs: 1000, random: () => 0 };
    expect(backoffDelay(3, opts)).toBe(0);
    expect(backoffDelay(3, { ...opts, random: () => 0.999999 })).toBe(799);
    expect(backoffDelay(3, { ...opts, random: () => 1 })).toBe(800);
  });
});

describe('Backoff', () => {
  it('counts attempts and resets', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.5 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([50, 100, 200]);
    expect(backoff.attempts).toBe(3);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(50);
  });

  it('never runs out without a budget', () => {
    const backoff = new Backoff({ baseMs: 1, maxMs: 10, random: () => 0.5 });
    for (let i = 0; i < 10_000; i++) backoff.next();
    expect(backoff.exhausted).toBe(false);
  });

  it('is exhausted after maxAttempts delays and then refuses more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), (maxAttempts) => {
        const backoff = new Backoff({ baseMs: 10, maxMs: 1000, maxAttempts, random: () => 0.3 });
        for (let i = 0; i < maxAttempts; i++) {
          expect(backoff.exhausted).toBe(false);
          backoff.next();
        }
        expect(backoff.exhausted).toBe(true);
        expect(() => backoff.next()).toThrow(CustodyError);
        backoff.reset();
        expect(backoff.exhausted).toBe(maxAttempts === 0);
      }),
    );
  });

  it('explains exhaustion in what — fix form', () => {
    const backoff = new Backoff({ baseMs: 10, maxMs: 100, maxAttempts: 2, random: () => 0 });
    backoff.next();
    backoff.next();
    expect(() => backoff.next()).toThrow(
      'gave up after 2 retries — see the last error in the event log, fix its cause, then retry',
    );
  });
});
