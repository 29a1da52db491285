import type { Command } from 'commander';
import { formatBytes, formatEta, formatRate, formatRelative } from '../core/format.ts';
import type { EngineState } from '../protocol/engine-state.ts';
import { withEngine } from './engine-link.ts';
import { formatColumns, printJson } from './output.ts';

const connectionLabel: Record<EngineState['connection']['state'], string> = {
  'not-configured': 'Not configured',
  connecting: 'Connecting',
  ready: 'Ready',
  offline: 'Offline',
  'paused-by-schedule': 'Paused by schedule',
};

const active = ['hashing', 'uploading', 'verifying'] as const;
const undecided = new Set(['received', 'exporting', 'held']);

/** The rate flowing now: 0 is idle, not the cap `off`. */
export const flowing = (rate: number): string => (rate > 0 ? formatRate(rate) : 'idle');

export function statusLines(state: EngineState, now = new Date()): string {
  const { connection, schedule, uploads, cameras } = state;
  const count = (states: readonly string[]) =>
    states.reduce((sum, s) => sum + (uploads.counts?.[s as keyof typeof uploads.counts] ?? 0), 0);
  const next = schedule.nextChange
    ? `; ${formatRate(schedule.nextBytesPerSecond)} ${formatRelative(new Date(schedule.nextChange), now)}`
    : '';
  const open = state.requests.filter((r) => undecided.has(r.state));
  const recording = cameras.filter((c) => c.state === 'recording').length;
  const online = cameras.filter((c) => c.state !== 'offline').length;
  const left = uploads.bytesLeft ?? 0;
  const rows = [
    [
      'engine',
      `${state.workstation} · ${state.version} · since ${state.startedAt.slice(0, 19).replace('T', ' ')}Z`,
    ],
    [
      'service',
      `${connectionLabel[connection.state]}${connection.reason ? ` — ${connection.reason}` : ''}`,
    ],
    ['schedule', `${schedule.entry ?? 'no entry'} (${schedule.summary})${next}`],
    [
      'cap',
      `${formatRate(uploads.cap ?? schedule.bytesPerSecond)}${uploads.capSource === 'override' ? ' (override)' : ' (schedule)'} · now ${flowing(uploads.rate ?? 0)}`,
    ],
    [
      'uploads',
      `${count(active)} active · ${count(['queued'])} queued · ${count(['paused'])} paused · ${count(['failed'])} failed · ${formatBytes(left)} left${left > 0 ? ` · ETA ${formatEta(left, uploads.rate || null)}` : ''}`,
    ],
    [
      'requests',
      `${open.length} open${open.length ? ` (${open.map((r) => r.id).join(', ')})` : ''}`,
    ],
    [
      'cameras',
      `${online}/${cameras.length} online, ${recording} recording${cameras.length ? ` (${cameras.map((c) => `${c.id} ${c.state}`).join(', ')})` : ''}`,
    ],
    ['operator', `${state.operator.name} (${state.operator.role})`],
  ];
  return formatColumns(rows);
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('one screen: service, schedule window, cap, uploads, open requests, cameras')
    .action((_opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const state = engine.state();
        if (options.json) printJson(state);
        else process.stdout.write(`${statusLines(state)}\n`);
      }),
    );
}
