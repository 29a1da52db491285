import { Box, Text } from 'ink';
import { useState } from 'react';
import { slugOf, syncFolderListSchema } from '../../config/schema.ts';
import { splitList } from '../../core/format.ts';
import type { CommandInput } from '../../protocol/control.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import { Form, type FormField } from '../components/Form.tsx';

export type SyncFolderInput = CommandInput<'settings.syncFolders'>['syncFolders'][number];

type Values = {
  name: string;
  id: string;
  path: string;
  include: string;
  exclude: string;
  afterUpload: 'keep' | 'move' | 'delete';
  doneFolder: string;
};

const policies: FormField['options'] = [
  { value: 'keep', label: 'keep the file' },
  { value: 'move', label: 'move it to doneFolder' },
  { value: 'delete', label: 'delete it' },
];

/** The folder as the config writes it; empty globs leave the config's defaults. */
function folderOf(values: Values): SyncFolderInput {
  const include = splitList(values.include);
  const exclude = splitList(values.exclude);
  return {
    id: values.id.trim(),
    name: values.name,
    path: values.path.trim(),
    ...(include.length > 0 ? { include } : {}),
    ...(exclude.length > 0 ? { exclude } : {}),
    afterUpload:
      values.afterUpload === 'move'
        ? { policy: 'move', doneFolder: values.doneFolder.trim() }
        : { policy: values.afterUpload },
  };
}

/**
 * What the config's own checks say about the new folder, by form field: its fields, and the
 * cross-checks that need nothing beyond the engine state (ids, folders shared with a dock or
 * another sync folder). The engine checks the rest when it is saved: destinations, the disk.
 */
function problems(
  folder: SyncFolderInput,
  existing: EngineState['syncFolders'],
  docks: EngineState['docks'],
): Record<string, string> {
  const checked = syncFolderListSchema({ destinations: [], docks }).safeParse({
    syncFolders: [...existing, folder],
  });
  const errors: Record<string, string> = {};
  for (const issue of checked.success ? [] : checked.error.issues) {
    const [list, index, key, inner] = issue.path;
    if (list !== 'syncFolders' || index !== existing.length) continue;
    const field = key === 'afterUpload' && inner === 'doneFolder' ? inner : String(key);
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * `a` in Settings › Sync folders: a new folder, with the config's field names, checked as it is
 * typed. The id follows the name until it is typed in itself.
 */
export function SyncFolderForm({
  existing,
  docks,
  active,
  onSave,
  onCancel,
}: {
  existing: EngineState['syncFolders'];
  docks: EngineState['docks'];
  active: boolean;
  onSave: (folder: SyncFolderInput) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Values>({
    name: '',
    id: '',
    path: '',
    include: '',
    exclude: '',
    afterUpload: 'keep',
    doneFolder: '',
  });
  const [idTyped, setIdTyped] = useState(false);
  const folder = folderOf(values);
  const errors = problems(folder, existing, docks);
  const fields: FormField[] = [
    { id: 'name', label: 'name', placeholder: 'Interview room exports' },
    { id: 'id', label: 'id', placeholder: 'from the name' },
    { id: 'path', label: 'path', placeholder: '/srv/exports/interviews' },
    { id: 'include', label: 'include', placeholder: '**/* (every file)' },
    { id: 'exclude', label: 'exclude', placeholder: 'none' },
    { id: 'afterUpload', label: 'afterUpload', options: policies },
    ...(values.afterUpload === 'move'
      ? [{ id: 'doneFolder', label: 'doneFolder', placeholder: '/srv/exports/uploaded' }]
      : []),
  ];

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        Add a sync folder (globs separated by ;, paths relative to the config file)
      </Text>
      <Form
        fields={fields}
        values={values}
        labelWidth={12}
        errors={errors}
        submitLabel="save"
        isActive={active}
        onChange={(id, value) => {
          if (id === 'id') setIdTyped(true);
          setValues((v) => ({
            ...v,
            [id]: value,
            ...(id === 'name' && !idTyped ? { id: slugOf(value) } : {}),
          }));
        }}
        onCancel={onCancel}
        onSubmit={() => {
          if (Object.keys(errors).length === 0) onSave(folder);
        }}
      />
    </Box>
  );
}
