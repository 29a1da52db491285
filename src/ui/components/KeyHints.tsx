import { Box, Text } from 'ink';
import type { KeyHint } from '../keymap.ts';
import { useTheme } from '../theme.ts';

export function KeyHints({ hints }: { hints: KeyHint[] }) {
  const theme = useTheme();
  return (
    <Box width="100%">
      <Text wrap="truncate" color={theme.muted}>
        {hints.map((hint) => `${hint.keys} ${hint.does}`).join(' · ')}
      </Text>
    </Box>
  );
}
