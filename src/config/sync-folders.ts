/**
 * A sync folder list set at the console, checked as the loader checks the config file's own:
 * the schema, the cross-checks against the rest of the config, the folders on disk.
 */
import type { LoadedConfig } from './load.ts';
import { type Config, syncFolderListSchema } from './schema.ts';
import { checkSetting } from './setting-check.ts';

export function checkSyncFolders(
  syncFolders: unknown,
  { config, dir }: Pick<LoadedConfig, 'config' | 'dir'>,
): Config['syncFolders'] {
  return checkSetting(syncFolderListSchema(config), { syncFolders }, dir).syncFolders;
}
