/**
 * The application log's settings: the config's, under those an admin set in Settings. Kept one
 * key per field (`logging.level` is older than the rest), so a field nobody set at the console
 * keeps following the config file.
 */
import path from 'node:path';
import type { LogSettings } from '../config/logging.ts';
import { type Config, loggingSchema } from '../config/schema.ts';
import type { SettingsRepo } from './store/settings-repo.ts';

const { shape } = loggingSchema;
const keyOf = (field: keyof LogSettings): string => `logging.${field}`;

export function logSettingsOf(
  logging: Config['logging'],
  dataDir: string,
  settings: SettingsRepo,
): LogSettings {
  return {
    level: settings.get(keyOf('level'), shape.level) ?? logging.level,
    file:
      settings.get(keyOf('file'), shape.file) ??
      path.resolve(logging.file ?? path.join(dataDir, 'logs', 'custody.log')),
    maxSize: settings.get(keyOf('maxSize'), shape.maxSize) ?? logging.maxSize,
    maxFiles: settings.get(keyOf('maxFiles'), shape.maxFiles) ?? logging.maxFiles,
  };
}

/** The fields set at the console, over the config's from now on. */
export function keepLogSettings(settings: SettingsRepo, changed: Partial<LogSettings>): void {
  for (const [field, value] of Object.entries(changed)) {
    settings.set(keyOf(field as keyof LogSettings), value);
  }
}
