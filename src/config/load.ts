/**
 * Loads a config file: read, validate against the schema, check paths on disk, resolve
 * relative paths against the file's folder. Every problem is collected and thrown together
 * as one ConfigError, so the operator fixes the file in one pass.
 */
import path from 'node:path';
import { checkPathsOnDisk } from './disk-check.ts';
import { ConfigError, type ConfigIssue, showPath, showValue } from './errors.ts';
import { fromZodIssues, type KeyedIssue, messageFor } from './issues.ts';
import { readConfigJson } from './read.ts';
import { type Config, configSchema } from './schema.ts';
import { type Key, mapFields } from './walk.ts';

export type { ConfigIssue } from './errors.ts';
export { ConfigError, formatConfigIssues } from './errors.ts';

export type LoadedConfig = {
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Absolute path of its folder, which relative paths in it are relative to. */
  dir: string;
};

/** Position of each key in the file, so issues come out in the order the operator reads. */
function compareKeys(input: unknown, a: Key[], b: Key[]): number {
  let node = input;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as Key;
    const y = b[i] as Key;
    if (x !== y) {
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      const keys = typeof node === 'object' && node !== null ? Object.keys(node) : [];
      const rank = (key: Key) => {
        const index = keys.indexOf(String(key));
        return index < 0 ? keys.length : index;
      };
      return rank(x) - rank(y);
    }
    node =
      typeof node === 'object' && node !== null ? (node as Record<Key, unknown>)[x] : undefined;
  }
  return a.length - b.length;
}

// Header values carry credentials; a misspelt `header` key is just as likely to.
const isSecret = (keys: Key[]): boolean =>
  keys.some((key) => typeof key === 'string' && /header/i.test(key));

/** Path fields of `value` (the config or a part of it, from its root) resolved against `dir`. */
export function resolvePaths<T>(value: T, dir: string): T {
  return mapFields(configSchema, value, (field, info) =>
    // An empty path stays empty, for the schema to refuse rather than become `dir`.
    info.path && typeof field === 'string' && field !== '' ? path.resolve(dir, field) : field,
  ) as T;
}

/** Issues as the operator reads them: in file order, each once, secrets hidden. */
export function configIssues(keyed: KeyedIssue[], input: unknown): ConfigIssue[] {
  const seen = new Set<string>();
  return keyed
    .sort((a, b) => compareKeys(input, a.keys, b.keys))
    .map((issue) => ({
      path: showPath(issue.keys),
      value: showValue(issue.value, isSecret(issue.keys)),
      message: issue.message,
      fix: issue.fix,
    }))
    .filter((issue) => {
      const key = `${issue.path}\0${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export function loadConfig(file: string): LoadedConfig {
  const absolute = path.resolve(file);
  const dir = path.dirname(absolute);
  const read = readConfigJson(absolute);
  if (!read.ok) throw new ConfigError(file, [read.issue]);

  const parsed = configSchema.safeParse(read.value, { error: messageFor });
  const keyed: KeyedIssue[] = [
    ...(parsed.success ? [] : fromZodIssues(parsed.error.issues, read.value)),
    ...checkPathsOnDisk(read.value, dir),
  ];
  if (!parsed.success || keyed.length > 0) {
    throw new ConfigError(file, configIssues(keyed, read.value));
  }
  return { config: resolvePaths(parsed.data, dir), file: absolute, dir };
}
