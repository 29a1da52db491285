import { Box, Text } from 'ink';
import type { EngineState } from '../../protocol/engine-state.ts';
import { WrappedText } from '../components/WrappedText.tsx';

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
      {/* Paths wrap under their value rather than being cut: this pane is where to read them. */}
      {rows.map(([label, value]) => (
        <Box key={label}>
          <Box width={12} flexShrink={0}>
            <Text bold>{label}</Text>
          </Box>
          <WrappedText>{value}</WrappedText>
        </Box>
      ))}
    </Box>
  );
}
