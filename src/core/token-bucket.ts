/**
 * The one bandwidth bucket every upload draws from (DESIGN.md, Upload job).
 *
 * It never sleeps: `take` grants what is there now and `waitMs` says how long until more is,
 * so the engine owns timers and fairness and this stays testable with a fake clock.
 *
 * It starts empty, because a full bucket at start would send a burst above the cap every time
 * the engine restarts or the schedule opens a window.
 */

import { CustodyError, ExitCode } from './errors.ts';

export type TokenBucketOptions = {
  /** null = unlimited, 0 = off. */
  bytesPerSecond: number | null;
  /** Milliseconds from a monotonic clock (performance.now in the engine). */
  now: () => number;
  /** Largest burst; default min(1 s of rate, 256 KiB). */
  burstBytes?: number;
};

const DEFAULT_MAX_BURST = 256 * 1024;

// Tolerates the last-bit error of float accrual, so that after waiting waitMs(n) a take(n)
// really gets n instead of n - 1 because the tokens came out as n - 1e-12.
const EPSILON = 1e-6;

function checkRate(bytesPerSecond: number | null): void {
  if (bytesPerSecond !== null && !(Number.isFinite(bytesPerSecond) && bytesPerSecond >= 0)) {
    throw new CustodyError(
      `bandwidth rate ${bytesPerSecond} is not valid`,
      'use a number of bytes per second ≥ 0, 0 for off or null for unlimited',
      ExitCode.badInput,
    );
  }
}

export class TokenBucket {
  #rate: number | null;
  readonly #now: () => number;
  readonly #burstBytes: number | undefined;
  // Fractional on purpose: many small grants must add up to the exact rate.
  #tokens = 0;
  #last: number;

  constructor(options: TokenBucketOptions) {
    checkRate(options.bytesPerSecond);
    if (options.burstBytes !== undefined && !(options.burstBytes > 0)) {
      throw new CustodyError(
        `burst size ${options.burstBytes} is not valid`,
        'use a number of bytes above 0, or leave it out',
        ExitCode.badInput,
      );
    }
    this.#rate = options.bytesPerSecond;
    this.#now = options.now;
    this.#burstBytes = options.burstBytes;
    this.#last = options.now();
  }

  get bytesPerSecond(): number | null {
    return this.#rate;
  }

  /**
   * Whole bytes the bucket can hold: Infinity when unlimited, 0 when off (so turning uploads
   * off keeps nothing back), else at least 1 so that any rate above 0 flows.
   */
  get capacity(): number {
    const rate = this.#rate;
    if (rate === null) return Number.POSITIVE_INFINITY;
    if (rate === 0) return 0;
    const burst = this.#burstBytes ?? Math.min(rate, DEFAULT_MAX_BURST);
    return Math.max(1, Math.floor(burst));
  }

  /** Whole bytes a take would grant right now. */
  get available(): number {
    this.#refill();
    return this.#rate === null ? Number.POSITIVE_INFINITY : this.#whole();
  }

  setRate(bytesPerSecond: number | null): void {
    checkRate(bytesPerSecond);
    // Settle what accrued so far at the old rate before the new one applies.
    this.#refill();
    // Nothing accrues while unlimited, so a cap starts from empty, as at construction.
    if (this.#rate === null) this.#tokens = 0;
    this.#rate = bytesPerSecond;
    if (bytesPerSecond !== null) this.#tokens = Math.min(this.#tokens, this.capacity);
  }

  /** Grants up to n whole bytes now, possibly 0, and returns the grant. */
  take(n: number): number {
    if (!(n > 0)) return 0;
    this.#refill();
    const wanted = Math.floor(n);
    if (this.#rate === null) return wanted;
    const grant = Math.min(wanted, this.#whole());
    this.#tokens -= grant;
    return grant;
  }

  /** Milliseconds until min(n, capacity) bytes can be taken; Infinity while off. */
  waitMs(n: number): number {
    this.#refill();
    const rate = this.#rate;
    if (rate === null || !(n > 0)) return 0;
    if (rate === 0) return Number.POSITIVE_INFINITY;
    const wanted = Math.min(Math.ceil(n), this.capacity);
    if (this.#tokens + EPSILON >= wanted) return 0;
    return Math.ceil(((wanted - this.#tokens) * 1000) / rate);
  }

  #whole(): number {
    return Math.max(0, Math.floor(this.#tokens + EPSILON));
  }

  #refill(): void {
    const now = this.#now();
    // A clock that steps back must not take tokens away or grant them twice.
    if (!(now > this.#last)) return;
    const rate = this.#rate;
    if (rate !== null && rate > 0) {
      this.#tokens = Math.min(this.capacity, this.#tokens + (rate * (now - this.#last)) / 1000);
    }
    this.#last = now;
  }
}
