import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { EngineState } from '../../protocol/engine-state.ts';
import { useTheme } from '../theme.ts';

export function CamerasPane({ state }: { state: EngineState }) {
  const theme = useTheme();
  const [cursor, setCursor] = useState(0);
  useInput((input, key) => {
    if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
    if (key.downArrow || input === 'j') setCursor((c) => Math.min(state.cameras.length - 1, c + 1));
  });
  if (state.cameras.length === 0) {
    return (
      <Text>No cameras in the config. Add them under "cameras" (see README, Configuration).</Text>
    );
  }
  return (
    <Box flexDirection="column">
      <Text bold>{`${'Camera'.padEnd(12)}${'Name'.padEnd(24)}Location`}</Text>
      {state.cameras.map((camera, i) => (
        <Text key={camera.id} wrap="truncate" inverse={i === cursor}>
          {`${camera.id.padEnd(12)}${camera.name.padEnd(24)}${camera.location}`}
        </Text>
      ))}
      <Text color={theme.muted} wrap="wrap">
        {state.ffmpeg.ok
          ? 'Recording, live tiles and snapshots are not in this build yet.'
          : `ffmpeg is missing — ${state.ffmpeg.fix}`}
      </Text>
    </Box>
  );
}
