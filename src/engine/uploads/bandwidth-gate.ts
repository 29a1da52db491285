import { TokenBucket } from '../../core/token-bucket.ts';

/**
 * Hands the one global token bucket out to the running uploads in small grants, first come
 * first served. Each upload asks again only after its grant is spent, so the queue of askers
 * is a round robin and every active upload gets an equal share of the cap.
 */
export const MAX_GRANT = 64 * 1024;

type Waiter = {
  max: number;
  resolve: (grant: number) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
};

export class BandwidthGate {
  readonly #bucket: TokenBucket;
  readonly #waiters: Waiter[] = [];
  readonly #openWaiters = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  #granted = 0;

  constructor(bytesPerSecond: number | null, now: () => number = () => performance.now()) {
    this.#bucket = new TokenBucket({ bytesPerSecond, now });
  }

  get bytesPerSecond(): number | null {
    return this.#bucket.bytesPerSecond;
  }

  /** Bytes granted since the gate was made. */
  get granted(): number {
    return this.#granted;
  }

  get open(): boolean {
    return this.#bucket.bytesPerSecond !== 0;
  }

  setRate(bytesPerSecond: number | null): void {
    if (bytesPerSecond === this.#bucket.bytesPerSecond) return;
    this.#bucket.setRate(bytesPerSecond);
    if (this.open) {
      for (const wake of [...this.#openWaiters]) wake();
    }
    this.#pump();
  }

  /**
   * Up to `max` bytes (at most MAX_GRANT) once the bucket has them; 0 straight away while the
   * rate is off, so the caller can end its request instead of holding a connection open.
   */
  acquire(max: number, signal?: AbortSignal): Promise<number> {
    if (!this.open) return Promise.resolve(0);
    signal?.throwIfAborted();
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        max: Math.max(1, Math.min(max, MAX_GRANT)),
        resolve,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  /** Resolves once the rate is above 0. */
  whenOpen(signal?: AbortSignal): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.#openWaiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#openWaiters.delete(done);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#openWaiters.add(done);
    });
  }

  #pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#waiters.length > 0) {
      if (!this.open) {
        // Off: release everyone with nothing, they end their requests and wait for whenOpen.
        for (const waiter of this.#waiters.splice(0)) this.#settle(waiter, 0);
        return;
      }
      const head = this.#waiters[0] as Waiter;
      // Wait for the whole grant rather than taking crumbs, so grants stay equal in size.
      const want = Math.min(head.max, this.#bucket.capacity);
      const wait = this.#bucket.waitMs(want);
      if (wait > 0) {
        this.#timer = setTimeout(() => this.#pump(), wait);
        return;
      }
      this.#waiters.shift();
      const grant = this.#bucket.take(want);
      this.#granted += grant;
      this.#settle(head, grant);
    }
  }

  #settle(waiter: Waiter, grant: number): void {
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(grant);
  }
}
