import type { Command } from 'commander';
import { formatRate, parseRate } from '../core/format.ts';
import { badInput, withEngine } from './engine-link.ts';
import { printJson } from './output.ts';
import { flowing } from './status.ts';

/** `2M`, `off`, `unlimited`, or `schedule` (drop the override). */
export function bandwidthInput(text: string): number | null | 'schedule' {
  if (text.trim().toLowerCase() === 'schedule') return 'schedule';
  const rate = parseRate(text);
  if (!rate.ok) {
    throw badInput(
      `bandwidth "${text}": ${rate.message}`,
      'or write schedule to follow the schedule again',
    );
  }
  return rate.bytesPerSecond;
}

export function registerBandwidth(program: Command): void {
  const bandwidth = program
    .command('bandwidth')
    .description('show or override the upload cap (until set back to schedule)');

  bandwidth
    .command('show', { isDefault: true })
    .description('the cap in force and where it comes from')
    .action((_opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const { uploads } = engine.state();
        const shown = {
          bytesPerSecond: uploads.cap,
          source: uploads.capSource,
          rate: uploads.rate,
        };
        if (options.json) printJson(shown);
        else
          process.stdout.write(
            `cap ${formatRate(uploads.cap)} (${uploads.capSource}) · now ${flowing(uploads.rate)}\n`,
          );
      }),
    );

  bandwidth
    .command('set')
    .description('set the cap now: 2M, 512K, off, unlimited, or schedule to follow the schedule')
    .argument('<rate>', 'bytes/s with K/M/G (binary), off, unlimited or schedule')
    .action((text: string, _opts, command: Command) => {
      const bytesPerSecond = bandwidthInput(text);
      return withEngine(command, async (engine, options) => {
        const result = await engine.run('bandwidth.set', { bytesPerSecond });
        if (options.json) printJson(result);
        else
          process.stdout.write(
            `cap ${formatRate(result.bytesPerSecond)} (${result.source === 'override' ? 'override' : 'from the schedule'})\n`,
          );
      });
    });
}
