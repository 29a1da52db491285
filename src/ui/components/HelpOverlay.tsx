import { Box, Text } from 'ink';
import { globalKeys, paneKeys, tabs } from '../keymap.ts';
import { WrappedText } from './WrappedText.tsx';

export function HelpOverlay() {
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} width="100%">
      <Text bold>Keys (Esc or ? closes)</Text>
      <WrappedText>
        In a form: type · Enter next field, then Next/Finish · Tab or ↑↓ move · ←→ choose · Ctrl-U
        clears · Esc back
      </WrappedText>
      {globalKeys.map((hint) => (
        <Text key={hint.keys} wrap="truncate">
          {hint.keys.padEnd(8)} {hint.does}
        </Text>
      ))}
      {tabs
        .filter((tab) => paneKeys[tab.id].length > 0)
        .map((tab) => (
          // A pane's keys wrap under its keys, not under its name.
          <Box key={tab.id}>
            <Box width={10} flexShrink={0}>
              <Text>{`${tab.title}:`}</Text>
            </Box>
            <WrappedText>
              {paneKeys[tab.id].map((hint) => `${hint.keys} ${hint.does}`).join(' · ')}
            </WrappedText>
          </Box>
        ))}
    </Box>
  );
}
