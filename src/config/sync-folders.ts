/**
 * A sync folder list set at the console, checked as the loader checks the config file's own:
 * the schema, the cross-checks against the rest of the config, the folders on disk, with
 * relative paths taken from the config file's folder. Nothing is applied unless all of it
 * passes, so the refusal names the first problem and its fix.
 */
import { CustodyError, ExitCode } from '../core/errors.ts';
import { checkPathsOnDisk } from './disk-check.ts';
import { type ConfigIssue, describeIssue } from './errors.ts';
import { fromZodIssues, messageFor } from './issues.ts';
import { configIssues, type LoadedConfig, resolvePaths } from './load.ts';
import { type Config, syncFolderListSchema } from './schema.ts';

export function checkSyncFolders(
  syncFolders: unknown,
  { config, dir }: Pick<LoadedConfig, 'config' | 'dir'>,
): Config['syncFolders'] {
  // Resolved first: the config's docks are, and a folder shared with one must be seen as such.
  const input = resolvePaths({ syncFolders }, dir);
  const parsed = syncFolderListSchema(config).safeParse(input, { error: messageFor });
  const issues = configIssues(
    [
      ...(parsed.success ? [] : fromZodIssues(parsed.error.issues, input)),
      ...checkPathsOnDisk(input, dir),
    ],
    input,
  );
  if (parsed.success && issues.length === 0) return parsed.data.syncFolders;
  throw refusal(issues);
}

/** The first problem with its fix; the console shows one line. */
function refusal([first, ...more]: ConfigIssue[]): CustodyError {
  const also = more.length > 0 ? ` (and ${more.length} more)` : '';
  return new CustodyError(
    `${first ? describeIssue(first) : 'syncFolders is not a list of sync folders'}${also}`,
    first?.fix ?? 'write each folder as in the config file',
    ExitCode.badInput,
  );
}
