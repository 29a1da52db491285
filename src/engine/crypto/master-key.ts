import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { CustodyError, ExitCode } from '../../core/errors.ts';

export const MASTER_KEY_SIZE = 32;

/**
 * Reads the key that wraps every buffer-file key. With `create`, a missing file is made
 * (0600 in a 0700 folder); without it, a missing file is an error, because a fresh key would
 * silently orphan every key already wrapped.
 */
export function loadMasterKey(file: string, options: { create: boolean }): KeyObject {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(file, err);
    if (!options.create) {
      throw new CustodyError(
        `the master key ${file} is missing, but buffer keys wrapped with it are in the store`,
        'restore it from backup; without it those buffer files cannot be read',
      );
    }
    createMasterKey(file);
    fd = openSync(file, 'r');
  }
  try {
    // fstat on the open descriptor, so the file checked is the file read.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw unreadable(file, 'not a regular file');
    if ((stat.mode & 0o077) !== 0) {
      throw new CustodyError(
        `the master key ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)})`,
        `run chmod 600 ${file} and check who may have copied it`,
        ExitCode.notPermitted,
      );
    }
    const bytes = Buffer.alloc(MASTER_KEY_SIZE + 1);
    const size = readSync(fd, bytes, 0, bytes.length, 0);
    if (size !== MASTER_KEY_SIZE) {
      throw unreadable(
        file,
        `it holds ${size === bytes.length ? 'more than' : size} bytes, not ${MASTER_KEY_SIZE}`,
      );
    }
    const key = createSecretKey(bytes.subarray(0, MASTER_KEY_SIZE));
    bytes.fill(0);
    return key;
  } finally {
    closeSync(fd);
  }
}

function createMasterKey(file: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}`,
  );
  const key = randomBytes(MASTER_KEY_SIZE);
  try {
    writeFileSync(temp, key, { mode: 0o600, flag: 'wx' });
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // link() fails if the name exists: two engines starting at once keep the first key, and
    // nobody ever sees a half-written one.
    linkSync(temp, file);
    syncDir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unreadable(file, err);
  } finally {
    key.fill(0);
    try {
      unlinkSync(temp);
    } catch {
      // Nothing to remove if writing it failed.
    }
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, reason: unknown): CustodyError {
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new CustodyError(
    `cannot use the master key ${file} (${detail})`,
    'fix the file or its folder, or restore it from backup',
    ExitCode.failed,
    { cause: reason },
  );
}
