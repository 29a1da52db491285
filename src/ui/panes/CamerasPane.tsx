import path from 'node:path';
import { Box, Text, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { EngineApi } from '../../engine/api.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import { WrappedText } from '../components/WrappedText.tsx';
import { cell, errorText } from '../text.ts';
import { useTheme } from '../theme.ts';
import { fitThumbnail, thumbnailLines, tileGrid } from '../thumbnail.ts';
import { ClipForm } from '../wizards/ClipForm.tsx';
import { SnapshotWizard } from '../wizards/SnapshotWizard.tsx';
import type { PaneProps } from './pane.ts';

type Camera = EngineState['cameras'][number];

const stateLabel: Record<Camera['state'], string> = {
  recording: '● recording',
  'online-not-recording': '◐ no frames',
  offline: '○ offline',
};

type Frame = { width: number; height: number; rgb: Uint8Array; fetchedAt: string };
type Picture = { frame?: Frame; error?: string };

/** Polls thumbnails.get for the cameras on screen, at most once a second each, one call at a time. */
function useThumbnails(api: EngineApi, cameraIds: string[], enabled: boolean, intervalMs = 1000) {
  const [pictures, setPictures] = useState<Record<string, Picture>>({});
  const inFlight = useRef(new Set<string>());
  const key = cameraIds.join(',');
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const ids = key === '' ? [] : key.split(',');
    const poll = () => {
      for (const id of ids) {
        if (inFlight.current.has(id)) continue;
        inFlight.current.add(id);
        api
          .run('thumbnails.get', { cameraId: id })
          .then(
            (thumb) => {
              if (!live) return;
              setPictures((prev) => {
                if (!thumb) return prev[id]?.frame || !prev[id] ? prev : { ...prev, [id]: {} };
                if (prev[id]?.frame?.fetchedAt === thumb.fetchedAt) return prev;
                const rgb = new Uint8Array(Buffer.from(thumb.rgb, 'base64'));
                return {
                  ...prev,
                  [id]: {
                    frame: {
                      width: thumb.width,
                      height: thumb.height,
                      rgb,
                      fetchedAt: thumb.fetchedAt,
                    },
                  },
                };
              });
            },
            (err: unknown) => {
              if (!live) return;
              const error = errorText(err);
              setPictures((prev) =>
                prev[id]?.error === error ? prev : { ...prev, [id]: { ...prev[id], error } },
              );
            },
          )
          .finally(() => inFlight.current.delete(id));
      }
    };
    poll();
    const timer = setInterval(poll, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, key, enabled, intervalMs]);
  return pictures;
}

function Tile({
  camera,
  picture,
  selected,
  width,
  height,
}: {
  camera: Camera;
  picture: Picture | undefined;
  selected: boolean;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  const inner = width - 2;
  const picRows = Math.max(0, height - 3);
  const frame = picture?.frame;
  const size = frame
    ? fitThumbnail(frame.width, frame.height, inner, picRows)
    : { columns: 0, rows: 0 };
  const lines = frame
    ? thumbnailLines(frame.rgb, frame.width, frame.height, size.columns, size.rows, theme.color)
    : [];
  const placeholder =
    camera.state !== 'recording'
      ? (camera.reason ?? 'no picture')
      : picture?.error
        ? `no picture: ${picture.error}`
        : 'waiting for a picture…';
  return (
    <Box flexDirection="column" width={width} height={height} paddingRight={1}>
      <Text wrap="truncate" bold inverse={selected}>
        {cell(`${selected ? '▶ ' : '  '}${camera.name}`, inner + 1)}
      </Text>
      <Box flexDirection="column" height={picRows} paddingLeft={1}>
        {lines.length > 0 ? (
          lines.map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of one picture
            <Text key={i} wrap="truncate">
              {line}
            </Text>
          ))
        ) : picRows > 0 ? (
          <WrappedText color={theme.muted}>{placeholder}</WrappedText>
        ) : null}
      </Box>
      <Text wrap="truncate">
        {'  '}
        <Text color={camera.state === 'recording' ? theme.ok : theme.warn}>
          {stateLabel[camera.state]}
        </Text>
        {` · ${camera.id}`}
      </Text>
    </Box>
  );
}

/** Live tiles; Enter opens the snapshot wizard, c the clip form. */
export function CamerasPane({ state, api, width, height, active, onCapture }: PaneProps) {
  const theme = useTheme();
  const { cameras } = state;
  const [cursor, setCursor] = useState(0);
  const [open, setOpen] = useState<{ kind: 'snapshot' | 'clip'; cameraId: string } | null>(null);
  const index = Math.min(cursor, Math.max(0, cameras.length - 1));
  const gridHeight = Math.max(1, height - 1);
  const grid = tileGrid(cameras.length, width, gridHeight);
  const selectedRow = Math.floor(index / grid.cols);
  const firstRow = Math.max(0, selectedRow - grid.visibleRows + 1);
  const visible = cameras.slice(firstRow * grid.cols, (firstRow + grid.visibleRows) * grid.cols);
  const pictures = useThumbnails(
    api,
    visible.filter((c) => c.state !== 'offline').map((c) => c.id),
    open === null && state.ffmpeg.ok,
  );

  useEffect(() => {
    onCapture(open !== null);
  }, [open, onCapture]);

  useInput(
    (input, key) => {
      const last = cameras.length - 1;
      if (key.leftArrow || input === 'h') setCursor((c) => Math.max(0, Math.min(c, last) - 1));
      else if (key.rightArrow || input === 'l') setCursor((c) => Math.min(last, c + 1));
      else if (key.upArrow || input === 'k')
        setCursor((c) => Math.max(0, Math.min(c, last) - grid.cols));
      else if (key.downArrow || input === 'j') setCursor((c) => Math.min(last, c + grid.cols));
      else if (key.return && cameras[index])
        setOpen({ kind: 'snapshot', cameraId: cameras[index].id });
      else if (input === 'c' && cameras[index])
        setOpen({ kind: 'clip', cameraId: cameras[index].id });
    },
    { isActive: active && open === null },
  );

  if (cameras.length === 0) {
    return (
      <Text>No cameras in the config. Add them under "cameras" (see README, Configuration).</Text>
    );
  }

  const openCamera = open ? cameras.find((c) => c.id === open.cameraId) : undefined;
  if (open && openCamera) {
    const close = () => setOpen(null);
    return open.kind === 'snapshot' ? (
      <SnapshotWizard
        state={state}
        api={api}
        camera={openCamera}
        active={active}
        height={height}
        onClose={close}
      />
    ) : (
      <ClipForm
        api={api}
        camera={openCamera}
        clipsDir={path.join(state.dataDir, 'clips')}
        active={active}
        onClose={close}
      />
    );
  }

  const rows: Camera[][] = [];
  for (let i = 0; i < visible.length; i += grid.cols) rows.push(visible.slice(i, i + grid.cols));
  const selected = cameras[index];
  const recording = cameras.filter((c) => c.state === 'recording').length;
  return (
    <Box flexDirection="column" height={height}>
      {rows.map((row) => (
        <Box key={row.map((c) => c.id).join(',')} height={grid.tileHeight}>
          {row.map((camera) => (
            <Tile
              key={camera.id}
              camera={camera}
              picture={pictures[camera.id]}
              selected={camera.id === selected?.id}
              width={grid.tileWidth}
              height={grid.tileHeight}
            />
          ))}
        </Box>
      ))}
      <Box flexGrow={1} />
      <Text wrap="truncate" color={theme.muted}>
        {state.ffmpeg.ok
          ? `${recording}/${cameras.length} recording · camera ${index + 1} of ${cameras.length}${
              selected?.location ? ` · ${selected.location}` : ''
            }`
          : `ffmpeg is missing — ${state.ffmpeg.fix}`}
      </Text>
    </Box>
  );
}
