/** The application log's settings changed at the console, checked as the config's `logging`. */
import { z } from 'zod';
import type { LoadedConfig } from './load.ts';
import { type Config, loggingSchema } from './schema.ts';
import { checkSetting } from './setting-check.ts';

const section = z.object({ logging: loggingSchema });

/** The settings in force, as the engine resolved them: the file always named. */
export type LogSettings = Config['logging'] & { file: string };

/**
 * `current` with the fields `change` gives, checked whole: each value by the config's own field
 * schema, the file as the config's file paths are (relative to the config file's folder), so
 * a refusal says `logging.maxSize: …` and how to write it. Returns the settings then in force
 * and, as checked, the fields that were given.
 */
export function checkLogging(
  current: LogSettings,
  change: Partial<Record<keyof LogSettings, unknown>>,
  { dir }: Pick<LoadedConfig, 'dir'>,
): { settings: LogSettings; changed: Partial<LogSettings> } {
  const given = Object.fromEntries(
    Object.entries(change).filter(([, value]) => value !== undefined),
  );
  const { logging } = checkSetting(section, { logging: { ...current, ...given } }, dir);
  const settings = { ...logging, file: logging.file ?? current.file };
  return {
    settings,
    changed: Object.fromEntries(
      Object.keys(given).map((field) => [field, settings[field as keyof LogSettings]]),
    ),
  };
}
