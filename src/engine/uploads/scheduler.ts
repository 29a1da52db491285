import { RateMeter, runningStates } from '../../core/upload-state.ts';
import type { BandwidthGate } from './bandwidth-gate.ts';
import type { Destination } from './destination.ts';
import type { JobRunner } from './job-runner.ts';
import type { UploadQueue } from './upload-queue.ts';

export const MAX_CONCURRENCY = 26;

export type JobFigures = {
  id: string;
  /** Bytes at the destination or on their way. */
  bytes: number;
  size: number;
  /** Bytes per second, EWMA. */
  rate: number;
  /** Infinity while nothing flows. */
  etaMs: number;
};

export type UploadFigures = {
  jobs: JobFigures[];
  totals: { active: number; bytes: number; size: number; rate: number; etaMs: number };
};

export type UploadSchedulerOptions = {
  queue: UploadQueue;
  runner: JobRunner;
  gate: BandwidthGate;
  destinations: Iterable<Destination>;
  concurrency: number;
  /** While true, no new job starts (running ones go on); looked at again every tick. */
  holdNewJobs?: () => boolean;
  now?: () => number;
};

type Running = {
  controller: AbortController;
  done: Promise<void>;
  size: number;
  offset: number;
  inflight: number;
  meter: RateMeter;
};

// Starts waiting jobs once the bandwidth reopens, and refreshes the rate figures.
const TICK_MS = 500;

/**
 * Starts queued jobs, priority first then oldest first, while fewer than `concurrency` run and
 * the bandwidth is not off; stops a job's work the moment the operator pauses or cancels it.
 */
export class UploadScheduler {
  readonly #queue: UploadQueue;
  readonly #runner: JobRunner;
  readonly #gate: BandwidthGate;
  readonly #destinations = new Map<string, Destination>();
  readonly #now: () => number;
  readonly #holdNewJobs: () => boolean;
  readonly #running = new Map<string, Running>();
  #concurrency: number;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(options: UploadSchedulerOptions) {
    this.#queue = options.queue;
    this.#runner = options.runner;
    this.#gate = options.gate;
    this.#now = options.now ?? (() => performance.now());
    this.#holdNewJobs = options.holdNewJobs ?? (() => false);
    for (const destination of options.destinations) this.setDestination(destination);
    this.#concurrency = checkConcurrency(options.concurrency);
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /** Jobs running now. */
  get active(): number {
    return this.#running.size;
  }

  start(): void {
    if (this.#timer) return;
    this.#queue.recover();
    this.#unsubscribe = this.#queue.subscribe((job) => {
      const running = this.#running.get(job.id);
      // Someone else moved a running job out of the running states: stop its work now.
      if (running && !runningStates.includes(job.state)) running.controller.abort();
      this.#fill();
    });
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#fill();
  }

  /** Stops every job's work; they go back to queued and resume on the next start. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    const running = [...this.#running.values()];
    for (const job of running) job.controller.abort();
    await Promise.all(running.map((job) => job.done));
    this.#queue.recover();
  }

  /** 1 to 26, live: extra running jobs go back to the queue, youngest first. */
  setConcurrency(concurrency: number): void {
    this.#concurrency = checkConcurrency(concurrency);
    const excess = [...this.#running.keys()].slice(this.#concurrency);
    for (const id of excess.reverse()) {
      this.#queue.transition(id, 'queued', { from: runningStates });
    }
    this.#fill();
  }

  /** Adds or replaces a destination (the service one arrives once it is associated). */
  setDestination(destination: Destination): void {
    this.#destinations.set(destination.id, destination);
    if (this.#timer) this.#fill();
  }

  figures(): UploadFigures {
    const now = this.#now();
    const jobs = [...this.#running.entries()].map(([id, job]) => {
      const bytes = job.offset + job.inflight;
      job.meter.sample(bytes, now);
      return {
        id,
        bytes,
        size: job.size,
        rate: job.meter.rate,
        etaMs: job.meter.etaMs(job.size - bytes),
      };
    });
    const bytes = jobs.reduce((sum, job) => sum + job.bytes, 0);
    const size = jobs.reduce((sum, job) => sum + job.size, 0);
    const rate = jobs.reduce((sum, job) => sum + job.rate, 0);
    const remaining = size - bytes;
    const etaMs =
      remaining <= 0 ? 0 : rate > 0 ? (remaining * 1000) / rate : Number.POSITIVE_INFINITY;
    return { jobs, totals: { active: jobs.length, bytes, size, rate, etaMs } };
  }

  /** Resolves once no job runs and none is waiting to start. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return (
      this.#running.size === 0 &&
      this.#queue.next([...this.#destinations.keys()], new Set()) === undefined
    );
  }

  #tick(): void {
    this.figures();
    this.#fill();
  }

  #fill(): void {
    if (!this.#timer || this.#holdNewJobs()) return;
    while (this.#running.size < this.#concurrency && this.#gate.open) {
      const job = this.#queue.next([...this.#destinations.keys()], new Set(this.#running.keys()));
      if (!job) break;
      const destination = this.#destinations.get(job.destinationId) as Destination;
      const controller = new AbortController();
      const entry: Running = {
        controller,
        done: Promise.resolve(),
        size: job.size,
        offset: job.offset,
        inflight: 0,
        meter: new RateMeter(),
      };
      this.#running.set(job.id, entry);
      entry.done = this.#runner
        .run(job.id, destination, controller.signal, {
          onOffset: (offset) => {
            entry.offset = offset;
            entry.inflight = 0;
          },
          onSent: (bytes) => {
            entry.inflight += bytes;
          },
        })
        .finally(() => {
          this.#running.delete(job.id);
          this.#fill();
          if (this.#isIdle()) for (const wake of this.#idleWaiters.splice(0)) wake();
        });
    }
  }
}

function checkConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new RangeError(`concurrency must be 1 to ${MAX_CONCURRENCY}, not ${concurrency}`);
  }
  return concurrency;
}
