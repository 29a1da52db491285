import type { Key } from 'ink';
import { useState } from 'react';

/**
 * The `/` filter line of a list pane: `/` starts typing, Enter keeps the filter, Esc drops it.
 * `keys` returns true when it took the key, so the pane's own keys wait while typing.
 */
export function useFilter() {
  const [filter, setFilter] = useState('');
  const [typing, setTyping] = useState<string | null>(null);
  // One key per call, after the render of the one before (the console's KeyPacer).
  const keys = (input: string, key: Key): boolean => {
    const current = typing;
    if (current === null) {
      if (input !== '/') return false;
      setTyping(filter);
      return true;
    }
    if (key.return) {
      setFilter(current);
      setTyping(null);
    } else if (key.escape) {
      setTyping(null);
    } else if (key.backspace || key.delete) {
      setTyping(current.slice(0, -1));
    } else if (input && !key.ctrl && !key.meta) {
      setTyping(current + input);
    }
    return true;
  };
  const matches = (text: string) => {
    const needle = (typing ?? filter).toLowerCase();
    return needle === '' || text.toLowerCase().includes(needle);
  };
  const label =
    typing !== null ? `filter: ${typing}▏` : filter ? `filter: ${filter} (Esc clears)` : '';
  return { filter, typing: typing !== null, keys, matches, label, clear: () => setFilter('') };
}
