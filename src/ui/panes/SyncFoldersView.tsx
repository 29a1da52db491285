import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { EngineState, SyncFolder } from '../../protocol/engine-state.ts';
import { WrappedText } from '../components/WrappedText.tsx';
import { confirmKeys, syncFolderKeys } from '../keymap.ts';
import { cell, errorText } from '../text.ts';
import { useTheme } from '../theme.ts';
import { SyncFolderForm, type SyncFolderInput } from '../wizards/SyncFolderForm.tsx';
import type { PaneProps } from './pane.ts';

type Mode = { kind: 'list' } | { kind: 'add' } | { kind: 'delete'; folder: SyncFolder };

type Notice = { text: string; error: boolean } | null;

/** Title, header, details of the selected folder and the notice line. */
const chromeRows = 4;

function details(folder: SyncFolder): string {
  const after =
    folder.afterUpload.policy === 'move'
      ? `move to ${folder.afterUpload.doneFolder}`
      : folder.afterUpload.policy;
  return `id ${folder.id} · include ${folder.include.join('; ')} · exclude ${folder.exclude.join('; ') || 'none'} · after upload ${after} · to ${folder.destination}`;
}

/**
 * Settings › Sync folders: the whole list, switched off ones too. Each change sends the whole
 * list to the engine, which checks it as it checks the config and applies it live.
 */
export function SyncFoldersView({
  state,
  api,
  width,
  height,
  active,
  onCapture,
  onClose,
}: Pick<PaneProps, 'state' | 'api' | 'width' | 'height' | 'active' | 'onCapture'> & {
  onClose: () => void;
}) {
  const theme = useTheme();
  const folders = state.syncFolders;
  const [cursor, setCursor] = useState(0);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [notice, setNotice] = useState<Notice>(null);
  const [saving, setSaving] = useState(false);
  const index = Math.min(cursor, Math.max(0, folders.length - 1));
  const selected = folders[index];

  useEffect(() => {
    if (mode.kind === 'add') onCapture(true);
    else onCapture(true, mode.kind === 'delete' ? confirmKeys : syncFolderKeys);
  }, [mode.kind, onCapture]);

  /** Sends the list built from the engine's latest; resolves whether it was taken. */
  const save = async (
    edit: (latest: EngineState['syncFolders']) => SyncFolderInput[],
    done: string,
  ): Promise<boolean> => {
    setSaving(true);
    try {
      await api.run('settings.syncFolders', { syncFolders: edit(api.state().syncFolders) });
      setNotice({ text: done, error: false });
      return true;
    } catch (err) {
      setNotice({ text: errorText(err), error: true });
      return false;
    } finally {
      setSaving(false);
    }
  };

  useInput(
    (input, key) => {
      if (mode.kind === 'delete') {
        if (input === 'y' || input === 'Y') {
          const { id, name } = mode.folder;
          setMode({ kind: 'list' });
          void save(
            (latest) => latest.filter((f) => f.id !== id),
            `Deleted ${name}; files already queued from it still upload`,
          );
        } else if (input === 'n' || input === 'N' || key.escape) setMode({ kind: 'list' });
        return;
      }
      if (key.escape) return onClose();
      if (key.upArrow || input === 'k') return setCursor(Math.max(0, index - 1));
      if (key.downArrow || input === 'j') {
        return setCursor(Math.min(folders.length - 1, index + 1));
      }
      if (saving) return;
      if (input === 'a') return setMode({ kind: 'add' });
      if (!selected) return;
      if (input === 'd') return setMode({ kind: 'delete', folder: selected });
      if (input === ' ') {
        const { id, name, path } = selected;
        const enabled = !selected.enabled;
        void save(
          (latest) => latest.map((f) => (f.id === id ? { ...f, enabled } : f)),
          enabled ? `${name}: on, watching ${path}` : `${name}: off, not watched`,
        );
      }
    },
    { isActive: active && mode.kind !== 'add' },
  );

  const noticeLine = (
    <WrappedText color={notice?.error ? theme.error : notice ? theme.ok : theme.muted}>
      {notice?.text ?? 'Changes apply now and are kept; they win over the config file.'}
    </WrappedText>
  );

  if (mode.kind === 'add') {
    return (
      <Box flexDirection="column">
        <SyncFolderForm
          existing={folders}
          docks={state.docks}
          active={active && !saving}
          onCancel={() => setMode({ kind: 'list' })}
          onSave={(folder) => {
            void save((latest) => [...latest, folder], `Added ${folder.name}`).then((taken) => {
              if (!taken) return;
              setCursor(folders.length);
              setMode({ kind: 'list' });
            });
          }}
        />
        {noticeLine}
      </Box>
    );
  }

  const on = folders.filter((f) => f.enabled).length;
  const nameWidth = Math.max(12, Math.min(30, Math.floor(width / 3)));
  const rows = Math.max(1, height - chromeRows);
  const first = Math.max(0, Math.min(index - rows + 1, folders.length - rows));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">{`Sync folders: ${folders.length}, ${on} on`}</Text>
      {folders.length === 0 ? (
        <WrappedText color={theme.muted}>
          No sync folders. a adds one: a watched folder whose new files upload by themselves.
        </WrappedText>
      ) : (
        <>
          <Text bold wrap="truncate">
            {`  ${cell('On', 4)}${cell('Name', nameWidth)} ${cell('After', 7)}Path`}
          </Text>
          {folders.slice(first, first + rows).map((f, i) => {
            const isSelected = first + i === index;
            return (
              <Text key={f.id} wrap="truncate" inverse={isSelected && mode.kind === 'list'}>
                {`${isSelected ? '> ' : '  '}${cell(f.enabled ? 'on' : 'off', 4)}${cell(f.name, nameWidth)} ${cell(f.afterUpload.policy, 7)}${f.path}`}
              </Text>
            );
          })}
        </>
      )}
      {selected ? (
        <Text wrap="truncate" color={theme.muted}>
          {details(selected)}
        </Text>
      ) : null}
      {mode.kind === 'delete' ? (
        <Text bold color={theme.warn} wrap="truncate">
          {`Delete sync folder ${mode.folder.name}? Queued files still upload. y/n`}
        </Text>
      ) : (
        noticeLine
      )}
    </Box>
  );
}
