// Shared by the console benches: the real program in a tmux pane of a chosen size, with the
// pane's output stream (every byte the program writes to its pty) copied to a file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..');
export const cliPath = path.join(repoRoot, 'dist/cli/main.js');

export class BenchPane {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'custody-console-bench-'));
  readonly stream = path.join(this.dir, 'pty.out');
  private readonly socket =
    `custody-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    readonly columns = 80,
    readonly rows = 24,
  ) {}

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
    });
  }

  /** Starts `command` in a detached pane whose output is copied to `stream` from the start. */
  start(command: string, env: Record<string, string> = {}): void {
    writeFileSync(this.stream, '');
    const exports = Object.entries(env)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(' ');
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
      `read go; env ${exports} ${command}; sleep 30`,
    );
    this.tmux('pipe-pane', '-o', '-t', 'main', `cat >> ${this.stream}`);
  }

  /** Lets the program run (the Enter ends the `read`); returns the time it was let go. */
  go(): number {
    const at = performance.now();
    this.tmux('send-keys', '-t', 'main', 'Enter');
    return at;
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'main');
  }

  send(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  bytes(): number {
    return statSync(this.stream).size;
  }

  output(): string {
    return readFileSync(this.stream, 'utf8');
  }

  async waitFor(
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
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
