import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { parseDuration } from '../core/format.ts';
import { EventLog } from '../engine/events/event-log.ts';
import { openStore, type Store } from '../engine/store/database.ts';
import type { CustodyEvent, EventLevel } from '../protocol/events.ts';
import { dataDirFor, type GlobalOptions, globalOptions, loadConfigFor } from './context.ts';
import { formatColumns } from './output.ts';

type EventsOptions = {
  since?: string;
  kind?: string[];
  level?: EventLevel;
  request?: string;
  subject?: string;
  search?: string;
  limit?: string;
  follow?: boolean;
};

const followPollMs = 500;

/** The data directory may be named without a config (`--data`), so a config is optional here. */
function openEventStore(options: GlobalOptions): Store {
  const dataDir =
    options.data || process.env.CUSTODY_DATA
      ? dataDirFor(options)
      : dataDirFor(options, loadConfigFor(options));
  if (!existsSync(path.join(dataDir, 'custody.db'))) {
    throw new CustodyError(
      `no event log in ${dataDir}`,
      'start custody once on this data directory, or name the right one with --data',
      ExitCode.badInput,
    );
  }
  // Reading needs no page-by-page check first: `custody doctor` does it on demand.
  return openStore(dataDir, { verify: false });
}

function sinceDate(since: string | undefined, now: Date): Date | undefined {
  if (!since) return undefined;
  const duration = parseDuration(since);
  if (duration.ok) return new Date(now.getTime() - duration.ms);
  const at = new Date(since);
  if (Number.isNaN(at.getTime())) {
    throw new CustodyError(
      `--since "${since}" is neither a duration nor a time`,
      'use a duration like 15m, 1h, 7d or an ISO time like 2026-11-25T08:00',
      ExitCode.badInput,
    );
  }
  return at;
}

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new CustodyError(
      `--limit "${text}" is not a positive whole number`,
      'use e.g. --limit 100',
      ExitCode.badInput,
    );
  }
  return n;
}

export function formatEventLine(event: CustodyEvent): string {
  const time = event.time.replace('T', ' ').slice(0, 19);
  return formatColumns(
    [[time, event.level.toUpperCase().padEnd(5), event.kind, event.subject ?? '-', event.message]],
    1,
  );
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerEvents(program: Command): void {
  const events = program
    .command('events')
    .description(
      'read the event log (--follow to keep reading as events arrive; --json: one event a line)',
    )
    .option('--since <when>', 'only events newer than a duration (15m, 1h, 7d) or an ISO time')
    .option('--kind <prefix>', 'only events whose kind starts with this (repeatable)', collect)
    .option('--level <level>', 'minimum level: debug, info, warn, error')
    .option('--request <id>', 'only events about this video request')
    .option('--subject <id>', 'only events about this job, request or camera')
    .option(
      '--search <text>',
      'only events whose message, kind, subject or data contain this (any case)',
    )
    .option('--limit <n>', 'at most this many (the newest)')
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .action(async (opts: EventsOptions, command: Command) => {
      const options = globalOptions(command);
      if (opts.level && !['debug', 'info', 'warn', 'error'].includes(opts.level)) {
        throw new CustodyError(
          `--level "${opts.level}" is not a level`,
          'use debug, info, warn or error',
          ExitCode.badInput,
        );
      }
      if (opts.search === '') {
        throw new CustodyError(
          '--search is empty',
          'give the text to look for, e.g. --search req_7c64',
          ExitCode.badInput,
        );
      }
      const limit = limitOf(opts.limit);
      const since = sinceDate(opts.since, new Date());
      const store = openEventStore(options);
      const log = new EventLog(store);
      const filter = {
        since,
        kinds: opts.kind,
        level: opts.level,
        requestId: opts.request,
        subject: opts.subject,
        search: opts.search,
      };
      const print = (event: CustodyEvent) =>
        process.stdout.write(`${options.json ? JSON.stringify(event) : formatEventLine(event)}\n`);
      // Newest N, printed oldest first, so the tail reads like a log.
      const first = log.list({ ...filter, limit, order: limit ? 'desc' : 'asc' });
      if (limit) first.reverse();
      // JSON lines, one event a line, with or without --follow: an audit export that streams,
      // appends and greps like the log it is, and that jq reads one event at a time.
      for (const event of first) print(event);
      if (!opts.follow) {
        store.close();
        return;
      }
      // Another process owns the engine, so follow by polling the WAL-mode database.
      let lastSeq = first.at(-1)?.seq ?? log.list({ order: 'desc', limit: 1 })[0]?.seq ?? 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          for (const event of log.list({
            ...filter,
            since: undefined,
            afterSeq: lastSeq,
            order: 'asc',
          })) {
            print(event);
            lastSeq = event.seq;
          }
        }, followPollMs);
        const stop = () => {
          clearInterval(timer);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      store.close();
    });

  events
    .command('verify')
    .description('check the hash chain of the event log; exit 1 and say where it breaks')
    .action((_opts, command: Command) => {
      const options = globalOptions(command);
      const store = openEventStore(options);
      const result = new EventLog(store).verify();
      store.close();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else if (result.ok) {
        process.stdout.write(`event log intact: ${result.count} events, chain verified\n`);
      }
      if (!result.ok) {
        throw new CustodyError(
          `event log broken at event ${result.seq}: ${result.reason}`,
          'the log was edited or events were deleted; keep this copy for the audit and restore the data directory from backup',
          ExitCode.failed,
        );
      }
    });
}
