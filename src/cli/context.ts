import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { CustodyError, ExitCode } from '../core/errors.ts';

/** Options every command accepts (DESIGN.md, Command-line conventions). */
export type GlobalOptions = { config?: string; data?: string; color: boolean; json?: boolean };

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function configPath(options: GlobalOptions, env = process.env): string {
  return path.resolve(options.config || env.CUSTODY_CONFIG || 'config.json');
}

export function loadConfigFor(options: GlobalOptions, env = process.env): LoadedConfig {
  const file = configPath(options, env);
  if (!options.config && !env.CUSTODY_CONFIG && !existsSync(file)) {
    throw new CustodyError(
      `no config file at ${file}`,
      'pass --config FILE (or set CUSTODY_CONFIG); `npm start` runs the demo in config.example.json',
      ExitCode.badInput,
    );
  }
  return loadConfig(file);
}

/** --data, then CUSTODY_DATA, then the config's dataDir (already absolute), then ./data. */
export function dataDirFor(
  options: GlobalOptions,
  loaded?: LoadedConfig,
  env = process.env,
): string {
  const chosen = options.data || env.CUSTODY_DATA;
  if (chosen) return path.resolve(chosen);
  return loaded?.config.dataDir ?? path.resolve('data');
}
