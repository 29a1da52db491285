import path from 'node:path';
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { formatBytes } from '../../core/format.ts';
import type { EngineApi } from '../../engine/api.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import { Form } from '../components/Form.tsx';
import { WrappedText } from '../components/WrappedText.tsx';
import { errorText, exactRange, localTime } from '../text.ts';
import { useTheme } from '../theme.ts';

type Camera = EngineState['cameras'][number];

const p2 = (n: number) => String(n).padStart(2, '0');

function localSeconds(d: Date): string {
  return `${localTime(d.toISOString())}:${p2(d.getSeconds())}`;
}

/**
 * A local time as the operator types it: `14:03`, `14:03:20`, or with the date,
 * `2026-11-25 14:03:20`. Returns the instant or a message naming the form.
 */
export function parseLocalTime(text: string, today: Date): Date | string {
  const m = /^(?:(\d{4})-(\d{2})-(\d{2})[ T])?(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return 'write HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS]';
  const d = new Date(today);
  if (m[1]) d.setFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setHours(Number(m[4]), Number(m[5]), Number(m[6] ?? 0), 0);
  if (Number.isNaN(d.getTime()) || Number(m[4]) > 23 || Number(m[5]) > 59) {
    return 'not a time: write HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS]';
  }
  return d;
}

/**
 * `c` on a camera tile: export a clip of the archive to a file (from, to, out). The file is
 * offered in the engine's data folder by its full path: the engine may run elsewhere (attach),
 * where a relative name would land in whatever folder it was started from.
 */
export function ClipForm({
  api,
  camera,
  clipsDir,
  active,
  onClose,
}: {
  api: EngineApi;
  camera: Camera;
  clipsDir: string;
  active: boolean;
  onClose: () => void;
}) {
  const theme = useTheme();
  const [values, setValues] = useState(() => {
    const now = new Date();
    const stamp = `${now.getFullYear()}${p2(now.getMonth() + 1)}${p2(now.getDate())}-${p2(now.getHours())}${p2(now.getMinutes())}${p2(now.getSeconds())}`;
    return {
      from: localSeconds(new Date(now.getTime() - 60_000)),
      to: localSeconds(new Date(now.getTime() - 5_000)),
      out: path.join(clipsDir, `${camera.id}-${stamp}.mp4`),
    };
  });
  const [status, setStatus] = useState<
    { kind: 'form' } | { kind: 'running' } | { kind: 'done' | 'error'; text: string }
  >({ kind: 'form' });

  const today = new Date();
  const from = parseLocalTime(values.from, today);
  const to = parseLocalTime(values.to, today);
  const errors = {
    from: typeof from === 'string' ? from : undefined,
    to:
      typeof to === 'string'
        ? to
        : typeof from !== 'string' && to <= from
          ? 'the end must come after the start'
          : undefined,
    out: values.out.trim() === '' ? 'name the file to write' : undefined,
  };

  const submit = async () => {
    if (typeof from === 'string' || typeof to === 'string' || errors.to || errors.out) return;
    setStatus({ kind: 'running' });
    try {
      const result = await api.run('clip.export', {
        cameraId: camera.id,
        from: from.toISOString(),
        to: to.toISOString(),
        out: values.out.trim(),
      });
      const gaps =
        result.gaps.length === 0
          ? 'no gaps'
          : `gaps: ${result.gaps.map((g) => exactRange(g.from, g.to)).join(', ')}`;
      setStatus({
        kind: 'done',
        text: `Wrote ${result.path} (${formatBytes(result.bytes)}, sha256 ${result.sha256.slice(0, 16)}…), ${gaps}.`,
      });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    }
  };

  useInput(
    (_input, key) => {
      if (status.kind === 'done' && (key.return || key.escape)) onClose();
      if (status.kind === 'error') {
        if (key.escape) onClose();
        else if (key.return) setStatus({ kind: 'form' });
      }
    },
    { isActive: active && (status.kind === 'done' || status.kind === 'error') },
  );

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">{`Clip from ${camera.name} (${camera.id})`}</Text>
      {status.kind === 'form' ? (
        <Form
          fields={[
            { id: 'from', label: 'From' },
            { id: 'to', label: 'To' },
            { id: 'out', label: 'Write to' },
          ]}
          values={values}
          onChange={(id, value) => setValues((v) => ({ ...v, [id]: value }))}
          errors={errors}
          submitLabel="export"
          isActive={active}
          onCancel={onClose}
          onSubmit={() => void submit()}
        />
      ) : null}
      {status.kind === 'running' ? <Text>Exporting the clip…</Text> : null}
      {status.kind === 'done' ? (
        <>
          <WrappedText color={theme.ok}>{status.text}</WrappedText>
          <Text color={theme.muted}>Enter or Esc closes</Text>
        </>
      ) : null}
      {status.kind === 'error' ? (
        <>
          <WrappedText color={theme.error}>{`Refused: ${status.text}`}</WrappedText>
          <Text color={theme.muted}>Enter edit · Esc closes</Text>
        </>
      ) : null}
    </Box>
  );
}
