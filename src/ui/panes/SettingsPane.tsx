import { Box, Text } from 'ink';
import type { EngineState } from '../../protocol/engine-state.ts';

/** Admin only (DESIGN.md, Console); everyone else is told why it is locked. */
export function SettingsPane({ state }: { state: EngineState }) {
  const { operator } = state;
  if (operator.role !== 'admin') {
    return (
      <Text wrap="wrap">
        Settings are locked: they need the admin role, and {operator.name} is {operator.role}. Ask
        an admin, or run the console as an admin user (config "operator").
      </Text>
    );
  }
  const rows: [string, string][] = [
    ['Concurrency', String(state.uploads.concurrency)],
    ['Schedule', state.uploads.schedule.join('; ') || '(none: the bandwidth cap applies all week)'],
    ['Config file', state.configFile],
  ];
  return (
    <Box flexDirection="column">
      {rows.map(([label, value]) => (
        <Text key={label} wrap="truncate">
          <Text bold>{label.padEnd(13)}</Text>
          {value}
        </Text>
      ))}
      <Text wrap="wrap">
        Edit the config file and restart to change these; live editing is not in this build yet.
      </Text>
    </Box>
  );
}
