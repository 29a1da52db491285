// Shared by the console benches: the real program in a tmux pane of a chosen size, with the
// pane's output stream (every byte the program writes to its pty) copied to a file.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { envCommand, TmuxSession } from '../test/helpers/tmux.ts';

export { cliPath, repoRoot, shippedNodeFlags } from '../test/helpers/cli.ts';

/** A TmuxSession whose pane output is also copied to a file, from the program's first byte. */
export class BenchPane extends TmuxSession {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'custody-console-bench-'));
  readonly stream = path.join(this.dir, 'pty.out');

  constructor(columns = 80, rows = 24) {
    super(columns, rows);
  }

  /** Starts `command` in a detached pane whose output is copied to `stream` from the start. */
  override start(command: string, env: Record<string, string> = {}): void {
    writeFileSync(this.stream, '');
    // The pane starts on a shell that waits for a key, so pipe-pane is in place before the
    // program writes its first byte.
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(this.columns),
      '-y',
      String(this.rows),
      `read go; ${envCommand(command, env)}; sleep 30`,
    );
    this.tmux('pipe-pane', '-o', '-t', 'main', `cat >> ${this.stream}`);
  }

  /** Lets the program run (the Enter ends the `read`); returns the time it was let go. */
  go(): number {
    const at = performance.now();
    this.tmux('send-keys', '-t', 'main', 'Enter');
    return at;
  }

  bytes(): number {
    return statSync(this.stream).size;
  }

  output(): string {
    return readFileSync(this.stream, 'utf8');
  }

  /** Polls fast and returns when the screen passed `test`, for timing. */
  async waitUntil(
    test: (screen: string) => boolean,
    timeoutMs = 20_000,
    pollMs = 5,
  ): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (test(this.capture())) return performance.now();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`timed out; screen:\n${this.capture()}`);
  }

  close(): void {
    this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
