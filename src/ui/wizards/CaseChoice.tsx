import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { splitList } from '../../core/format.ts';
import type { EngineApi } from '../../engine/api.ts';
import type { CaseChoice as Choice, CommandOutput } from '../../protocol/control.ts';
import { Form } from '../components/Form.tsx';
import { cell, errorText } from '../text.ts';
import { useTheme } from '../theme.ts';

type CaseList = CommandOutput<'cases.list'>;

const menu = [
  { id: 'existing', label: 'Select existing case' },
  { id: 'new', label: 'Create new case' },
  { id: 'skip', label: 'Skip (no case)' },
] as const;

/** `key=value; key=value` into case info fields; the message names the bad piece. */
export function parseInfo(text: string):
  | { ok: true; info: Record<string, string> }
  | {
      ok: false;
      message: string;
    } {
  const info: Record<string, string> = {};
  for (const piece of splitList(text)) {
    const eq = piece.indexOf('=');
    const key = eq < 0 ? '' : piece.slice(0, eq).trim();
    if (key === '') return { ok: false, message: `write key=value, found "${piece}"` };
    info[key] = piece.slice(eq + 1).trim();
  }
  return { ok: true, info };
}

export type ChosenCase = { choice: Choice; label: string };

/**
 * Step two of the snapshot wizard and of Select files: an existing case (searchable), a new
 * case (department prefilled with the default), or none.
 */
export function CaseChoiceStep({
  api,
  active,
  height,
  onDone,
  onBack,
}: {
  api: EngineApi;
  active: boolean;
  height: number;
  onDone: (chosen: ChosenCase) => void;
  onBack: () => void;
}) {
  const theme = useTheme();
  const [mode, setMode] = useState<'menu' | 'existing' | 'new'>('menu');
  const [menuIndex, setMenuIndex] = useState(0);
  const [list, setList] = useState<CaseList | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [cursor, setCursor] = useState(0);
  const [values, setValues] = useState<Record<string, string>>({
    name: '',
    department: '',
    category: '',
    description: '',
    info: '',
  });

  useEffect(() => {
    let live = true;
    api.run('cases.list', {}).then(
      (result) => {
        if (!live) return;
        setList(result);
        const fallback = result.departments.find((d) => d.isDefault) ?? result.departments[0];
        setValues((v) => (v.department === '' ? { ...v, department: fallback?.id ?? '' } : v));
      },
      (err: unknown) => live && setLoadError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const matches = useMemo(() => {
    const needle = search.toLowerCase();
    return (list?.cases ?? []).filter((c) =>
      `${c.id} ${c.name} ${c.description}`.toLowerCase().includes(needle),
    );
  }, [list, search]);
  const index = Math.min(cursor, Math.max(0, matches.length - 1));
  const departmentName = (id: string | undefined) =>
    list?.departments.find((d) => d.id === id)?.name ?? id ?? '';

  useInput(
    (input, key) => {
      if (mode === 'menu') {
        if (key.escape) return onBack();
        if (key.upArrow || input === 'k') setMenuIndex(Math.max(0, menuIndex - 1));
        else if (key.downArrow || input === 'j')
          setMenuIndex(Math.min(menu.length - 1, menuIndex + 1));
        else if (key.return) {
          const picked = menu[menuIndex]?.id;
          if (picked === 'skip') onDone({ choice: 'none', label: 'no case' });
          else if (picked) setMode(picked);
        }
        return;
      }
      if (mode === 'existing') {
        if (key.escape) return setMode('menu');
        if (key.upArrow) setCursor(Math.max(0, index - 1));
        else if (key.downArrow) setCursor(Math.min(matches.length - 1, index + 1));
        else if (key.return) {
          const c = matches[index];
          if (c) onDone({ choice: { id: c.id }, label: `case ${c.id} "${c.name}"` });
        } else if (key.backspace || key.delete) setSearch((s) => s.slice(0, -1));
        else if (input && !key.ctrl && !key.meta && !key.tab) {
          setSearch((s) => s + input);
          setCursor(0);
        }
      }
    },
    { isActive: active && mode !== 'new' },
  );

  if (mode === 'new') {
    const info = parseInfo(values.info ?? '');
    const departments = list?.departments ?? [];
    const categories = list?.categories ?? [];
    const fields = [
      { id: 'name', label: 'Case name' },
      ...(departments.length > 0
        ? [
            {
              id: 'department',
              label: 'Department',
              options: departments.map((d) => ({
                value: d.id,
                label: d.isDefault ? `${d.name} (default)` : d.name,
              })),
            },
          ]
        : []),
      {
        id: 'category',
        label: 'Category',
        options: [
          { value: '', label: '(none)' },
          ...categories.map((c) => ({ value: c.id, label: c.name })),
        ],
      },
      { id: 'description', label: 'Description', placeholder: '(optional)' },
      { id: 'info', label: 'Case info', placeholder: 'key=value; key=value (optional)' },
    ];
    return (
      <Box flexDirection="column">
        <Text bold>Create new case</Text>
        {loadError ? (
          <Text color={theme.warn} wrap="truncate">{`Departments unavailable: ${loadError}`}</Text>
        ) : null}
        <Form
          fields={fields}
          values={values}
          onChange={(id, value) => setValues((v) => ({ ...v, [id]: value }))}
          errors={{
            name: (values.name ?? '').trim() === '' ? 'give the case a name' : undefined,
            info: info.ok ? undefined : info.message,
          }}
          submitLabel="Next"
          isActive={active}
          onCancel={() => setMode('menu')}
          onSubmit={() => {
            const name = (values.name ?? '').trim();
            if (name === '' || !info.ok) return;
            const choice: Choice = {
              newCase: name,
              ...(values.department ? { departmentId: values.department } : {}),
              ...(values.category ? { categoryId: values.category } : {}),
              ...(values.description ? { description: values.description } : {}),
              ...(Object.keys(info.info).length > 0 ? { info: info.info } : {}),
            };
            onDone({
              choice,
              label: `new case "${name}"${values.department ? ` in ${departmentName(values.department)}` : ''}`,
            });
          }}
        />
      </Box>
    );
  }

  if (mode === 'existing') {
    const rows = Math.max(1, height - 4);
    const first = Math.max(0, Math.min(index - rows + 1, matches.length - rows));
    return (
      <Box flexDirection="column">
        <Text bold wrap="truncate">
          {`Select existing case · search: ${search}▏ · ${matches.length} of ${list?.cases.length ?? 0}`}
        </Text>
        {loadError ? (
          <Text color={theme.error} wrap="truncate">
            {loadError}
          </Text>
        ) : null}
        {!list && !loadError ? <Text color={theme.muted}>Loading cases…</Text> : null}
        {list && matches.length === 0 ? (
          <Text color={theme.muted}>No case matches; Esc to go back and create one.</Text>
        ) : null}
        {matches.slice(first, first + rows).map((c) => {
          const isSelected = c.id === matches[index]?.id;
          return (
            <Text key={c.id} wrap="truncate" inverse={isSelected}>
              {isSelected ? '> ' : '  '}
              {`${cell(c.id, 12)} ${cell(c.name, 30)} ${c.access === 'view' ? '(view only) ' : ''}${departmentName(c.departmentId)}`}
            </Text>
          );
        })}
        <Text color={theme.muted} wrap="truncate">
          type to search · ↑↓ select · Enter choose · Esc back
        </Text>
      </Box>
    );
  }

  return (
    <Box flexDirection="column">
      <Text bold>File it into</Text>
      {menu.map((item, i) => (
        <Text key={item.id} inverse={i === menuIndex}>
          {i === menuIndex ? '> ' : '  '}
          {item.label}
        </Text>
      ))}
      {loadError ? <Text color={theme.warn} wrap="truncate">{`Cases: ${loadError}`}</Text> : null}
      <Text color={theme.muted} wrap="truncate">
        ↑↓ choose · Enter next · Esc back
      </Text>
    </Box>
  );
}
