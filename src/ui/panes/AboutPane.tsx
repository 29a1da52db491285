import { Box, Text } from 'ink';
import type { EngineState } from '../../protocol/engine-state.ts';

export function AboutPane({ state, attachedTo }: { state: EngineState; attachedTo?: string }) {
  const ffmpeg = state.ffmpeg.ok
    ? `${state.ffmpeg.version} (${state.ffmpeg.source}: ${state.ffmpeg.path})`
    : `missing — ${state.ffmpeg.fix}`;
  const since = `${state.startedAt.replace('T', ' ').slice(0, 19)} UTC`;
  const rows: [string, string][] = [
    ['Custody', state.version],
    ['Workstation', state.workstation],
    [
      'Engine',
      `${attachedTo ? `attached at ${attachedTo}` : 'in this process'}, running since ${since}`,
    ],
    [
      'Service',
      `${state.serviceUrl ?? 'none'} · ${state.connection.state}${state.connection.reason ? ` — ${state.connection.reason}` : ''}`,
    ],
    ['ffmpeg', ffmpeg],
    ['Config', state.configFile],
    ['Data', state.dataDir],
    ['Log file', state.paths.logFile],
    ['Archive', state.paths.archive],
    ['Buffer', `${state.paths.buffer} (encrypted)`],
    ['User', `${state.operator.name} (${state.operator.role})`],
  ];
  return (
    <Box flexDirection="column">
      {rows.map(([label, value]) => (
        <Text key={label} wrap="truncate">
          <Text bold>{label.padEnd(12)}</Text>
          {value}
        </Text>
      ))}
    </Box>
  );
}
