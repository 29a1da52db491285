import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import { messageFor } from '../../config/issues.ts';
import { loggingSchema } from '../../config/schema.ts';
import {
  formatBytes,
  formatRate,
  formatRateSpec,
  logSizeBytes,
  parseRate,
  RATE_FORMS,
  splitList,
} from '../../core/format.ts';
import type { EngineState, SyncFolder } from '../../protocol/engine-state.ts';
import { logLevelSchema } from '../../protocol/log-level.ts';
import { Form } from '../components/Form.tsx';
import { WrappedText } from '../components/WrappedText.tsx';
import { errorText } from '../text.ts';
import { useTheme } from '../theme.ts';
import type { PaneProps } from './pane.ts';
import { SyncFoldersView } from './SyncFoldersView.tsx';
import { scheduleProblem } from './UploadsPane.tsx';

/** The rows that edit the application log, by the config's field each one sets. */
const logFields = {
  logLevel: 'level',
  logFile: 'file',
  logMaxSize: 'maxSize',
  logMaxFiles: 'maxFiles',
} as const satisfies Record<string, keyof EngineState['logging']>;
type LogSetting = keyof typeof logFields;

/** Settings edited as one line of text. */
type TextSetting = 'service' | 'schedule' | 'bandwidth' | 'concurrency' | LogSetting;

/** The sync folders open a list of their own. */
type Editable = TextSetting | 'syncFolders';

const rows: { id: Editable; label: string }[] = [
  { id: 'service', label: 'Service' },
  { id: 'schedule', label: 'Schedule' },
  { id: 'bandwidth', label: 'Bandwidth cap' },
  { id: 'concurrency', label: 'Concurrency' },
  { id: 'logLevel', label: 'Log level' },
  { id: 'logFile', label: 'Log file' },
  { id: 'logMaxSize', label: 'Rotate log at' },
  { id: 'logMaxFiles', label: 'Old logs kept' },
  { id: 'syncFolders', label: 'Sync folders' },
];

const logLevels = logLevelSchema.options;

const isLogSetting = (id: TextSetting): id is LogSetting => id in logFields;

/** The value a log row's text stands for: a number of files is sent as a number. */
function logValue(id: LogSetting, text: string): string | number {
  const trimmed = text.trim();
  return id === 'logMaxFiles' && /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function validate(id: TextSetting, text: string): string | undefined {
  if (id === 'service') return text.trim() === '' ? 'name the integration file' : undefined;
  if (id === 'logLevel') {
    return logLevels.includes(text.trim() as (typeof logLevels)[number])
      ? undefined
      : `one of ${logLevels.join(', ')}`;
  }
  if (isLogSetting(id)) {
    // The config's own rule for the field, in the words the engine's refusal would use.
    const checked = loggingSchema.shape[logFields[id]].safeParse(logValue(id, text), {
      error: messageFor,
    });
    return checked.success ? undefined : checked.error.issues[0]?.message;
  }
  if (id === 'schedule') return scheduleProblem(text);
  if (id === 'bandwidth') {
    if (text.trim().toLowerCase() === 'schedule') return undefined;
    const rate = parseRate(text);
    return rate.ok ? undefined : rate.message;
  }
  const n = Number(text);
  return /^\d+$/.test(text.trim()) && n >= 1 && n <= 26 ? undefined : 'a whole number from 1 to 26';
}

const hints: Record<TextSetting, string> = {
  service: 'Path of the integration file `custody server associate` wrote, on the engine machine',
  schedule: 'Entries separated by ; e.g. Mon-Fri 08:00-18:00 2M; Sat,Sun off',
  bandwidth: `${RATE_FORMS}, or schedule`,
  concurrency: 'Uploads at the same time, 1 to 26',
  logLevel: logLevels.join(', '),
  logFile: "Path on the engine machine; a relative one is from the config file's folder",
  logMaxSize: loggingSchema.shape.maxSize.description ?? '',
  logMaxFiles: `${loggingSchema.shape.maxFiles.description}, besides the one being written`,
};

/** Admin only (DESIGN.md, Console); everyone else is told why it is locked. */
export function SettingsPane({
  state,
  api,
  width = 80,
  height = 21,
  active = true,
  onCapture = () => {},
}: Partial<PaneProps> & Pick<PaneProps, 'state'>) {
  const theme = useTheme();
  const { operator, uploads } = state;
  const [cursor, setCursor] = useState(0);
  const [editing, setEditing] = useState<{ id: TextSetting; text: string } | null>(null);
  const [folders, setFolders] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const admin = operator.role === 'admin';
  // The service can be set here only while there is none (account set-up).
  const editable = rows.filter(
    (row) => row.id !== 'service' || state.connection.state === 'not-configured',
  );

  // The sync folder list says what it captures itself.
  useEffect(() => {
    if (!folders) onCapture(editing !== null);
  }, [editing, folders, onCapture]);

  const current = (id: TextSetting): string => {
    if (id === 'service') return '';
    if (isLogSetting(id)) return String(state.logging[logFields[id]]);
    if (id === 'schedule') return uploads.schedule.join('; ');
    if (id === 'concurrency') return String(uploads.concurrency);
    return uploads.capSource === 'override' ? formatRateSpec(uploads.cap) : 'schedule';
  };

  useInput(
    (input, key) => {
      if (key.upArrow || input === 'k') setCursor(Math.max(0, cursor - 1));
      else if (key.downArrow || input === 'j') setCursor(Math.min(editable.length - 1, cursor + 1));
      else if (key.return) {
        const row = editable[cursor];
        if (row?.id === 'syncFolders') setFolders(api !== undefined);
        else if (row) setEditing({ id: row.id, text: current(row.id) });
      } else if (key.escape) setNotice(null);
    },
    { isActive: active && admin && editing === null && !folders },
  );

  if (!admin) {
    return (
      <WrappedText>
        Settings are locked: they need the admin role, and {operator.name} is {operator.role}. Ask
        an admin, or run the console as an admin user (config "operator").
      </WrappedText>
    );
  }

  if (folders && api) {
    return (
      <SyncFoldersView
        state={state}
        api={api}
        width={width}
        height={height}
        active={active}
        onCapture={onCapture}
        onClose={() => setFolders(false)}
      />
    );
  }

  const save = async (id: TextSetting, text: string) => {
    if (!api) return;
    try {
      if (id === 'service') {
        const linked = await api.run('settings.importIntegration', { file: text.trim() });
        setNotice({ text: `Linked to ${linked.url} as ${linked.systemName}`, error: false });
      } else if (isLogSetting(id)) {
        const field = logFields[id];
        const result = await api.run('settings.logging', { [field]: logValue(id, text) });
        const label = rows.find((row) => row.id === id)?.label;
        setNotice({ text: `${label}: ${result[field]}`, error: false });
      } else if (id === 'schedule') {
        const result = await api.run('schedule.set', { entries: splitList(text) });
        setNotice({ text: `Schedule saved: ${result.summary}`, error: false });
      } else if (id === 'concurrency') {
        const result = await api.run('concurrency.set', { concurrency: Number(text) });
        setNotice({ text: `Concurrency: ${result.concurrency}`, error: false });
      } else {
        const trimmed = text.trim().toLowerCase();
        const rate = parseRate(text);
        const bytesPerSecond =
          trimmed === 'schedule' ? ('schedule' as const) : rate.ok ? rate.bytesPerSecond : 0;
        const result = await api.run('bandwidth.set', { bytesPerSecond });
        setNotice({
          text: `Bandwidth cap: ${formatRate(result.bytesPerSecond)} (${result.source})`,
          error: false,
        });
      }
    } catch (err) {
      setNotice({ text: errorText(err), error: true });
    }
  };

  const values: Record<Editable, string> = {
    service: 'not configured: Enter imports an integration file',
    logLevel: state.logging.level,
    logFile: state.logging.file,
    logMaxSize: `${state.logging.maxSize} (${formatBytes(logSizeBytes(state.logging.maxSize))})`,
    logMaxFiles: String(state.logging.maxFiles),
    schedule: uploads.schedule.join('; ') || '(none: the bandwidth cap applies all week)',
    bandwidth:
      uploads.cap === undefined
        ? formatRate(state.schedule.bytesPerSecond)
        : `${formatRate(uploads.cap)} (${uploads.capSource === 'override' ? 'manual override' : 'from the schedule'})`,
    concurrency: String(uploads.concurrency),
    syncFolders: syncFoldersSummary(state.syncFolders),
  };
  const readOnly: [string, string][] = [
    ...(state.serviceUrl ? [['Service', state.serviceUrl] as [string, string]] : []),
    ['Window', state.schedule.summary],
    ['Config file', state.configFile],
    ['Data', state.dataDir],
    ['Cameras', state.cameras.map((c) => c.id).join(', ') || 'none'],
    ['Docks', state.docks.map((d) => `${d.name} (${d.root})`).join(', ') || 'none'],
    [
      'Operator',
      `${operator.name} (${operator.role}: ${operator.privileges.join(', ') || 'no privileges'})`,
    ],
  ];

  return (
    <Box flexDirection="column">
      {editable.map((row, i) => (
        <Text key={row.id} wrap="truncate" inverse={i === cursor && editing === null}>
          {i === cursor ? '> ' : '  '}
          <Text bold>{row.label.padEnd(14)}</Text>
          {values[row.id]}
        </Text>
      ))}
      {readOnly.map(([label, value]) => (
        <Text key={label} wrap="truncate">
          {'  '}
          <Text bold>{label.padEnd(14)}</Text>
          {value}
        </Text>
      ))}
      {editing ? (
        <Box flexDirection="column" borderStyle="single" paddingX={1}>
          <Form
            fields={[
              {
                id: 'text',
                label: rows.find((e) => e.id === editing.id)?.label ?? '',
                hint: hints[editing.id],
              },
            ]}
            values={{ text: editing.text }}
            labelWidth={14}
            messageRows={2}
            onChange={(_id, text) => setEditing((e) => (e ? { ...e, text } : e))}
            errors={{ text: validate(editing.id, editing.text) }}
            submitLabel="apply"
            isActive={active}
            onCancel={() => setEditing(null)}
            onSubmit={() => {
              if (validate(editing.id, editing.text)) return;
              const { id, text } = editing;
              setEditing(null);
              void save(id, text);
            }}
          />
        </Box>
      ) : (
        <WrappedText color={notice?.error ? theme.error : notice ? theme.ok : theme.muted}>
          {notice?.text ??
            'Enter edits the selected setting; changes apply live. The rest comes from the config file.'}
        </WrappedText>
      )}
    </Box>
  );
}

function syncFoldersSummary(folders: SyncFolder[]): string {
  if (folders.length === 0) return 'none: Enter adds one';
  const on = folders.filter((f) => f.enabled);
  return `${on.length} of ${folders.length} on: ${folders.map((f) => `${f.name}${f.enabled ? '' : ' (off)'}`).join(', ')}`;
}
