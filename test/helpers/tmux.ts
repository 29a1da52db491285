import { execFileSync } from 'node:child_process';

/** A tmux server of its own per test file, so parallel tests and the developer's tmux never mix. */
export class TmuxSession {
  protected readonly socket =
    `custody-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {}

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
    });
  }

  start(command: string, env: Record<string, string> = {}): void {
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(this.columns),
      '-y',
      String(this.rows),
      `${envCommand(command, env)}; echo "[exit $?]"; sleep 30`,
    );
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'main');
  }

  /** The screen with its SGR codes, to see which colours and attributes were drawn. */
  captureStyled(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', 'main');
  }

  /** Resizes the terminal, as an operator dragging the window does. */
  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
  }

  /** Keys as tmux names them: 'q', '4', 'Enter', 'Escape', 'Up'. */
  send(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  async waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.capture();
      if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen}`);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}

/**
 * `command` run by env with the variables given, as one shell line. Without CI: an operator's
 * terminal has none, and under it colour libraries draw no colour at all.
 */
export function envCommand(command: string, env: Record<string, string>): string {
  const exports = Object.entries(env).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `env -u CI ${exports.join(' ')} ${command}`;
}
