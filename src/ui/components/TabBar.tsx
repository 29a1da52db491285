import { Box, Text } from 'ink';
import { type TabId, tabs } from '../keymap.ts';
import { useTheme } from '../theme.ts';

export function TabBar({ active }: { active: TabId }) {
  const theme = useTheme();
  return (
    <Box width="100%">
      <Text wrap="truncate">
        {tabs.map((tab) => {
          const selected = tab.id === active;
          // Brackets mark the active tab where neither colour nor inverse video shows.
          const label = selected ? `[${tab.key} ${tab.title}]` : ` ${tab.key} ${tab.title} `;
          return (
            <Text key={tab.id} inverse={selected} color={selected ? theme.accent : undefined}>
              {label}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}
