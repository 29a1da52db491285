/**
 * A part of the config set at the console, checked as the loader checks the config file: the
 * config's own schema for it, its path checks on disk, relative paths taken from the config
 * file's folder. Nothing is applied unless all of it passes, so the refusal names the first
 * problem, with its field as the config file spells it, and the fix.
 */
import type { z } from 'zod';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { checkPathsOnDisk } from './disk-check.ts';
import { type ConfigIssue, describeIssue } from './errors.ts';
import { fromZodIssues, messageFor } from './issues.ts';
import { configIssues, resolvePaths } from './load.ts';

/** `input` is keyed from the config's root, e.g. `{ logging: { maxSize } }`. */
export function checkSetting<T>(schema: z.ZodType<T>, input: object, dir: string): T {
  // Resolved first, as the config's own paths are: a folder shared with one must be seen as such.
  const resolved = resolvePaths(input, dir);
  const parsed = schema.safeParse(resolved, { error: messageFor });
  const issues = configIssues(
    [
      ...(parsed.success ? [] : fromZodIssues(parsed.error.issues, resolved)),
      ...checkPathsOnDisk(resolved, dir),
    ],
    resolved,
  );
  if (parsed.success && issues.length === 0) return parsed.data;
  throw refusal(issues);
}

/** The first problem with its fix; the console shows one line. */
function refusal([first, ...more]: ConfigIssue[]): CustodyError {
  const also = more.length > 0 ? ` (and ${more.length} more)` : '';
  return new CustodyError(
    `${first ? describeIssue(first) : 'the setting is not valid'}${also}`,
    first?.fix ?? 'write it as the config file would',
    ExitCode.badInput,
  );
}
