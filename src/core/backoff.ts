/**
 * Retry delays with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a random delay in [0, min(max, base * 2^attempt)). The randomness spreads 26 uploads that
 * failed together when the network dropped, so they do not hammer the service in lockstep.
 */

import { CustodyError, ExitCode } from './errors.ts';

export type BackoffDelayOptions = {
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1), like Math.random; injected so tests are repeatable. */
  random: () => number;
};

export type BackoffOptions = {
  baseMs: number;
  maxMs: number;
  /** How many delays next() hands out before the budget is exhausted; default no limit. */
  maxAttempts?: number;
  random?: () => number;
};

/** Whole milliseconds; `attempt` counts from 0 for the first retry. */
export function backoffDelay(attempt: number, opts: BackoffDelayOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  if (!(ceiling > 0)) return 0;
  // Clamped because a stub returning exactly 1 would otherwise step past the ceiling.
  const fraction = Math.min(Math.max(opts.random(), 0), 1);
  return Math.min(Math.floor(fraction * ceiling), Math.floor(ceiling));
}

export class Backoff {
  readonly #options: BackoffDelayOptions;
  readonly #maxAttempts: number;
  #attempts = 0;

  constructor(options: BackoffOptions) {
    this.#options = {
      baseMs: options.baseMs,
      maxMs: options.maxMs,
      random: options.random ?? Math.random,
    };
    this.#maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  }

  /** Delays handed out since the last reset. */
  get attempts(): number {
    return this.#attempts;
  }

  get maxAttempts(): number {
    return this.#maxAttempts;
  }

  get exhausted(): boolean {
    return this.#attempts >= this.#maxAttempts;
  }

  /**
   * The delay before the next retry. Throws once the budget is spent rather than returning
   * Infinity, which setTimeout would quietly treat as 1 ms.
   */
  next(): number {
    if (this.exhausted) {
      throw new CustodyError(
        `gave up after ${this.#attempts} retries`,
        'see the last error in the event log, fix its cause, then retry',
        ExitCode.failed,
      );
    }
    const delay = backoffDelay(this.#attempts, this.#options);
    this.#attempts++;
    return delay;
  }

  /** After a success, so the next failure starts from the short delays again. */
  reset(): void {
    this.#attempts = 0;
  }
}
