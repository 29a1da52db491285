import { describe, expect, it } from 'vitest';
import { entryChanges } from '../../src/core/entry-changes.ts';

const entry = (id: string, enabled = true, extra: Record<string, unknown> = {}) => ({
  id,
  enabled,
  ...extra,
});

describe('entryChanges', () => {
  it('names what was added, removed, switched and changed, and nothing else', () => {
    const before = [entry('same'), entry('off'), entry('on', false), entry('edit'), entry('gone')];
    const after = [
      entry('new'),
      entry('on', true, { path: '/elsewhere' }),
      entry('edit', true, { path: '/elsewhere' }),
      entry('off', false),
      entry('same'),
    ];
    expect(entryChanges(before, after)).toEqual([
      { id: 'new', change: 'added' },
      { id: 'on', change: 'on' },
      { id: 'edit', change: 'changed' },
      { id: 'off', change: 'off' },
      { id: 'gone', change: 'removed' },
    ]);
  });

  it('takes a missing key and an undefined one as the same', () => {
    expect(entryChanges([entry('a')], [entry('a', true, { case: undefined })])).toEqual([]);
  });
});
