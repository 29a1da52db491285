import { Box, Text } from 'ink';
import { formatRate } from '../../core/format.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import { useTheme } from '../theme.ts';

export function UploadsPane({ state }: { state: EngineState }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text bold>
        Uploads · concurrency {state.uploads.concurrency} · cap{' '}
        {formatRate(state.schedule.bytesPerSecond)}
      </Text>
      <Text wrap="truncate">Schedule: {state.schedule.summary}</Text>
      <Text bold>Connected devices</Text>
      {state.docks.length === 0 ? <Text>No docks configured.</Text> : null}
      {state.docks.map((dock) => (
        <Text key={dock.id} wrap="truncate">
          {`  ${dock.name} (${dock.id}): ${dock.root}`}
        </Text>
      ))}
      {state.syncFolders.length > 0 ? <Text bold>Sync folders</Text> : null}
      {state.syncFolders.map((folder) => (
        <Text key={folder.id} wrap="truncate">
          {`  ${folder.name} (${folder.id}): ${folder.path}`}
        </Text>
      ))}
      <Text color={theme.muted} wrap="wrap">
        The upload queue is not in this build yet: no files are sent.
      </Text>
    </Box>
  );
}
