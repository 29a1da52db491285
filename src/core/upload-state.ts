/**
 * The upload job's life (DESIGN.md, Upload job) and the live figures the console shows for it.
 *
 *   queued → hashing → uploading → verifying → done
 *   hashing → done when a done job uploaded the same file (same path, size, mtime, hash)
 *   any unfinished state → paused | failed | cancelled
 *
 * A resumed job goes back to `queued` rather than straight to `uploading`, so it waits for a
 * free slot like any other and the concurrency limit holds. The running states also go back
 * to `queued` when the engine stops or restarts under them.
 */

export const uploadStates = [
  'queued',
  'hashing',
  'uploading',
  'paused',
  'verifying',
  'done',
  'failed',
  'cancelled',
] as const;

export type UploadState = (typeof uploadStates)[number];

const TRANSITIONS: Record<UploadState, readonly UploadState[]> = {
  // Straight to uploading when the hash is already known for this size and mtime.
  queued: ['hashing', 'uploading', 'paused', 'failed', 'cancelled'],
  // Straight to done when the hash shows the destination has this very file already.
  hashing: ['uploading', 'done', 'queued', 'paused', 'failed', 'cancelled'],
  uploading: ['verifying', 'queued', 'paused', 'failed', 'cancelled'],
  // Back to uploading when the destination's copy does not check out.
  verifying: ['done', 'uploading', 'queued', 'paused', 'failed', 'cancelled'],
  paused: ['queued', 'cancelled'],
  failed: ['queued', 'cancelled'],
  done: [],
  cancelled: [],
};

export const runningStates: readonly UploadState[] = ['hashing', 'uploading', 'verifying'];

export function canTransition(from: UploadState, to: UploadState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Exponentially weighted moving average of a byte rate. Time-based weighting (a half-life
 * rather than a sample count) keeps the figure honest whether progress arrives every 10 ms
 * or every 2 s.
 */
export class RateMeter {
  readonly #halfLifeMs: number;
  #rate: number | undefined;
  #lastBytes: number | undefined;
  #lastAt = 0;

  constructor(halfLifeMs = 2000) {
    this.#halfLifeMs = halfLifeMs;
  }

  /** `totalBytes` is the running total so far; `nowMs` a monotonic clock. */
  sample(totalBytes: number, nowMs: number): void {
    if (this.#lastBytes === undefined) {
      this.#lastBytes = totalBytes;
      this.#lastAt = nowMs;
      return;
    }
    const dt = nowMs - this.#lastAt;
    if (!(dt > 0)) return;
    const instant = ((totalBytes - this.#lastBytes) * 1000) / dt;
    // The first interval seeds the average, so a new upload does not creep up from 0.
    const weight = this.#rate === undefined ? 1 : 1 - 2 ** (-dt / this.#halfLifeMs);
    this.#rate = (this.#rate ?? 0) + weight * (instant - (this.#rate ?? 0));
    this.#lastBytes = totalBytes;
    this.#lastAt = nowMs;
  }

  /** Bytes per second. */
  get rate(): number {
    return this.#rate ?? 0;
  }

  /** Milliseconds left at the current rate; Infinity while nothing flows. */
  etaMs(remainingBytes: number): number {
    if (remainingBytes <= 0) return 0;
    const rate = this.rate;
    return rate > 0 ? (remainingBytes * 1000) / rate : Number.POSITIVE_INFINITY;
  }
}

/**
 * Jain's fairness index, (Σx)² / (n·Σx²): 1 when every share is equal, 1/n when one takes all.
 */
export function jainIndex(shares: readonly number[]): number {
  if (shares.length === 0) return 1;
  let sum = 0;
  let squares = 0;
  for (const x of shares) {
    sum += x;
    squares += x * x;
  }
  return squares === 0 ? 1 : (sum * sum) / (shares.length * squares);
}
