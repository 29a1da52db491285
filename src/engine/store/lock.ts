import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CustodyError, ExitCode } from '../../core/errors.ts';

export const LOCK_FILE = 'custody.lock';

const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  command: z.string(),
  startedAt: z.string(),
  host: z.string(),
});

export type LockHolder = z.infer<typeof lockHolderSchema>;

export type DataDirLock = {
  path: string;
  holder: LockHolder;
  /** Set when a lock left by a dead process was taken over, so the caller can record it. */
  replaced: { holder: LockHolder | null; reason: string } | null;
  release(): void;
};

export class LockError extends CustodyError {
  readonly holder: LockHolder | null;

  constructor(what: string, fix: string, holder: LockHolder | null, options?: { cause?: unknown }) {
    super(what, fix, ExitCode.failed, options);
    this.name = 'LockError';
    this.holder = holder;
  }
}

type WarnLogger = { warn: (obj: object, msg: string) => void };

/** Locks this process holds, by lock path: a holder naming our own pid is only live if listed. */
const held = new Map<string, string>();

/**
 * One engine per data directory. The lock file appears atomically with its content (written
 * to a private temp file, then hard-linked into place, which fails if the name exists), so a
 * second starter never reads a half-written lock and mistakes it for a stale one.
 */
export function acquireLock(
  dataDir: string,
  info: { command?: string; logger?: WarnLogger } = {},
): DataDirLock {
  const dir = path.resolve(dataDir);
  const lockPath = path.join(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    command: info.command ?? 'custody',
    startedAt: new Date().toISOString(),
    host: hostname(),
  };
  const content = `${JSON.stringify(holder)}\n`;

  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw cannotWrite(lockPath, err);
  }

  let replaced: DataDirLock['replaced'] = null;
  // A few rounds cover a holder that releases, or another starter that takes over, meanwhile.
  for (let round = 0; round < 3; round++) {
    if (publish(lockPath, content)) return heldLock(lockPath, content, holder, replaced);

    const current = readLock(lockPath);
    if (current === undefined) continue;
    const staleBecause = staleReason(lockPath, current.holder);
    if (staleBecause === undefined) throw inUse(dir, current.holder);
    if (moveAsideIfUnchanged(lockPath, current.raw)) {
      replaced = { holder: current.holder, reason: staleBecause };
      info.logger?.warn(
        { lock: lockPath, stale: current.holder, reason: staleBecause },
        'replaced a stale lock on the data directory',
      );
    }
  }
  const last = readLock(lockPath);
  if (last?.holder) throw inUse(dir, last.holder);
  throw new LockError(
    `could not lock data directory ${dir}: other custody processes are starting at the same time`,
    'start one custody per data directory, or try again',
    null,
  );
}

function heldLock(
  lockPath: string,
  content: string,
  holder: LockHolder,
  replaced: DataDirLock['replaced'],
): DataDirLock {
  held.set(lockPath, content);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    held.delete(lockPath);
    try {
      // Only ever remove our own lock: after a takeover the file belongs to someone else.
      if (readFileSync(lockPath, 'utf8') === content) unlinkSync(lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.once('exit', release);
  return { path: lockPath, holder, replaced, release };
}

/** Creates `lockPath` holding `content`, or returns false if it already exists. */
function publish(lockPath: string, content: string): boolean {
  const temp = `${lockPath}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeFileSync(temp, content, { flag: 'wx', mode: 0o600 });
    return linkExclusive(temp, lockPath);
  } catch (err) {
    throw cannotWrite(lockPath, err);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never created.
    }
  }
}

/** link(2) refuses to replace an existing name: the atomic "create if absent" with content. */
function linkExclusive(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // A filesystem without hard links: exclusive create, with a brief empty-file window.
    try {
      writeFileSync(to, readFileSync(from), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (inner) {
      if (errorCode(inner) === 'EEXIST') return false;
      throw inner;
    }
  }
}

function readLock(lockPath: string): { raw: string; holder: LockHolder | null } | undefined {
  let raw: string;
  try {
    raw = readFileSync(lockPath, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    return { raw: '', holder: null };
  }
  try {
    const parsed = lockHolderSchema.safeParse(JSON.parse(raw));
    return { raw, holder: parsed.success ? parsed.data : null };
  } catch {
    return { raw, holder: null };
  }
}

/** Why the holder can no longer be running, or undefined if it may be. */
function staleReason(lockPath: string, holder: LockHolder | null): string | undefined {
  if (holder === null) return 'the lock file is unreadable';
  // A pid on another machine (shared network directory) cannot be checked from here.
  if (holder.host !== hostname()) return undefined;
  if (holder.pid === process.pid) {
    // Containers restart with the same small pid: a lock naming us that we do not hold
    // was left by an earlier run.
    return held.has(lockPath)
      ? undefined
      : `pid ${holder.pid} is this process, from an earlier run`;
  }
  try {
    process.kill(holder.pid, 0);
    return undefined;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(err) === 'EPERM' ? undefined : `pid ${holder.pid} is not running`;
  }
}

/**
 * Removes the stale lock only if it is still the very file we judged stale: another starter
 * may have replaced it since, and unlinking by name would then delete a live lock.
 */
function moveAsideIfUnchanged(lockPath: string, staleRaw: string): boolean {
  const aside = `${lockPath}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw cannotWrite(lockPath, err);
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // Unreadable: compare as empty, like readLock does.
  }
  if (moved !== staleRaw) {
    // We took a live lock by mistake: put it back unless its owner's successor already won.
    linkExclusive(aside, lockPath);
  }
  unlinkSync(aside);
  return moved === staleRaw;
}

function inUse(dir: string, holder: LockHolder | null): LockError {
  if (holder === null) {
    return new LockError(
      `data directory ${dir} is locked by ${path.join(dir, LOCK_FILE)}`,
      'stop the other custody or use another --data',
      null,
    );
  }
  const elsewhere = holder.host === hostname() ? '' : ` on host ${holder.host}`;
  const fix =
    elsewhere === ''
      ? `\`custody attach --data ${dir}\` opens a console on that engine; or stop that process, or use another --data`
      : `stop that process or use another --data (if ${holder.host} is gone for good, delete ${path.join(dir, LOCK_FILE)})`;
  return new LockError(
    `data directory ${dir} is in use by custody pid ${holder.pid}${elsewhere} (${holder.command}, started ${localMinute(holder.startedAt)})`,
    fix,
    holder,
  );
}

function cannotWrite(lockPath: string, err: unknown): LockError {
  return new LockError(
    `cannot create the lock file ${lockPath} (${errorCode(err) ?? String(err)})`,
    'fix the permissions of the data directory or use another --data',
    null,
    { cause: err },
  );
}

/** `2026-11-25 12:00` in local time: what an operator compares against a wall clock. */
function localMinute(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
