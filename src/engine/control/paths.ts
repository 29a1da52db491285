import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { LOCK_FILE } from '../store/lock.ts';

/** The control socket of the engine that owns a data directory (mode 0600). */
export const SOCKET_FILE = 'engine.sock';
/** The token a loopback TCP client must present (mode 0600); only while TCP is enabled. */
export const TOKEN_FILE = 'engine.token';

/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const maxSocketPath = 103;

export function socketPathFor(dataDir: string): string {
  return path.join(path.resolve(dataDir), SOCKET_FILE);
}

export function tokenPathFor(dataDir: string): string {
  return path.join(path.resolve(dataDir), TOKEN_FILE);
}

/** A Unix socket path longer than the kernel accepts fails with an unhelpful EINVAL. */
export function checkSocketPath(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > maxSocketPath) {
    throw new CustodyError(
      `the control socket path ${socketPath} is longer than ${maxSocketPath} bytes, the most a Unix socket allows`,
      'use a data directory with a shorter path (--data or dataDir in the config)',
      ExitCode.badInput,
    );
  }
}

export function unreachable(dataDir: string, detail?: string): CustodyError {
  const holder = liveLockHolder(dataDir);
  if (holder) {
    return new CustodyError(
      `custody pid ${holder.pid} (${holder.command}) holds ${path.resolve(dataDir)} but does not answer on its control socket${detail ? ` (${detail})` : ''}`,
      'wait a moment if it is starting, else restart it (only `custody engine` and `custody` serve commands)',
      ExitCode.unreachable,
    );
  }
  return new CustodyError(
    `no engine is running on ${path.resolve(dataDir)}${detail ? ` (${detail})` : ''}`,
    'start one with `custody engine` or `custody`',
    ExitCode.unreachable,
  );
}

/** The process named in the data directory's lock, if it is alive on this host. */
function liveLockHolder(dataDir: string): { pid: number; command: string } | null {
  try {
    const holder = JSON.parse(readFileSync(path.join(path.resolve(dataDir), LOCK_FILE), 'utf8'));
    if (typeof holder?.pid !== 'number' || holder.host !== hostname()) return null;
    process.kill(holder.pid, 0);
    return { pid: holder.pid, command: String(holder.command ?? 'custody') };
  } catch {
    return null;
  }
}
