import { Box, Text } from 'ink';
import type { KeyHint } from '../keymap.ts';
import { useTheme } from '../theme.ts';

const SEPARATOR = ' · ';
const MORE = ' …';

/**
 * The hints that fit in `width`, whole: a narrow terminal drops the last ones and ends with
 * "…" (? lists them all) instead of cutting one in the middle ("f fol…").
 */
export function fitHints(hints: KeyHint[], width: number): string {
  const all = hints.map((hint) => `${hint.keys} ${hint.does}`);
  let line = '';
  for (const [i, hint] of all.entries()) {
    const next = line === '' ? hint : `${line}${SEPARATOR}${hint}`;
    const last = i === all.length - 1;
    if (next.length + (last ? 0 : MORE.length) > width) return `${line}${MORE}`;
    line = next;
  }
  return line;
}

export function KeyHints({ hints, width }: { hints: KeyHint[]; width: number }) {
  const theme = useTheme();
  return (
    <Box width="100%">
      <Text wrap="truncate" color={theme.muted}>
        {fitHints(hints, width)}
      </Text>
    </Box>
  );
}
