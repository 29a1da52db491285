import { Box, Text } from 'ink';
import type { EngineState } from '../../protocol/engine-state.ts';
import { useTheme } from '../theme.ts';

/** Requests come from the Evidence service; until the engine has its client, say why the inbox is empty. */
export function InboxPane({ state }: { state: EngineState }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text bold>Video requests</Text>
      <Text>No requests.</Text>
      <Text color={theme.muted} wrap="wrap">
        Requests arrive from the Evidence service. Service: {state.connection.state}
        {state.connection.reason ? ` — ${state.connection.reason}` : ''}.
      </Text>
    </Box>
  );
}
