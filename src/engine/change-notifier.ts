/**
 * Coalesces bursts of state changes into at most one notification per interval
 * (DESIGN.md: subscribers get batched changes, at most 10 a second), so 26 busy uploads
 * cannot make the console re-render hundreds of times a second.
 */
export class ChangeNotifier {
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;

  constructor(private readonly intervalMs = 100) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = Date.now();
    for (const listener of this.listeners) listener();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
