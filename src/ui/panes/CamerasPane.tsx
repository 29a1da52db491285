import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { EngineState } from '../../protocol/engine-state.ts';
import { useTheme } from '../theme.ts';

const stateLabel: Record<EngineState['cameras'][number]['state'], string> = {
  recording: 'recording',
  'online-not-recording': 'no frames',
  offline: 'offline',
};

export function CamerasPane({ state }: { state: EngineState }) {
  const theme = useTheme();
  const [cursor, setCursor] = useState(0);
  useInput((input, key) => {
    if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
    if (key.downArrow || input === 'j') setCursor((c) => Math.min(state.cameras.length - 1, c + 1));
  });
  const selected = state.cameras[cursor];
  if (state.cameras.length === 0) {
    return (
      <Text>No cameras in the config. Add them under "cameras" (see README, Configuration).</Text>
    );
  }
  return (
    <Box flexDirection="column">
      <Text bold>{`${'Camera'.padEnd(11)}${'Status'.padEnd(11)}${'Name'.padEnd(22)}Location`}</Text>
      {state.cameras.map((camera, i) => (
        <Text key={camera.id} wrap="truncate" inverse={i === cursor}>
          {camera.id.padEnd(11)}
          <Text color={camera.state === 'recording' ? theme.ok : theme.warn}>
            {stateLabel[camera.state].padEnd(11)}
          </Text>
          {camera.name.padEnd(22)}
          {camera.location}
        </Text>
      ))}
      {selected && selected.state !== 'recording' ? (
        <Text wrap="wrap">
          {selected.name}: {stateLabel[selected.state]} — {selected.reason ?? 'no reason given'}
        </Text>
      ) : null}
      <Text color={theme.muted} wrap="wrap">
        {state.ffmpeg.ok
          ? 'Live tiles and the snapshot wizard are not in this build yet.'
          : `ffmpeg is missing — ${state.ffmpeg.fix}`}
      </Text>
    </Box>
  );
}
