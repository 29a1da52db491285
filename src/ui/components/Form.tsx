import { Box, Text, useInput, usePaste } from 'ink';
import { useState } from 'react';
import { useTheme } from '../theme.ts';
import { WrappedText } from './WrappedText.tsx';

/**
 * Pasted text for a one-line field. Lines become `; `-separated items (what the schedule and
 * path fields split on; a reason reads as well), so a pasted line break never submits the form.
 */
export function pastedLine(text: string): string {
  return (
    text
      .split(/\r\n|[\r\n]/)
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join('; ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: tabs and other control bytes
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
  );
}

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
  const [focus, setFocus] = useState(0);
  // An empty field's complaint waits until the operator tries to go on.
  const [tried, setTried] = useState(false);
  const field = fields[Math.min(focus, fields.length - 1)];

  // One key per call, after the render of the one before (the console's KeyPacer): the
  // values and the focus read here are what the operator sees.
  useInput(
    (input, key) => {
      if (!field) return;
      const value = values[field.id] ?? '';
      const change = (next: string) => {
        if (next !== value) onChange(field.id, next);
      };
      if (key.escape) {
        onCancel();
      } else if (key.return) {
        setTried(true);
        // A field with a complaint keeps the focus; the last field leaves it to onSubmit.
        if (errors[field.id] && focus < fields.length - 1) return;
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
        if (step !== 0 && next) change(next.value);
      } else if (key.backspace || key.delete) {
        change(value.slice(0, -1));
      } else if (key.ctrl && input === 'u') {
        change('');
      } else if (input && !key.ctrl && !key.meta) {
        change(value + input);
      }
    },
    { isActive },
  );
  // Bracketed paste, on while a form is open: a paste arrives whole, as text.
  usePaste(
    (text) => {
      if (!field || field.options) return;
      const value = values[field.id] ?? '';
      onChange(field.id, value + pastedLine(text));
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
