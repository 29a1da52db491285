/**
 * Path checks that need the disk. Only paths that can never work are errors: a file where
 * a folder is needed (or the reverse), or a data folder whose parent is missing. A missing
 * dock root or sync folder is fine: it is created or waited for.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { FieldInfo } from './fields.ts';
import type { KeyedIssue } from './issues.ts';
import { configSchema } from './schema.ts';
import { type Key, mapFields } from './walk.ts';

type Found = { kind: 'file' | 'folder' | 'other' } | { missing: true } | { error: string };

function inspect(target: string): Found {
  try {
    const stat = statSync(target, { throwIfNoEntry: false });
    if (!stat) return { missing: true };
    return { kind: stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : 'other' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return { error: 'a part of the path is a file, not a folder' };
    if (code === 'EACCES' || code === 'EPERM')
      return { error: 'cannot be checked (permission denied)' };
    return { error: `cannot be checked (${code ?? String(error)})` };
  }
}

function checkPath(
  text: string,
  info: FieldInfo,
  keys: Key[],
  dir: string,
): KeyedIssue | undefined {
  if (text === '' || text.includes('\0')) return undefined; // the schema reports these
  const target = path.resolve(dir, text);
  const issue = (message: string, fix: string): KeyedIssue => ({ keys, value: text, message, fix });
  const found = inspect(target);
  if ('error' in found)
    return issue(`${found.error}: ${target}`, 'check the path and its permissions');
  if ('kind' in found) {
    if (info.path === 'folder' && found.kind !== 'folder') {
      return issue(
        `is a file, not a folder: ${target}`,
        'point it at a folder, or move the file away',
      );
    }
    if (info.path === 'file' && found.kind === 'folder') {
      return issue(`is a folder, not a file: ${target}`, 'point it at the file inside the folder');
    }
    return undefined;
  }
  if (info.parentMustExist) {
    const parent = path.dirname(target);
    const above = inspect(parent);
    if ('missing' in above) {
      return issue(
        `its parent folder ${parent} does not exist`,
        `create it (mkdir -p ${JSON.stringify(parent)}) or choose another folder`,
      );
    }
    if ('kind' in above && above.kind !== 'folder') {
      return issue(`its parent ${parent} is a file, not a folder`, 'choose another folder');
    }
  }
  return undefined;
}

/** Checks every path field found in `input`, even when the rest of the file is invalid. */
export function checkPathsOnDisk(input: unknown, dir: string): KeyedIssue[] {
  const issues: KeyedIssue[] = [];
  mapFields(configSchema, input, (value, info, keys) => {
    if (info.path && typeof value === 'string') {
      const issue = checkPath(value, info, keys, dir);
      if (issue) issues.push(issue);
    }
    return value;
  });
  return issues;
}
