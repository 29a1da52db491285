import path from 'node:path';
import type { Command } from 'commander';
import { formatBytes } from '../core/format.ts';
import {
  type CaseOptions,
  caseChoiceOf,
  caseFlags,
  shortTime,
  timeOption,
  withCaseOptions,
  withEngine,
} from './engine-link.ts';
import { printJson } from './output.ts';

type SnapshotOptions = CaseOptions & {
  at?: string;
  name: string;
  description?: string;
  out?: string;
};

export function registerSnapshot(program: Command): void {
  withCaseOptions(
    program
      .command('snapshot')
      .description('take one frame from a camera, named, and file it (queued as an upload)')
      .argument('<camera>', 'camera id (see `custody cameras list`)')
      .option('--at <time>', 'when: an ISO time or a duration ago (30s, 5m); default now')
      .requiredOption('--name <name>', 'name of the snapshot')
      .option('--description <text>', 'what it shows'),
  )
    .option('--out <file>', 'also keep the JPEG here')
    .action((camera: string, opts: SnapshotOptions, command: Command) => {
      const caseChoice = caseChoiceOf(opts, caseFlags(command));
      const at = opts.at ? timeOption('--at', opts.at) : undefined;
      const out = opts.out ? path.resolve(opts.out) : undefined;
      return withEngine(command, async (engine, options) => {
        const result = await engine.run('snapshot.export', {
          cameraId: camera,
          name: opts.name,
          description: opts.description ?? '',
          caseChoice,
          ...(at ? { at } : {}),
          ...(out ? { out } : {}),
        });
        if (options.json) {
          printJson(result);
          return;
        }
        process.stdout.write(
          `snapshot of ${camera} at ${shortTime(result.at)}: ${result.width}x${result.height}, ${formatBytes(result.bytes)}\n` +
            `${result.path}\n` +
            (result.jobId ? `queued as upload ${result.jobId}\n` : ''),
        );
      });
    });
}
