import { Box, Text } from 'ink';
import { formatCount, formatRate } from '../../core/format.ts';
import { isUndecided } from '../../core/request-state.ts';
import { runningStates } from '../../core/upload-state.ts';
import type { ConnectionState, EngineState } from '../../protocol/engine-state.ts';
import { clip, clock, shortRate } from '../text.ts';
import { type Theme, useTheme } from '../theme.ts';

const connectionLabel: Record<ConnectionState, string> = {
  'not-configured': 'Not configured',
  connecting: 'Connecting',
  ready: 'Ready',
  offline: 'Offline',
  'paused-by-schedule': 'Paused by schedule',
};

function connectionColor(state: ConnectionState, theme: Theme): string | undefined {
  if (state === 'ready') return theme.ok;
  if (state === 'offline') return theme.error;
  return theme.warn;
}

export type StatusFigures = {
  requests: number;
  running: number;
  queued: number;
};

export function statusFigures(state: EngineState): StatusFigures {
  const counts = state.uploads.counts ?? {};
  return {
    requests: (state.requests ?? []).filter((r) => isUndecided(r.state)).length,
    running: runningStates.reduce((sum, s) => sum + (counts[s] ?? 0), 0),
    queued: counts.queued ?? 0,
  };
}

/**
 * The rest of the status bar after the workstation and connection, most detailed first; the
 * bar shows the first that fits the terminal, so 80 columns get the short forms.
 */
export function statusSegments(state: EngineState, now: Date): string[][] {
  const { uploads, schedule } = state;
  const f = statusFigures(state);
  const cap = uploads.cap === undefined ? schedule.bytesPerSecond : uploads.cap;
  const manual = uploads.capSource === 'override';
  const rate = uploads.rate ?? 0;
  const next = schedule.nextChange ? clock(schedule.nextChange, now) : null;

  const longRate = `↑ ${rate > 0 ? formatRate(rate) : '0 B/s'} of ${formatRate(cap)}${manual ? ' (manual)' : ''}`;
  const midRate = `↑${rate > 0 ? shortRate(rate) : '0'}/${shortRate(cap)}${manual ? ' man' : ''}`;
  const longWindow = next
    ? `window ${formatRate(schedule.bytesPerSecond)} until ${next} (then ${formatRate(schedule.nextBytesPerSecond)})`
    : `window ${formatRate(schedule.bytesPerSecond)}, no change`;
  const midWindow = next
    ? `${shortRate(schedule.bytesPerSecond)} til ${next}→${shortRate(schedule.nextBytesPerSecond)}`
    : `${shortRate(schedule.bytesPerSecond)} always`;
  const shortWindow = next ? `→${next}` : '';
  const longReq = formatCount(f.requests, 'open request');
  const shortReq = `${f.requests} req`;
  const longUp = `${f.running} uploading, ${f.queued} queued`;
  const midUp = `${f.running} up ${f.queued} q`;
  const shortUp = `${f.running}↑${f.queued}q`;
  return [
    [longRate, longWindow, longReq, longUp],
    [midRate, longWindow, longReq, longUp],
    [midRate, midWindow, longReq, midUp],
    [midRate, midWindow, shortReq, midUp],
    [midRate, shortWindow, shortReq, shortUp].filter((s) => s !== ''),
    [midRate, shortReq, shortUp],
  ];
}

const sep = ' │ ';

export function StatusBar({
  state,
  columns,
  now = new Date(),
}: {
  state: EngineState;
  columns: number;
  now?: Date;
}) {
  const theme = useTheme();
  const { connection } = state;
  const label = connectionLabel[connection.state];
  const head = `${state.workstation}${sep}${label}`;
  const options = statusSegments(state, now);
  let rest = options.find((segments) => head.length + (sep + segments.join(sep)).length <= columns);
  let name = state.workstation;
  if (!rest) {
    // Still too wide: the workstation name gives way before the figures do.
    rest = options.at(-1) ?? [];
    const room = columns - (sep + label + sep + rest.join(sep)).length;
    name = clip(state.workstation, Math.max(4, room));
  }
  return (
    <Box width="100%">
      <Text wrap="truncate">
        <Text bold>{name}</Text>
        {sep}
        <Text color={connectionColor(connection.state, theme)} bold>
          {label}
        </Text>
        {rest.length > 0 ? sep + rest.join(sep) : ''}
      </Text>
    </Box>
  );
}
