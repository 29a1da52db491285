import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, type DataDirLock, LockError } from '../../../src/engine/store/lock.ts';

const childScript = path.join(import.meta.dirname, 'lock-child.ts');

type ChildReport = {
  ok: boolean;
  pid: number;
  name?: string;
  message?: string;
  exitCode?: number;
  replaced?: DataDirLock['replaced'];
};

let dir: string;
let lockFile: string;
const children: ChildProcess[] = [];
const locks: DataDirLock[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'custody-lock-'));
  lockFile = path.join(dir, 'custody.lock');
});

afterEach(async () => {
  for (const lock of locks.splice(0)) lock.release();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function acquire(info?: Parameters<typeof acquireLock>[1]): DataDirLock {
  const lock = acquireLock(dir, info);
  locks.push(lock);
  return lock;
}

/** Starts lock-child.ts in a real node process and resolves with its one-line report. */
function startChild(mode: 'try' | 'hold' | 'exit'): {
  child: ChildProcess;
  report: Promise<ChildReport>;
} {
  const child = spawn(
    process.execPath,
    ['--experimental-transform-types', '--no-warnings', childScript, dir, mode],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const report = new Promise<ChildReport>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolve(JSON.parse(line) as ChildReport));
    child.once('exit', (code) => reject(new Error(`lock child exited (${code}) without a report`)));
  });
  return { child, report };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

function catchLockError(fn: () => unknown): LockError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LockError) return err;
    throw err;
  }
  throw new Error('expected a LockError');
}

describe('acquireLock', () => {
  it('writes who holds the directory and removes the file on release', () => {
    const lock = acquire({ command: 'custody engine' });
    expect(lock.path).toBe(lockFile);
    expect(lock.replaced).toBeNull();
    const held = JSON.parse(readFileSync(lockFile, 'utf8'));
    expect(held).toEqual({
      pid: process.pid,
      command: 'custody engine',
      startedAt: expect.any(String),
      host: hostname(),
    });
    expect(Number.isNaN(Date.parse(held.startedAt))).toBe(false);
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
    lock.release();
    // Free again once released.
    acquire().release();
  });

  it('refuses a second acquire in the same process, naming our pid', () => {
    acquire({ command: 'custody engine' });
    const err = catchLockError(() => acquireLock(dir));
    expect(err.exitCode).toBe(1);
    expect(err.holder?.pid).toBe(process.pid);
    expect(err.message).toMatch(
      new RegExp(
        `^data directory ${dir} is in use by custody pid ${process.pid} \\(custody engine, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\) — \`custody attach --data ${dir}\` opens a console on that engine; or stop that process, or use another --data$`,
      ),
    );
  });

  it('refuses a real second process while we hold the lock', async () => {
    acquire({ command: 'custody engine' });
    const { report } = startChild('try');
    const result = await report;
    expect(result.ok).toBe(false);
    expect(result.name).toBe('LockError');
    expect(result.exitCode).toBe(1);
    expect(result.message).toContain(`in use by custody pid ${process.pid} (custody engine`);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
  });

  it('is refused while a live process holds it, and takes over once that process is SIGKILLed', async () => {
    const { child, report } = startChild('hold');
    const held = await report;
    expect(held.ok).toBe(true);

    const refused = catchLockError(() => acquireLock(dir));
    expect(refused.holder?.pid).toBe(child.pid);
    expect(refused.message).toContain(`in use by custody pid ${child.pid} (lock-child hold`);

    child.kill('SIGKILL');
    await once(child, 'exit');

    const warnings: { obj: object; msg: string }[] = [];
    const lock = acquire({ logger: { warn: (obj, msg) => warnings.push({ obj, msg }) } });
    expect(lock.replaced?.holder?.pid).toBe(child.pid);
    expect(lock.replaced?.reason).toBe(`pid ${child.pid} is not running`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('stale lock');
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
  });

  it('is released when the holding process exits without releasing', async () => {
    const { child, report } = startChild('exit');
    expect((await report).ok).toBe(true);
    if (child.exitCode === null) await once(child, 'exit');
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over a garbage lock file', () => {
    writeFileSync(lockFile, '{"pid": "not a number"');
    const lock = acquire();
    expect(lock.replaced).toEqual({ holder: null, reason: 'the lock file is unreadable' });
  });

  it('takes over a lock naming our own pid that this process does not hold', () => {
    // A restarted container gets the same small pid as the run that crashed.
    const old = {
      pid: process.pid,
      command: 'custody',
      startedAt: '2026-01-01T00:00:00Z',
      host: hostname(),
    };
    writeFileSync(lockFile, JSON.stringify(old));
    const lock = acquire();
    expect(lock.replaced?.holder).toEqual(old);
  });

  it('lets exactly one of several racing processes take over a stale lock', async () => {
    const stale = {
      pid: await deadPid(),
      command: 'custody',
      startedAt: new Date().toISOString(),
      host: hostname(),
    };
    writeFileSync(lockFile, JSON.stringify(stale));
    const racers = Array.from({ length: 4 }, () => startChild('hold'));
    const results = await Promise.all(racers.map((racer) => racer.report));
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    // The racer that moves the stale lock aside may lose the publish to one that never saw
    // it; that loser has already logged the takeover, so the winner reports it or nothing.
    const replaced = winners[0]?.replaced;
    if (replaced) expect(replaced.holder?.pid).toBe(stale.pid);
    for (const loser of results.filter((result) => !result.ok)) {
      expect(loser.message).toContain(`in use by custody pid ${winners[0]?.pid}`);
    }
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(winners[0]?.pid);
  });

  it('release removes only a lock that is still ours', () => {
    const lock = acquire();
    const someoneElse = JSON.stringify({
      pid: process.pid + 1,
      command: 'custody',
      startedAt: new Date().toISOString(),
      host: hostname(),
    });
    writeFileSync(lockFile, someoneElse);
    lock.release();
    expect(readFileSync(lockFile, 'utf8')).toBe(someoneElse);
  });

  it('names a holder on another host without judging its pid', () => {
    const remote = {
      pid: 999_999,
      command: 'custody engine',
      startedAt: '2026-11-25T12:00:00Z',
      host: 'elsewhere',
    };
    writeFileSync(lockFile, JSON.stringify(remote));
    const err = catchLockError(() => acquireLock(dir));
    expect(err.message).toContain('in use by custody pid 999999 on host elsewhere');
    expect(err.message).toContain(`delete ${lockFile}`);
  });
});
