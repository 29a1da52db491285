import type { Command } from 'commander';
import { configJsonSchema } from '../config/json-schema.ts';
import { loadConfig } from '../config/load.ts';
import { formatCount } from '../core/format.ts';
import { configPath, globalOptions } from './context.ts';
import { printJson } from './output.ts';

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('check a config file or print its JSON Schema');

  config
    .command('check [file]')
    .description('validate a config file (default: --config); exit 2 listing every problem')
    .action((file: string | undefined, _opts, command: Command) => {
      const options = globalOptions(command);
      const loaded = loadConfig(file ?? configPath(options));
      if (options.json) {
        printJson({ ok: true, file: loaded.file });
        return;
      }
      const { config: c } = loaded;
      process.stdout.write(
        `${loaded.file}: ok — ${formatCount(c.cameras.length, 'camera')}, ${formatCount(c.docks.length, 'dock')}, ${formatCount(c.syncFolders.length, 'sync folder')}, service ${c.service.mode}\n`,
      );
    });

  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editors)')
    .action(() => {
      printJson(configJsonSchema());
    });
}
