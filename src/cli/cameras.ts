import type { Command } from 'commander';
import { withEngine } from './engine-link.ts';
import { formatColumns, printJson } from './output.ts';

export function registerCameras(program: Command): void {
  const cameras = program.command('cameras').description('the cameras this workstation records');
  cameras
    .command('list', { isDefault: true })
    .description('id, name, location and whether each camera records')
    .action((_opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const list = engine.state().cameras;
        if (options.json) {
          printJson(list);
          return;
        }
        process.stdout.write(
          list.length === 0
            ? 'No cameras configured.\n'
            : `${formatColumns([
                ['ID', 'STATE', 'NAME', 'LOCATION'],
                ...list.map((c) => [
                  c.id,
                  c.reason && c.state !== 'recording' ? `${c.state} (${c.reason})` : c.state,
                  c.name,
                  c.location,
                ]),
              ])}\n`,
        );
      }),
    );
}
