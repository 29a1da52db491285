import path from 'node:path';
import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { EngineApi } from '../../engine/api.ts';
import type { CommandOutput } from '../../protocol/control.ts';
import { cell, errorText, shortBytes } from '../text.ts';
import { useTheme } from '../theme.ts';

type Listing = CommandOutput<'files.list'>;

/**
 * Step one of Select files: folders of the engine's machine (listed by the engine, which may
 * run elsewhere), Space marks files or folders, Enter opens a folder or takes the marks.
 */
export function FileBrowser({
  api,
  active,
  width,
  height,
  onDone,
  onType,
  onCancel,
}: {
  api: EngineApi;
  active: boolean;
  width: number;
  height: number;
  onDone: (paths: string[]) => void;
  /** The operator would rather type the paths. */
  onType: () => void;
  onCancel: () => void;
}) {
  const theme = useTheme();
  const [dir, setDir] = useState<string | undefined>(undefined);
  const [listing, setListing] = useState<Listing | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [cursor, setCursor] = useState(0);
  const [marked, setMarked] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    let live = true;
    api.run('files.list', dir === undefined ? {} : { dir }).then(
      (result) => {
        if (!live) return;
        setListing(result);
        setProblem(null);
        setCursor(0);
      },
      (err: unknown) => live && setProblem(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [api, dir]);

  // The parent folder is the first row, as `..`.
  const rows = listing
    ? [
        ...(listing.parent === null
          ? []
          : [{ name: '..', kind: 'dir' as const, size: 0, full: listing.parent }]),
        ...listing.entries.map((entry) => ({ ...entry, full: path.join(listing.dir, entry.name) })),
      ]
    : [];
  const current = rows[Math.min(cursor, rows.length - 1)];
  // Title, folder, hint line and the border take six rows.
  const listHeight = Math.max(3, height - 6);

  useInput(
    (input, key) => {
      if (key.escape) return onCancel();
      if (key.upArrow || input === 'k') return setCursor((c) => Math.max(0, c - 1));
      if (key.downArrow || input === 'j') return setCursor((c) => Math.min(rows.length - 1, c + 1));
      if (key.pageDown) return setCursor((c) => Math.min(rows.length - 1, c + listHeight));
      if (key.pageUp) return setCursor((c) => Math.max(0, c - listHeight));
      if (key.backspace || key.delete || key.leftArrow) {
        if (listing?.parent) setDir(listing.parent);
        return;
      }
      if (input === 't') return onType();
      if (!current) return;
      if (input === ' ' && current.name !== '..') {
        const next = new Set(marked);
        if (next.has(current.full)) next.delete(current.full);
        else next.add(current.full);
        setMarked(next);
        return setCursor((c) => Math.min(rows.length - 1, c + 1));
      }
      if (key.return || key.rightArrow) {
        if (current.kind === 'dir' && (key.rightArrow || marked.size === 0)) {
          return setDir(current.full);
        }
        if (!key.return) return;
        onDone(marked.size > 0 ? [...marked] : [current.full]);
      }
    },
    { isActive: active },
  );

  const first = Math.max(
    0,
    Math.min(cursor - Math.floor(listHeight / 2), rows.length - listHeight),
  );
  const visible = rows.slice(first, first + listHeight);
  const inner = Math.max(20, width - 4);
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} height={height}>
      <Text bold wrap="truncate">
        Select files on the engine's machine
      </Text>
      <Text wrap="truncate" color={theme.muted}>
        {listing ? cell(listing.dir, inner) : 'Listing…'}
      </Text>
      {problem ? <Text color={theme.error}>{problem}</Text> : null}
      <Box flexDirection="column" height={listHeight}>
        {visible.map((row, index) => {
          const at = first + index === cursor;
          const mark = marked.has(row.full) ? '[x]' : row.name === '..' ? '   ' : '[ ]';
          const name = row.kind === 'dir' ? `${row.name}/` : row.name;
          const size = row.kind === 'dir' ? '' : shortBytes(row.size);
          return (
            <Text key={row.full} inverse={at} wrap="truncate">
              {`${at ? '>' : ' '} ${mark} ${cell(name, inner - 16)} ${cell(size, 8, 'right')}`}
            </Text>
          );
        })}
        {rows.length === 0 && listing ? <Text color={theme.muted}>(empty folder)</Text> : null}
      </Box>
      <Text wrap="truncate" color={theme.muted}>
        {`${marked.size} marked${listing?.truncated ? ' · first 2000 shown' : ''} · Space mark · Enter open/take · ← up · t type paths · Esc back`}
      </Text>
    </Box>
  );
}
