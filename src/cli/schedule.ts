import type { Command } from 'commander';
import { formatRate, formatRelative, splitList } from '../core/format.ts';
import { parseSchedule } from '../core/schedule.ts';
import { badInput, withEngine } from './engine-link.ts';
import { formatColumns, printJson } from './output.ts';

/** `"Mon-Fri 08:00-18:00 2M; * * unlimited"`: entries separated by `;`, checked here first. */
export function scheduleEntries(text: string): string[] {
  const entries = splitList(text);
  if (entries.length === 0) {
    throw badInput(
      'the schedule is empty',
      'give entries like "Mon-Fri 08:00-18:00 2M; * * unlimited"',
    );
  }
  const parsed = parseSchedule(entries);
  if (!parsed.ok) {
    const error = parsed.errors[0];
    throw badInput(
      `schedule entry ${(error?.index ?? 0) + 1} "${error?.entry}": ${error?.message}`,
      'write entries as DAYS [HH:MM-HH:MM or *] RATE, e.g. "Mon-Fri 08:00-18:00 2M; Sat-Sun off; * * unlimited"',
    );
  }
  return entries;
}

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('show or replace the weekly upload schedule (first matching entry wins)');

  schedule
    .command('show', { isDefault: true })
    .description('the entries, the window in force and the next change')
    .action((_opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const state = engine.state();
        const shown = { entries: state.uploads.schedule, ...state.schedule };
        if (options.json) {
          printJson(shown);
          return;
        }
        const rows = state.uploads.schedule.map((entry, i) => [
          `${i + 1}.`,
          entry,
          entry === state.schedule.entry ? '← in force' : '',
        ]);
        const next = state.schedule.nextChange
          ? `next: ${formatRate(state.schedule.nextBytesPerSecond)} ${formatRelative(new Date(state.schedule.nextChange), new Date())}`
          : 'no change ahead';
        process.stdout.write(
          `${rows.length ? `${formatColumns(rows)}\n` : 'No entries (the configured cap applies).\n'}now: ${formatRate(state.schedule.bytesPerSecond)} — ${state.schedule.summary}; ${next}\n`,
        );
      }),
    );

  schedule
    .command('set')
    .description('replace the schedule: "Mon-Fri 08:00-18:00 2M; Sat-Sun off; * * unlimited"')
    .argument('<entries>', 'entries separated by ;')
    .action((text: string, _opts, command: Command) => {
      const entries = scheduleEntries(text);
      return withEngine(command, async (engine, options) => {
        const result = await engine.run('schedule.set', { entries });
        if (options.json) printJson(result);
        else
          process.stdout.write(
            `schedule set: ${result.entries.join('; ')}\nnow: ${result.summary}\n`,
          );
      });
    });
}
