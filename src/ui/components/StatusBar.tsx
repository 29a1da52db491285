import { Box, Text } from 'ink';
import type { ConnectionState, EngineState } from '../../protocol/engine-state.ts';
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

export function StatusBar({ state }: { state: EngineState }) {
  const theme = useTheme();
  const { connection, schedule } = state;
  return (
    <Box width="100%">
      <Text wrap="truncate">
        <Text bold>{state.workstation}</Text>
        {' │ '}
        <Text color={connectionColor(connection.state, theme)} bold>
          {connectionLabel[connection.state]}
        </Text>
        {' │ '}
        {schedule.summary}
      </Text>
    </Box>
  );
}
