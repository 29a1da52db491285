import { Box, Text, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { formatBytes, formatCount, formatRate, splitList } from '../../core/format.ts';
import { parseSchedule } from '../../core/schedule.ts';
import type { EngineApi } from '../../engine/api.ts';
import type { CaseChoice } from '../../protocol/control.ts';
import type { EngineState, UploadRow } from '../../protocol/engine-state.ts';
import { Form } from '../components/Form.tsx';
import { useFilter } from '../components/use-filter.ts';
import { useMinuteClock } from '../components/use-minute-clock.ts';
import { WrappedText } from '../components/WrappedText.tsx';
import { age, bar, cell, errorText, eta, shortBytes, shortRate } from '../text.ts';
import { type Theme, useTheme } from '../theme.ts';
import { CaseChoiceStep } from '../wizards/CaseChoice.tsx';
import { FileBrowser } from '../wizards/FileBrowser.tsx';
import type { PaneProps } from './pane.ts';

/** The `+`/`-` ladder; 0 is off and null unlimited. */
export const capSteps: (number | null)[] = [
  0,
  256 * 1024,
  512 * 1024,
  1024 ** 2,
  2 * 1024 ** 2,
  4 * 1024 ** 2,
  8 * 1024 ** 2,
  16 * 1024 ** 2,
  32 * 1024 ** 2,
  null,
];

/** The next step up or down from any cap, including caps between steps. */
export function nextCap(cap: number | null, direction: 1 | -1): number | null {
  const value = (c: number | null) => (c === null ? Number.POSITIVE_INFINITY : c);
  const current = value(cap);
  if (direction > 0) return capSteps.find((s) => value(s) > current) ?? null;
  return [...capSteps].reverse().find((s) => value(s) < current) ?? 0;
}

/** `1 entry`, `3 entries` of a schedule that parsed. */
function entryCount(text: string): string {
  const parsed = parseSchedule(text);
  const n = parsed.ok ? parsed.schedule.entries.length : 0;
  return n === 1 ? '1 entry' : `${n} entries`;
}

/**
 * What is wrong with a schedule being typed, for the line under it: the first problem, with
 * how many there are. The entry is named by number: its text is right above.
 */
export function scheduleProblem(text: string): string | undefined {
  const result = parseSchedule(text);
  if (result.ok) return undefined;
  const [first] = result.errors;
  const count = result.errors.length > 1 ? `${formatCount(result.errors.length, 'problem')}; ` : '';
  return first && `${count}entry ${first.index + 1}: ${first.message}`;
}

type View = 'files' | 'devices' | 'sync';

type Mode =
  | { kind: 'list' }
  | { kind: 'confirm-cancel'; id: string; name: string }
  | { kind: 'schedule'; text: string }
  | { kind: 'concurrency'; text: string }
  | { kind: 'browse' }
  | { kind: 'add-paths'; text: string }
  | { kind: 'add-case'; paths: string[] };

type Notice = { text: string; error: boolean } | null;

const stateColor = (state: UploadRow['state'], theme: Theme) =>
  state === 'failed'
    ? theme.error
    : state === 'done'
      ? theme.ok
      : state === 'paused' || state === 'cancelled'
        ? theme.warn
        : undefined;

export function fileColumns(width: number) {
  const wide = width >= 140;
  const fixed = {
    source: wide ? 24 : 9,
    caseId: wide ? 16 : 9,
    size: 6,
    bar: wide ? 20 : 5,
    pct: 4,
    rate: 6,
    eta: wide ? 8 : 6,
    state: 9,
  };
  // marker, the separators between nine columns, and the bar's own space
  const used = 2 + Object.values(fixed).reduce((a, b) => a + b, 0) + 8;
  // Wide terminals leave the room at the right end, not between a file and its progress.
  return { ...fixed, name: Math.max(8, Math.min(60, width - used - 1)) };
}

function fileHeader(width: number): string {
  const c = fileColumns(width);
  return `  ${cell('Name', c.name)} ${cell('Source', c.source)} ${cell('Case', c.caseId)} ${cell('Size', c.size, 'right')} ${cell('Progress', c.bar + 1 + c.pct)} ${cell('Rate', c.rate, 'right')} ${cell('ETA', c.eta, 'right')} ${cell('State', c.state)}`;
}

function fileRow(job: UploadRow, width: number): string {
  const c = fileColumns(width);
  const fraction = job.size > 0 ? job.bytes / job.size : job.state === 'done' ? 1 : 0;
  const pct = `${Math.floor(fraction * 100)}%`;
  const running = job.state === 'uploading' || job.state === 'hashing' || job.state === 'verifying';
  return `${cell(job.name, c.name)} ${cell(job.source, c.source)} ${cell(job.case, c.caseId)} ${cell(shortBytes(job.size), c.size, 'right')} ${bar(fraction, c.bar)} ${cell(pct, c.pct, 'right')} ${cell(running && job.rate > 0 ? shortRate(job.rate) : '', c.rate, 'right')} ${cell(running ? eta(job.etaMs) : '', c.eta, 'right')} `;
}

async function act(
  run: () => Promise<unknown>,
  done: string,
  setNotice: (n: Notice) => void,
): Promise<void> {
  try {
    await run();
    setNotice({ text: done, error: false });
  } catch (err) {
    setNotice({ text: errorText(err), error: true });
  }
}

export function UploadsPane({ state, api, width, height, active, onCapture }: PaneProps) {
  const theme = useTheme();
  const { uploads } = state;
  const filter = useFilter();
  const allJobs = uploads.jobs ?? [];
  // Switched off folders are a setting (Settings › Sync folders), not a place files come from.
  const syncFolders = state.syncFolders.filter((folder) => folder.enabled);
  const jobs = allJobs.filter((j) =>
    filter.matches(`${j.name} ${j.source} ${j.case} ${j.state} ${j.path}`),
  );
  const views: View[] = ['files', 'devices', ...(syncFolders.length > 0 ? ['sync' as const] : [])];
  const [view, setView] = useState<View>('files');
  const [cursor, setCursor] = useState(0);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [notice, setNotice] = useState<Notice>(null);

  const index = Math.min(cursor, Math.max(0, jobs.length - 1));
  const selected = view === 'files' ? jobs[index] : undefined;

  useEffect(() => {
    onCapture((mode.kind !== 'list' && mode.kind !== 'confirm-cancel') || filter.typing);
  }, [mode.kind, filter.typing, onCapture]);

  // Keys come faster than the engine's state (batched at 10/s): `+ +` steps twice.
  const lastCap = useRef<{ value: number | null; at: number } | null>(null);
  const baseCap = () =>
    lastCap.current && Date.now() - lastCap.current.at < 2000 ? lastCap.current.value : uploads.cap;
  const setCap = (bytesPerSecond: number | null | 'schedule') => {
    lastCap.current =
      bytesPerSecond === 'schedule' ? null : { value: bytesPerSecond, at: Date.now() };
    return act(
      () => api.run('bandwidth.set', { bytesPerSecond }),
      bytesPerSecond === 'schedule'
        ? 'Cap: back to the schedule'
        : `Cap: ${formatRate(bytesPerSecond)} until you change it (0 goes back to the schedule)`,
      setNotice,
    );
  };

  useInput(
    (input, key) => {
      if (mode.kind === 'confirm-cancel') {
        if (input === 'y' || input === 'Y') {
          setMode({ kind: 'list' });
          void act(
            () => api.run('uploads.cancel', { id: mode.id }),
            `Cancelled ${mode.name}`,
            setNotice,
          );
        } else if (input === 'n' || input === 'N' || key.escape) setMode({ kind: 'list' });
        return;
      }
      if (mode.kind !== 'list') return;
      if (view === 'files' && filter.keys(input, key)) return;
      if (key.tab || key.rightArrow || key.leftArrow) {
        const step = key.leftArrow || key.shift ? -1 : 1;
        setView(views[(views.indexOf(view) + step + views.length) % views.length] ?? 'files');
        return;
      }
      if (key.upArrow || input === 'k')
        return setCursor((c) => Math.max(0, Math.min(c, jobs.length - 1) - 1));
      if (key.downArrow || input === 'j')
        return setCursor((c) => Math.max(0, Math.min(jobs.length - 1, c + 1)));
      if (key.escape) {
        filter.clear();
        return setNotice(null);
      }
      if (input === '+' || input === '=') return void setCap(nextCap(baseCap(), 1));
      if (input === '-') return void setCap(nextCap(baseCap(), -1));
      if (input === '0') return void setCap('schedule');
      if (input === 's') return setMode({ kind: 'schedule', text: uploads.schedule.join('; ') });
      if (input === 'c' || input === 'S')
        return setMode({ kind: 'concurrency', text: String(uploads.concurrency) });
      if (input === 'o') return setMode({ kind: 'browse' });
      if (input === 'P') {
        const anyActive = jobs.some(
          (j) => !['paused', 'done', 'failed', 'cancelled'].includes(j.state),
        );
        return void act(
          () => api.run(anyActive ? 'uploads.pause' : 'uploads.resume', { all: true }),
          anyActive ? 'Paused all uploads' : 'Resumed all uploads',
          setNotice,
        );
      }
      if (!selected) return;
      const { id, name } = selected;
      if (input === 'p') {
        const resume = selected.state === 'paused';
        void act(
          () => api.run(resume ? 'uploads.resume' : 'uploads.pause', { id }),
          `${resume ? 'Resumed' : 'Paused'} ${name}`,
          setNotice,
        );
      } else if (input === 'r') {
        void act(() => api.run('uploads.retry', { id }), `Retrying ${name}`, setNotice);
      } else if (input === 'x') {
        setMode({ kind: 'confirm-cancel', id, name });
      } else if (input === 'f') {
        void act(() => api.run('uploads.moveToFront', { id }), `${name} goes next`, setNotice);
      }
    },
    { isActive: active && (mode.kind === 'list' || mode.kind === 'confirm-cancel') },
  );

  const counts = uploads.counts ?? {};
  const running = (counts.hashing ?? 0) + (counts.uploading ?? 0) + (counts.verifying ?? 0);
  const tabsLine = views
    .map((v) => {
      const label =
        v === 'files'
          ? `All files (${filter.filter || filter.typing ? `${jobs.length}/` : ''}${allJobs.length})`
          : v === 'devices'
            ? `Connected devices (${(state.devices ?? []).length})`
            : `Sync folders (${syncFolders.length})`;
      return v === view ? `[${label}]` : ` ${label} `;
    })
    .join(' ');
  const rate = uploads.rate ?? 0;
  const summary =
    width >= 120
      ? `cap ${formatRate(uploads.cap)}${uploads.capSource === 'override' ? ' (manual)' : ' (schedule)'} · ↑ ${rate > 0 ? formatRate(rate) : '0 B/s'} · ${running} running, ${counts.queued ?? 0} queued, ${counts.failed ?? 0} failed · ${formatBytes(uploads.bytesLeft ?? 0)} left · ETA ${eta(uploads.etaMs ?? null)} · concurrency ${uploads.concurrency}`
      : `cap ${shortRate(uploads.cap)}${uploads.capSource === 'override' ? ' man' : ' sched'} · ↑${rate > 0 ? shortRate(rate) : '0'} · ${running} run ${counts.queued ?? 0} q ${counts.failed ?? 0} fail · ${shortBytes(uploads.bytesLeft ?? 0)} left · ETA ${eta(uploads.etaMs ?? null)} · conc ${uploads.concurrency}`;

  const dialog = renderDialog();
  // Border, title, the field, its error (kept free: the error comes and goes as you type) and
  // the keys; the schedule's problem or verdict takes two rows.
  const dialogRows = dialog ? (mode.kind === 'schedule' ? 7 : 6) : 0;
  const bodyRows = Math.max(
    1,
    height - 3 - dialogRows - (selected?.error || selected?.pauseReason ? 1 : 0),
  );

  function renderDialog() {
    switch (mode.kind) {
      case 'schedule': {
        const problem = scheduleProblem(mode.text);
        return (
          <Box flexDirection="column" borderStyle="single" paddingX={1}>
            <Text bold wrap="truncate">
              Schedule: entries split by ;, first match wins · e.g. Mon-Fri 08:00-18:00 2M
            </Text>
            <Form
              fields={[
                {
                  id: 'text',
                  label: 'Schedule',
                  hint: `✓ valid: ${entryCount(mode.text)}; no entry matching means unlimited`,
                },
              ]}
              values={{ text: mode.text }}
              labelWidth={9}
              messageRows={2}
              onChange={(_id, text) => setMode({ kind: 'schedule', text })}
              errors={{ text: problem }}
              submitLabel="save"
              isActive={active}
              onCancel={() => setMode({ kind: 'list' })}
              onSubmit={() => {
                if (problem) return;
                setMode({ kind: 'list' });
                void (async () => {
                  try {
                    const result = await api.run('schedule.set', { entries: splitList(mode.text) });
                    setNotice({ text: `Schedule saved: ${result.summary}`, error: false });
                  } catch (err) {
                    setNotice({ text: errorText(err), error: true });
                  }
                })();
              }}
            />
          </Box>
        );
      }
      case 'concurrency': {
        const n = Number(mode.text);
        const bad = !/^\d+$/.test(mode.text.trim()) || n < 1 || n > 26;
        return (
          <Box flexDirection="column" borderStyle="single" paddingX={1}>
            <Text bold>Uploads at the same time (1–26)</Text>
            <Form
              fields={[{ id: 'n', label: 'Concurrency' }]}
              values={{ n: mode.text }}
              onChange={(_id, text) => setMode({ kind: 'concurrency', text })}
              errors={{ n: bad ? 'a whole number from 1 to 26' : undefined }}
              submitLabel="save"
              isActive={active}
              onCancel={() => setMode({ kind: 'list' })}
              onSubmit={() => {
                if (bad) return;
                setMode({ kind: 'list' });
                void act(
                  () => api.run('concurrency.set', { concurrency: n }),
                  `Concurrency: ${n}`,
                  setNotice,
                );
              }}
            />
          </Box>
        );
      }
      case 'add-paths': {
        const paths = splitList(mode.text);
        return (
          <Box flexDirection="column" borderStyle="single" paddingX={1}>
            <Text bold wrap="truncate">
              Select files: paths on the engine's machine, separated by ; (folders take every file)
            </Text>
            <Form
              fields={[{ id: 'paths', label: 'Paths', placeholder: '/media/usb/interview.mp4' }]}
              values={{ paths: mode.text }}
              labelWidth={6}
              onChange={(_id, text) => setMode({ kind: 'add-paths', text })}
              errors={{
                paths: paths.length === 0 ? 'name at least one file or folder' : undefined,
              }}
              submitLabel="Next: case"
              isActive={active}
              onCancel={() => setMode({ kind: 'list' })}
              onSubmit={() => {
                if (paths.length > 0) setMode({ kind: 'add-case', paths });
              }}
            />
          </Box>
        );
      }
      default:
        return null;
    }
  }

  if (mode.kind === 'browse') {
    return (
      <FileBrowser
        api={api}
        active={active}
        width={width}
        height={height}
        onDone={(paths) => setMode({ kind: 'add-case', paths })}
        onType={() => setMode({ kind: 'add-paths', text: '' })}
        onCancel={() => setMode({ kind: 'list' })}
      />
    );
  }

  if (mode.kind === 'add-case') {
    return (
      <Box flexDirection="column" height={height}>
        <Text bold wrap="truncate">{`Select files: ${mode.paths.join('; ')}`}</Text>
        <CaseChoiceStep
          api={api}
          active={active}
          height={height - 1}
          onBack={() => setMode({ kind: 'browse' })}
          onDone={({ choice, label }) => {
            const { paths } = mode;
            setMode({ kind: 'list' });
            setView('files');
            void addFiles(api, paths, choice, label, setNotice);
          }}
        />
      </Box>
    );
  }

  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold>
        {tabsLine}
      </Text>
      <Text wrap="truncate">{summary}</Text>
      <Box flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
        {view === 'files' ? (
          <FileList jobs={jobs} index={index} width={width} rows={bodyRows} />
        ) : view === 'devices' ? (
          <DeviceList state={state} width={width} />
        ) : (
          <SyncList folders={syncFolders} jobs={allJobs} width={width} />
        )}
      </Box>
      {selected?.error || selected?.pauseReason ? (
        <Text wrap="truncate" color={selected.error ? theme.error : theme.warn}>
          {`${selected.name}: ${selected.error ?? `paused — ${selected.pauseReason}`}`}
        </Text>
      ) : null}
      {dialog}
      {mode.kind === 'confirm-cancel' ? (
        <Text bold color={theme.warn} wrap="truncate">
          {`Cancel the upload of ${mode.name}? y/n`}
        </Text>
      ) : (
        <Text wrap="truncate" color={notice?.error ? theme.error : notice ? theme.ok : theme.muted}>
          {notice?.text ??
            (filter.label ||
              (selected
                ? `${selected.path} → ${selected.destination}`
                : 'o adds files · +/- cap, 0 back to the schedule · s schedule · c concurrency'))}
        </Text>
      )}
    </Box>
  );
}

async function addFiles(
  api: EngineApi,
  paths: string[],
  caseChoice: CaseChoice,
  label: string,
  setNotice: (n: Notice) => void,
) {
  setNotice({ text: `Adding ${formatCount(paths.length, 'path')}…`, error: false });
  try {
    const added = await api.run('uploads.add', { paths, caseChoice });
    const ok = added.filter((a) => a.ok).length;
    const refused = added.filter((a) => !a.ok);
    setNotice({
      text:
        refused.length === 0
          ? `Added ${formatCount(ok, 'file')} into ${label}`
          : `Added ${ok}, refused ${refused.length}: ${refused
              .map((r) => `${r.path} — ${r.ok ? '' : r.error}`)
              .join('; ')}`,
      error: refused.length > 0,
    });
  } catch (err) {
    setNotice({ text: errorText(err), error: true });
  }
}

function FileList({
  jobs,
  index,
  width,
  rows,
}: {
  jobs: UploadRow[];
  index: number;
  width: number;
  rows: number;
}) {
  const theme = useTheme();
  if (jobs.length === 0) {
    return (
      <WrappedText color={theme.muted}>
        No uploads. Files from docked cameras and sync folders appear here; o adds files (browse, or
        type their paths).
      </WrappedText>
    );
  }
  const listRows = Math.max(1, rows - 1);
  const first = Math.max(0, Math.min(index - listRows + 1, jobs.length - listRows));
  const c = fileColumns(width);
  return (
    <>
      <Text bold wrap="truncate">
        {fileHeader(width)}
      </Text>
      {jobs.slice(first, first + listRows).map((job, i) => {
        const isSelected = first + i === index;
        return (
          <Text key={job.id} wrap="truncate" inverse={isSelected}>
            {isSelected ? '> ' : '  '}
            {fileRow(job, width)}
            <Text color={stateColor(job.state, theme)}>{cell(job.state, c.state)}</Text>
          </Text>
        );
      })}
    </>
  );
}

function DeviceList({ state, width }: { state: EngineState; width: number }) {
  const theme = useTheme();
  const devices = state.devices ?? [];
  const now = useMinuteClock();
  const nameWidth = Math.max(10, Math.min(30, width - 50));
  return (
    <>
      {state.docks.length === 0 ? (
        <Text color={theme.muted}>No docks configured (config "docks").</Text>
      ) : (
        <Text wrap="truncate" color={theme.muted}>
          {`Docks: ${state.docks.map((d) => `${d.name} (${d.root})`).join(', ')}`}
        </Text>
      )}
      {devices.length === 0 && state.docks.length > 0 ? (
        <Text color={theme.muted}>No camera docked now.</Text>
      ) : null}
      {devices.length > 0 ? (
        <Text bold wrap="truncate">
          {`  ${cell('Camera', 14)} ${cell('Dock', nameWidth)} ${cell('Docked', 7)} ${cell('Files', 6, 'right')} ${cell('Left', 10, 'right')}`}
        </Text>
      ) : null}
      {devices.map((d) => (
        <Text key={`${d.dockId}/${d.camera}`} wrap="truncate">
          {`  ${cell(d.camera, 14)} ${cell(d.dock, nameWidth)} ${cell(age(d.connectedAt, now), 7)} ${cell(String(d.files), 6, 'right')} ${cell(formatBytes(d.bytesLeft), 10, 'right')}`}
        </Text>
      ))}
    </>
  );
}

function SyncList({
  folders,
  jobs,
  width,
}: {
  folders: EngineState['syncFolders'];
  jobs: UploadRow[];
  width: number;
}) {
  const nameWidth = Math.max(12, Math.min(30, Math.floor(width / 3)));
  return (
    <>
      <Text bold wrap="truncate">
        {`  ${cell('Folder', nameWidth)} ${cell('Pending', 8, 'right')}  Path`}
      </Text>
      {folders.map((f) => {
        const pending = jobs.filter(
          (j) =>
            j.sourceKind === 'sync' &&
            (j.source === f.name || j.source === f.id) &&
            !['done', 'cancelled'].includes(j.state),
        ).length;
        return (
          <Text key={f.id} wrap="truncate">
            {`  ${cell(f.name, nameWidth)} ${cell(String(pending), 8, 'right')}  ${f.path}`}
          </Text>
        );
      })}
    </>
  );
}
