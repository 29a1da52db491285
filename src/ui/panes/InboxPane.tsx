import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import { exportSize, exportTotal } from '../../core/export-progress.ts';
import { formatCount } from '../../core/format.ts';
import { isUndecided } from '../../core/request-state.ts';
import type { EngineState, RequestCameraView, RequestView } from '../../protocol/engine-state.ts';
import { Form } from '../components/Form.tsx';
import { useFilter } from '../components/use-filter.ts';
import { useMinuteClock } from '../components/use-minute-clock.ts';
import { WrappedText } from '../components/WrappedText.tsx';
import { age, bar, cell, clip, errorText, exactRange, localTime, range, span } from '../text.ts';
import { type Theme, useTheme } from '../theme.ts';
import type { PaneProps } from './pane.ts';

type Mode =
  | { kind: 'list' }
  | { kind: 'confirm-approve'; id: string }
  | { kind: 'deny'; id: string; reason: string };

type Notice = { text: string; error: boolean } | null;

/** Why this operator may not decide requests, or null when they may. */
export function decideRefusal(state: EngineState): string | null {
  const { operator } = state;
  if (operator.privileges.includes('requests')) return null;
  return `deciding requests needs the requests privilege; ${operator.name} (${operator.role}) has ${
    operator.privileges.length > 0 ? operator.privileges.join(', ') : 'none'
  } — ask an admin to grant it in the config (users[].privileges)`;
}

function expiry(request: RequestView, now: number): string {
  if (!isUndecided(request.state)) return '—';
  const left = Date.parse(request.expiresAt) - now;
  return left <= 0 ? 'due' : `in ${span(left)}`;
}

/** Column widths for the request table; the requester takes what is left. */
function columns(width: number) {
  const fixed = { state: 10, caseId: 10, cams: 4, range: 17, age: 4, expires: 7 };
  const used = 2 + Object.values(fixed).reduce((a, b) => a + b + 1, 0);
  return { ...fixed, requester: Math.max(8, Math.min(30, width - used - 1)) };
}

export function InboxPane({ state, api, width, height, active, onCapture }: PaneProps) {
  const theme = useTheme();
  const filter = useFilter();
  const all = state.requests ?? [];
  const requests = all.filter((r) =>
    filter.matches(
      `${r.id} ${r.state} ${r.requester} ${r.caseId} ${r.reason} ${r.cameras.map((c) => `${c.id} ${c.name}`).join(' ')}`,
    ),
  );
  // The selection follows the request, not the row: the list reorders as requests are decided.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [details, setDetails] = useState(false);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const now = useMinuteClock();

  const found = selectedId === null ? -1 : requests.findIndex((r) => r.id === selectedId);
  const index = Math.max(0, found);
  const selected = requests[index];
  const setCursor = (i: number) => setSelectedId(requests[i]?.id ?? null);

  useEffect(() => {
    onCapture(mode.kind === 'deny' || filter.typing);
  }, [mode.kind, filter.typing, onCapture]);

  const decide = async (kind: 'approve' | 'deny', id: string, reason?: string) => {
    setBusy(true);
    setNotice({ text: `${kind === 'approve' ? 'Approving' : 'Denying'} ${id}…`, error: false });
    try {
      const result =
        kind === 'approve'
          ? await api.run('requests.approve', { id })
          : await api.run('requests.deny', { id, reason: reason ?? '' });
      setNotice({ text: `${id}: ${result.state}`, error: false });
    } catch (err) {
      setNotice({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };

  const canDecide = (request: RequestView | undefined): request is RequestView => {
    if (!request) return false;
    const refusal = decideRefusal(state);
    if (refusal) {
      setNotice({ text: refusal, error: true });
      return false;
    }
    if (!isUndecided(request.state)) {
      setNotice({ text: `${request.id} is already ${request.state}`, error: true });
      return false;
    }
    return true;
  };

  useInput(
    (input, key) => {
      if (mode.kind === 'deny') return; // the form has the keys
      if (mode.kind === 'confirm-approve') {
        if (input === 'y' || input === 'Y') {
          setMode({ kind: 'list' });
          void decide('approve', mode.id);
        } else if (input === 'n' || input === 'N' || key.escape) {
          setMode({ kind: 'list' });
          setNotice(null);
        }
        return;
      }
      if (filter.keys(input, key)) return;
      if (key.upArrow || input === 'k') setCursor(Math.max(0, index - 1));
      else if (key.downArrow || input === 'j') setCursor(Math.min(requests.length - 1, index + 1));
      else if (key.return && selected) setDetails(!details);
      else if (key.escape) {
        setDetails(false);
        setNotice(null);
        filter.clear();
      } else if (input === 'a' && !busy && canDecide(selected)) {
        setMode({ kind: 'confirm-approve', id: selected.id });
      } else if (input === 'd' && !busy && canDecide(selected)) {
        setNotice(null);
        setMode({ kind: 'deny', id: selected.id, reason: '' });
      }
    },
    { isActive: active },
  );

  if (all.length === 0) {
    return (
      <Box flexDirection="column">
        <Text bold>Video requests</Text>
        <WrappedText>
          No requests. Service: {state.connection.state}
          {state.connection.reason ? ` — ${state.connection.reason}` : ''}.
        </WrappedText>
        <WrappedText color={theme.muted}>
          Requests from investigators appear here the moment they arrive; their footage is exported
          into the encrypted buffer at once, then waits for approve (a) or deny (d).
        </WrappedText>
        {state.embeddedService ? (
          <WrappedText color={theme.muted}>
            Trying the demo? `npm run demo:request` (or `custody request demo`) in another terminal
            asks for the last 20 seconds of every camera, as an investigator would.
          </WrappedText>
        ) : null}
      </Box>
    );
  }

  const c = columns(width);
  const header = `  ${cell('State', c.state)} ${cell('Requester', c.requester)} ${cell('Case', c.caseId)} ${cell('Cams', c.cams)} ${cell('Range', c.range)} ${cell('Age', c.age)} ${cell('Expires', c.expires)}`;
  // The deny box: border, title, the reason, its error (kept free: it comes and goes), the keys.
  const footerRows = 2 + (mode.kind === 'deny' ? 5 : 0);
  // The details box is bordered with one column of padding each side.
  const detail = details && selected ? detailLines(selected, width - 4, theme, now) : [];
  const detailRows = detail.length > 0 ? Math.min(detail.length + 2, height - 5) : 0;
  const listRows = Math.max(1, height - 1 - footerRows - detailRows);
  const first = Math.max(0, Math.min(index - listRows + 1, requests.length - listRows));
  const visible = requests.slice(first, first + listRows);
  const undecided = requests.filter((r) => isUndecided(r.state)).length;

  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">
        {header}
      </Text>
      {visible.map((r) => {
        const isSelected = r.id === selected?.id;
        const color =
          r.state === 'failed'
            ? theme.error
            : isUndecided(r.state)
              ? theme.warn
              : r.state === 'delivered'
                ? theme.ok
                : undefined;
        return (
          <Text key={r.id} wrap="truncate" inverse={isSelected}>
            {isSelected ? '> ' : '  '}
            <Text color={color}>{cell(r.state, c.state)}</Text>{' '}
            {`${cell(r.requester, c.requester)} ${cell(r.caseId, c.caseId)} ${cell(String(r.cameras.length), c.cams)} ${cell(range(r.from, r.to), c.range)} ${cell(age(r.receivedAt, now), c.age)} ${cell(expiry(r, now), c.expires)}`}
          </Text>
        );
      })}
      {requests.length === 0 ? (
        <Text color={theme.muted}>No request matches the filter; Esc clears it.</Text>
      ) : null}
      {detailRows > 0 ? <RequestDetails lines={detail} rows={detailRows} /> : null}
      <Box flexGrow={1} />
      {mode.kind === 'deny' ? (
        <Box flexDirection="column" borderStyle="single" paddingX={1}>
          <Text
            bold
            wrap="truncate"
          >{`Deny ${mode.id}: the footage is destroyed and never sent`}</Text>
          <Form
            fields={[{ id: 'reason', label: 'Reason', placeholder: 'why it is denied' }]}
            values={{ reason: mode.reason }}
            onChange={(_id, reason) => setMode((m) => (m.kind === 'deny' ? { ...m, reason } : m))}
            errors={{ reason: mode.reason.trim() === '' ? 'say why it is denied' : undefined }}
            submitLabel="deny"
            labelWidth={8}
            isActive={active}
            onCancel={() => setMode({ kind: 'list' })}
            onSubmit={() => {
              if (mode.reason.trim() === '') return;
              setMode({ kind: 'list' });
              void decide('deny', mode.id, mode.reason.trim());
            }}
          />
        </Box>
      ) : null}
      {mode.kind === 'confirm-approve' ? (
        <Text bold color={theme.warn} wrap="truncate">
          {`Approve ${mode.id}? y/n — the footage goes to case ${selected?.caseId ?? '?'}`}
        </Text>
      ) : notice ? (
        <Text color={notice.error ? theme.error : theme.ok} wrap="truncate">
          {notice.text}
        </Text>
      ) : (
        <Text color={theme.muted} wrap="truncate">
          {`${formatCount(requests.length, 'request')}, ${undecided} waiting for a decision${filter.label ? ` · ${filter.label}` : ''}`}
        </Text>
      )}
    </Box>
  );
}

type Line = { text: string; color?: string | undefined };

/** Columns of a camera line in the details box; the name gets two thirds of what is left. */
function cameraColumns(width: number) {
  // `123.4 MiB of ~456.7 MiB` is the widest size
  const fixed = { state: 10, pct: 4, bytes: 23 };
  // the indent and the separators between five columns
  const rest = width - 2 - 4 - fixed.state - fixed.pct - fixed.bytes;
  const barWidth = Math.max(5, Math.min(30, Math.floor(rest / 3)));
  // Wide terminals leave the room at the right end, not between a camera and its state.
  return { ...fixed, bar: barWidth, name: Math.max(8, Math.min(40, rest - barWidth)) };
}

function progressCells(progress: number | null, c: ReturnType<typeof cameraColumns>): string {
  if (progress === null) return cell('—', c.bar + 1 + c.pct);
  return `${bar(progress, c.bar)} ${cell(`${Math.floor(progress * 100)}%`, c.pct, 'right')}`;
}

/** Two lines a camera: its export (state, bar, bytes), then its gaps, hash and error. */
function cameraLines(cam: RequestCameraView, width: number, theme: Theme): Line[] {
  const c = cameraColumns(width);
  const color = cam.state === 'failed' ? theme.error : undefined;
  const gaps =
    cam.gaps.length === 0
      ? 'no gaps'
      : `${formatCount(cam.gaps.length, 'gap')}: ${cam.gaps
          .map((g) => exactRange(g.from, g.to))
          .join(', ')}`;
  const facts = [gaps, cam.sha256 ? `sha256 ${cam.sha256.slice(0, 12)}…` : null, cam.error];
  return [
    {
      text: `  ${cell(cam.name || cam.id, c.name)} ${cell(cam.state, c.state)} ${progressCells(cam.progress, c)} ${clip(exportSize(cam.bytes, cam.expectedBytes), c.bytes)}`,
      color,
    },
    { text: `    ${facts.filter((f) => f !== null).join(' · ')}`, color },
  ];
}

/** What Enter shows of a request: its facts, each camera's export, then the decision. */
function detailLines(request: RequestView, width: number, theme: Theme, now: number): Line[] {
  const lines: Line[] = [
    {
      text: `${request.id} · ${request.state} · case ${request.caseId}`,
    },
    {
      text: `From ${request.requester} (${request.requesterId}) · received ${age(request.receivedAt, now)} ago`,
    },
    {
      // The expiry matters only while the request waits for a decision.
      text: `Range ${exactRange(request.from, request.to)}${
        isUndecided(request.state)
          ? ` · expires ${localTime(request.expiresAt)} (${expiry(request, now)})`
          : ''
      }`,
    },
    { text: `Reason: ${request.reason || '—'}` },
  ];
  for (const cam of request.cameras) lines.push(...cameraLines(cam, width, theme));
  const total = exportTotal(request.cameras);
  if (total) {
    const c = cameraColumns(width);
    lines.push({
      text: `  ${cell('All cameras', c.name)} ${cell(`${total.done}/${total.cameras} held`, c.state)} ${progressCells(total.fraction, c)} ${clip(exportSize(total.bytes, total.expectedBytes), c.bytes)}`,
    });
  }
  if (request.decision) {
    const d = request.decision;
    lines.push({
      text: `${d.decision === 'approve' ? 'Approved' : 'Denied'} by ${d.by} at ${localTime(d.at)}${d.reason ? `: ${d.reason}` : ''}`,
    });
  }
  if (request.failureReason)
    lines.push({ text: `Failed: ${request.failureReason}`, color: theme.error });
  return lines;
}

function RequestDetails({ lines, rows }: { lines: Line[]; rows: number }) {
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} height={rows}>
      {lines.slice(0, Math.max(0, rows - 2)).map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of one details view
        <Text key={i} wrap="truncate" color={line.color}>
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
