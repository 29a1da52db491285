import path from 'node:path';
import type { Command } from 'commander';
import { formatBytes } from '../core/format.ts';
import { badInput, shortTime, timeOption, withEngine } from './engine-link.ts';
import { printJson } from './output.ts';

type ExportOptions = { from: string; to: string; out: string };

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'export a clip of a camera’s archive to a file (stream copy, from the keyframe before --from)',
    )
    .argument('<camera>', 'camera id (see `custody cameras list`)')
    .requiredOption('--from <time>', 'start: an ISO time or a duration ago (10m)')
    .requiredOption('--to <time>', 'end: an ISO time or a duration ago (0s for now)')
    .requiredOption('--out <file>', 'the file to write (.mp4, .mkv or .ts)')
    .action((camera: string, opts: ExportOptions, command: Command) => {
      const now = new Date();
      const from = timeOption('--from', opts.from, now);
      const to = timeOption('--to', opts.to, now);
      if (Date.parse(to) <= Date.parse(from)) {
        throw badInput('--to is not after --from', 'give a range that ends after it starts');
      }
      const out = path.resolve(opts.out);
      return withEngine(command, async (engine, options) => {
        const result = await engine.run('clip.export', { cameraId: camera, from, to, out });
        if (options.json) {
          printJson(result);
          return;
        }
        const gaps = result.gaps.length
          ? `gaps: ${result.gaps.map((g) => `${shortTime(g.from)}–${shortTime(g.to)}`).join(', ')}\n`
          : '';
        process.stdout.write(
          `${result.path}\n${formatBytes(result.bytes)} · sha256 ${result.sha256}\n${gaps}`,
        );
      });
    });
}
