import type { Command } from 'commander';
import { formatBytes, formatCount, formatEta, formatRate } from '../core/format.ts';
import type { UploadRow } from '../protocol/engine-state.ts';
import { badInput, withEngine } from './engine-link.ts';
import { formatColumns, printJson } from './output.ts';

type TargetOptions = { all?: boolean };

export function uploadTable(jobs: UploadRow[]): string {
  if (jobs.length === 0) return 'No uploads.';
  return formatColumns([
    ['ID', 'STATE', 'NAME', 'SOURCE', 'CASE', 'SIZE', 'DONE', 'RATE', 'ETA'],
    ...jobs.map((job) => [
      job.id.slice(0, 8),
      job.state === 'failed' && job.error ? `failed: ${job.error}` : job.state,
      job.name,
      job.source,
      job.case,
      formatBytes(job.size),
      job.size > 0 ? `${Math.floor((job.bytes / job.size) * 100)}%` : '100%',
      job.rate > 0 ? formatRate(job.rate) : '-',
      job.etaMs === null ? '-' : formatEta(job.size - job.bytes, job.rate || null),
    ]),
  ]);
}

/** Short ids as `uploads list` shows them are accepted when they name exactly one job. */
function resolveId(id: string, jobs: UploadRow[]): string {
  const matches = jobs.filter((job) => job.id === id || job.id.startsWith(id));
  return matches.length === 1 && matches[0] ? matches[0].id : id;
}

export function registerUploads(program: Command): void {
  const uploads = program
    .command('uploads')
    .description('list the upload queue; pause, resume, retry or cancel uploads');

  uploads
    .command('list', { isDefault: true })
    .description('unfinished uploads in start order, then recent finished ones')
    .action((_opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const { jobs } = engine.state().uploads;
        if (options.json) printJson(jobs);
        else process.stdout.write(`${uploadTable(jobs)}\n`);
      }),
    );

  const verbs = [
    ['pause', 'uploads.pause', 'paused', 'pause an upload (--all: every unfinished one)'],
    ['resume', 'uploads.resume', 'resumed', 'resume a paused upload (--all: every paused one)'],
    ['retry', 'uploads.retry', 'retried', 'retry a failed upload now (--all: every failed one)'],
    ['cancel', 'uploads.cancel', 'cancelled', 'cancel an upload (--all: every unfinished one)'],
  ] as const;
  for (const [verb, name, past, description] of verbs) {
    uploads
      .command(verb)
      .description(description)
      .argument('[id]', 'upload id (or the start of it, as `uploads list` shows)')
      .option('--all', 'every upload this applies to')
      .action((id: string | undefined, opts: TargetOptions, command: Command) => {
        if (!id && !opts.all) throw badInput(`name the upload to ${verb}`, `pass its ID or --all`);
        if (id && opts.all) throw badInput(`both an ID and --all given`, 'pass one of them');
        return withEngine(command, async (engine, options) => {
          const target = id
            ? { id: resolveId(id, engine.state().uploads.jobs) }
            : { all: true as const };
          const result = await engine.run(name, target);
          if (options.json) printJson(result);
          else process.stdout.write(`${past} ${formatCount(result.changed, 'upload')}\n`);
        });
      });
  }

  uploads
    .command('first')
    .description('start this upload next, ahead of the queue')
    .argument('<id>', 'upload id')
    .action((id: string, _opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const result = await engine.run('uploads.moveToFront', {
          id: resolveId(id, engine.state().uploads.jobs),
        });
        if (options.json) printJson(result);
        else process.stdout.write('moved to the front of the queue\n');
      }),
    );
}
