import { Box, type Key, Text, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { useTheme } from '../theme.ts';
import { WrappedText } from './WrappedText.tsx';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control keys inside a typed chunk
const controlKey = /[\u0000-\u001f\u007f]/;

type KeyLike = Partial<Key>;

/**
 * A chunk may carry control keys inside text (a paste, tmux send-keys): text, Enter, text…
 * become separate keys, in order.
 */
export function splitChunk(input: string, key: KeyLike): [string, KeyLike][] {
  if (input.length <= 1 || input.startsWith('\u001b') || !controlKey.test(input)) {
    return [[input, key]];
  }
  const keys: [string, KeyLike][] = [];
  let text = '';
  let previous = '';
  for (const ch of input) {
    const after = previous;
    previous = ch;
    if (ch === '\n' && after === '\r') continue;
    if (!controlKey.test(ch)) {
      text += ch;
      continue;
    }
    if (text) keys.push([text, {}]);
    text = '';
    if (ch === '\r' || ch === '\n') keys.push(['', { return: true }]);
    else if (ch === '\u0015') keys.push(['u', { ctrl: true }]);
    else if (ch === '\u007f' || ch === '\b') keys.push(['', { backspace: true }]);
    else if (ch === '\t') keys.push(['', { tab: true }]);
  }
  if (text) keys.push([text, {}]);
  return keys;
}

/** Long enough for React to render what was typed before a queued Enter runs. */
const enterDelayMs = 25;

export type FormField = {
  id: string;
  label: string;
  placeholder?: string;
  /** A choice field: ←/→ cycles through these values instead of typing. */
  options?: { value: string; label: string }[];
  /** Shown under the field while it has the focus and no complaint (what to write). */
  hint?: string;
};

type Props = {
  fields: FormField[];
  values: Record<string, string>;
  onChange: (id: string, value: string) => void;
  /** Enter on the last field. */
  onSubmit: () => void;
  onCancel: () => void;
  /** Shown under a field, as you type. */
  errors?: Record<string, string | undefined>;
  /** What Enter on the last field does: "Next", "Finish", "Save". */
  submitLabel: string;
  isActive?: boolean;
  labelWidth?: number;
  /**
   * Rows under a field for its complaint or hint, wrapped within them. Fixed whether shown or
   * not, so a pane can budget them: a complaint that comes and goes as you type moves nothing.
   */
  messageRows?: number;
};

/**
 * A column of labelled fields. Typing edits the focused field; Tab/↓ and Shift-Tab/↑ move;
 * Enter moves on, and on the last field submits; Esc cancels. Ctrl-U clears the field.
 */
export function Form({
  fields,
  values,
  onChange,
  onSubmit,
  onCancel,
  errors = {},
  submitLabel,
  isActive = true,
  labelWidth = 13,
  messageRows,
}: Props) {
  const theme = useTheme();
  const [focus, setFocusState] = useState(0);
  // Keys can arrive faster than renders (a paste, tmux send-keys): the handler reads and
  // writes these refs so no keystroke works on a stale value.
  const focusRef = useRef(0);
  const live = useRef(values);
  // A render has every change emitted before it applied, so the props are the truth again.
  live.current = values;
  const setFocus = (n: number) => {
    focusRef.current = n;
    setFocusState(n);
  };
  // An empty field's complaint waits until the operator tries to go on.
  const [tried, setTried] = useState(false);
  const field = fields[Math.min(focus, fields.length - 1)];
  const change = (id: string, value: string) => {
    if ((live.current[id] ?? '') === value) return;
    dirty.current = true;
    live.current = { ...live.current, [id]: value };
    onChange(id, value);
  };

  // Keys can come faster than renders (a paste, tmux send-keys). They go through a queue in
  // order; an Enter that follows changes not rendered yet waits for the render, so the
  // parent's validation and onSubmit see what was typed, and the keys after it wait too.
  const dirty = useRef(false);
  dirty.current = false;
  const queue = useRef<[string, KeyLike][]>([]);
  const waits = useRef(0);
  const timer = useRef<NodeJS.Timeout | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  /** Handles one key; 'later' when it must wait for a render. */
  const handle = (input: string, key: KeyLike): 'done' | 'later' => {
    const focus = focusRef.current;
    const field = fields[Math.min(focus, fields.length - 1)];
    if (!field) return 'done';
    const value = live.current[field.id] ?? '';
    if (key.escape) {
      onCancel();
    } else if (key.return) {
      // Waits for the render, but never for long: a parent that does not re-render.
      if (dirty.current && waits.current++ < 8) return 'later';
      waits.current = 0;
      setTried(true);
      // A field with a complaint keeps the focus; the last field leaves it to onSubmit.
      if (errors[field.id] && focus < fields.length - 1) return 'done';
      if (focus >= fields.length - 1) onSubmit();
      else setFocus(focus + 1);
    } else if ((key.tab && key.shift) || key.upArrow) {
      setFocus(Math.max(0, focus - 1));
    } else if (key.tab || key.downArrow) {
      setFocus(Math.min(fields.length - 1, focus + 1));
    } else if (field.options) {
      const options = field.options;
      const at = Math.max(
        0,
        options.findIndex((o) => o.value === value),
      );
      const step = key.leftArrow ? -1 : key.rightArrow || input === ' ' ? 1 : 0;
      const next = options[(at + step + options.length) % options.length];
      if (step !== 0 && next) change(field.id, next.value);
    } else if (key.backspace || key.delete) {
      change(field.id, value.slice(0, -1));
    } else if (key.ctrl && input === 'u') {
      change(field.id, '');
    } else if (input && !key.ctrl && !key.meta) {
      change(field.id, value + input);
    }
    return 'done';
  };
  const handler = useRef(handle);
  handler.current = handle;
  const flush = () => {
    while (queue.current.length > 0) {
      const [input, key] = queue.current[0] ?? ['', {}];
      if (handler.current(input, key) === 'later') {
        timer.current ??= setTimeout(() => {
          timer.current = null;
          flush();
        }, enterDelayMs);
        return;
      }
      queue.current.shift();
    }
  };
  useInput(
    (input, key) => {
      queue.current.push(...splitChunk(input, key));
      if (!timer.current) flush();
    },
    { isActive },
  );

  return (
    <Box flexDirection="column">
      {fields.map((f, i) => {
        const focused = i === focus;
        const value = values[f.id] ?? '';
        const shown = f.options
          ? `‹ ${f.options.find((o) => o.value === value)?.label ?? '(none)'} ›`
          : value === '' && !focused
            ? (f.placeholder ?? '')
            : value;
        const error = value !== '' || tried ? errors[f.id] : undefined;
        const message = error ?? (focused ? f.hint : undefined);
        return (
          <Box key={f.id} flexDirection="column">
            <Text wrap={focused ? 'truncate-start' : 'truncate'}>
              <Text bold={focused}>
                {focused ? '> ' : '  '}
                {f.label.padEnd(labelWidth)}
              </Text>
              <Text
                inverse={focused && !f.options}
                color={value === '' && !f.options ? theme.muted : undefined}
              >
                {shown}
                {focused && !f.options ? '▏' : ''}
              </Text>
            </Text>
            {messageRows ? (
              // From the label's column, not the value's: a wrapped line holds a whole problem.
              <Box height={messageRows} overflowY="hidden" paddingLeft={2}>
                <Box width={2} flexShrink={0}>
                  <Text color={theme.error}>{error ? '!' : ''}</Text>
                </Box>
                <WrappedText color={error ? theme.error : theme.muted}>{message ?? ''}</WrappedText>
              </Box>
            ) : error ? (
              <Text color={theme.error} wrap="truncate">
                {`  ${' '.repeat(labelWidth)}! ${error}`}
              </Text>
            ) : null}
          </Box>
        );
      })}
      <Text color={theme.muted} wrap="truncate">
        {`Enter ${focus >= fields.length - 1 ? submitLabel : 'next field'} · Tab/↑↓ move${
          field?.options ? ' · ←→ choose' : ''
        } · Esc back`}
      </Text>
    </Box>
  );
}
