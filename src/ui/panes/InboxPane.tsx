import { Box, Text } from 'ink';
import type { EngineState } from '../../protocol/engine-state.ts';
import { useTheme } from '../theme.ts';

/** Requests come from the Evidence service; until the engine handles them, the inbox says so. */
export function InboxPane({ state }: { state: EngineState }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text bold>Video requests</Text>
      <Text wrap="wrap">
        Service: {state.connection.state}
        {state.connection.reason ? ` — ${state.connection.reason}` : ''}.
      </Text>
      <Text color={theme.muted} wrap="wrap">
        Handling requests (pre-export, approve, deny) is not in this build yet.
      </Text>
    </Box>
  );
}
