type Running = { id: string; controller: AbortController; done: Promise<void> };

/**
 * Requests waiting for their pre-export, run one at a time in order (each request's cameras
 * export in parallel inside `run`). Requests left unfinished by a restart go to the front.
 */
export class ExportQueue {
  readonly #run: (id: string, signal: AbortSignal) => Promise<void>;
  readonly #waiting: string[] = [];
  #loop: Promise<void> | undefined;
  #current: Running | undefined;
  #ready: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(run: (id: string, signal: AbortSignal) => Promise<void>) {
    this.#run = run;
  }

  /** True while an export runs or waits. */
  get busy(): boolean {
    return this.#loop !== undefined;
  }

  /** Settles once the queue ran empty (now, if it is). */
  get idle(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  /** Whether `id` is waiting or exporting. */
  has(id: string): boolean {
    return this.#current?.id === id || this.#waiting.includes(id);
  }

  /** No export starts before `ready` settles (the sweep of a crash's leftovers). */
  holdUntil(ready: Promise<void>): void {
    this.#ready = ready;
  }

  add(id: string, options: { first?: boolean } = {}): void {
    if (this.#closed || this.#current?.id === id) return;
    const at = this.#waiting.indexOf(id);
    if (at >= 0 && !options.first) return;
    if (at >= 0) this.#waiting.splice(at, 1);
    if (options.first) this.#waiting.unshift(id);
    else this.#waiting.push(id);
    this.#loop ??= this.#drain().finally(() => {
      this.#loop = undefined;
    });
  }

  /** Takes `id` out of the queue, stopping its export if it runs; resolves once it stopped. */
  async remove(id: string): Promise<void> {
    const at = this.#waiting.indexOf(id);
    if (at >= 0) this.#waiting.splice(at, 1);
    if (this.#current?.id === id) {
      this.#current.controller.abort();
      await this.#current.done;
    }
  }

  /** Stops the export in flight (its caller leaves it to be redone) and drops the rest. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#current?.controller.abort();
    await this.#loop;
  }

  async #drain(): Promise<void> {
    await this.#ready;
    for (let id = this.#waiting.shift(); id !== undefined; id = this.#waiting.shift()) {
      if (this.#closed) return;
      const controller = new AbortController();
      const running: Running = { id, controller, done: this.#run(id, controller.signal) };
      this.#current = running;
      try {
        await running.done;
      } finally {
        this.#current = undefined;
      }
    }
  }
}
