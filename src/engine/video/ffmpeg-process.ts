import { type ChildProcess, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { CustodyError, ExitCode } from '../../core/errors.ts';

/**
 * ffmpeg outlives a parent killed with SIGKILL: it ignores SIGPIPE and its writes to the closed
 * pipes just fail, and a closed stdin does not stop it either (it only acts on a 'q' byte).
 * setpriv (util-linux, present on Debian and most Linux systems) sets PR_SET_PDEATHSIG before
 * exec, so the kernel sends SIGTERM when the engine dies; ffmpeg then closes its segment and
 * exits. Where setpriv is missing, children stop with stop() only.
 */
const parentDeathWrapper: string[] | null = (() => {
  if (process.platform !== 'linux') return null;
  const probe = spawnSync('setpriv', ['--pdeathsig', 'TERM', '--', 'true'], { timeout: 5_000 });
  return probe.status === 0 ? ['setpriv', '--pdeathsig', 'TERM', '--'] : null;
})();

export const diesWithParent = parentDeathWrapper !== null;

export function spawnFfmpeg(ffmpegPath: string, args: string[], stdio: StdioOptions): ChildProcess {
  if (parentDeathWrapper === null) return spawn(ffmpegPath, args, { stdio });
  const [wrapper, ...wrapperArgs] = parentDeathWrapper;
  return spawn(wrapper as string, [...wrapperArgs, ffmpegPath, ...args], { stdio });
}

/** The last non-empty stderr line: ffmpeg puts the reason it failed there. */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? '';
}

/** Keeps the tail of a stream's text, enough for the last few lines without growing forever. */
export function tailCollector(limit = 4096): {
  push(chunk: Buffer | string): void;
  text(): string;
} {
  let text = '';
  return {
    push(chunk) {
      text = (text + String(chunk)).slice(-limit);
    },
    text: () => text,
  };
}

/**
 * Ends a child cleanly: 'q' on stdin makes ffmpeg finish its output (the last segment, the
 * list entry), SIGKILL after `timeoutMs` if it does not.
 */
export async function stopFfmpeg(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = once(child, 'close');
  if (child.stdin?.writable) child.stdin.end('q');
  else child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

export type FfmpegRun = { stdout: Buffer; stderr: string };

/** Runs ffmpeg to the end; a non-zero exit becomes a CustodyError naming ffmpeg's last line. */
export async function runFfmpeg(
  ffmpegPath: string,
  args: string[],
  options: { what: string; timeoutMs?: number; stdin?: string } = { what: 'ffmpeg' },
): Promise<FfmpegRun> {
  const child = spawnFfmpeg(ffmpegPath, args, ['pipe', 'pipe', 'pipe']);
  const stdout: Buffer[] = [];
  const stderr = tailCollector();
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin?.on('error', () => {
    // ffmpeg may exit before reading all of stdin; its exit status tells what went wrong.
  });
  child.stdin?.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) {
      const reason = lastLine(stderr.text()) || `ffmpeg ended with ${code ?? signal}`;
      throw new CustodyError(
        `${options.what} failed: ${reason}`,
        'check that the footage exists and ffmpeg works (custody doctor)',
        ExitCode.failed,
      );
    }
  } catch (err) {
    if (err instanceof CustodyError) throw err;
    throw new CustodyError(
      `${options.what} failed: ${(err as Error).message}`,
      'check ffmpeg with custody doctor',
      ExitCode.failed,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
  return { stdout: Buffer.concat(stdout), stderr: stderr.text() };
}
