import { isDeepStrictEqual } from 'node:util';

/** What happened to one entry of a list of entries that can be switched off, such as sources. */
export type EntryChange = {
  id: string;
  change: 'added' | 'removed' | 'on' | 'off' | 'changed';
};

/** JSON, as entries are kept: a key that is missing and one that is undefined are the same. */
const asStored = (entry: unknown): unknown => JSON.parse(JSON.stringify(entry));

/**
 * The changes from one version of a list to the next, matched by id, in the new list's order
 * and then the removed ones. Switching on or off is reported as such even when other fields
 * changed with it; a move within the list is no change.
 */
export function entryChanges<T extends { id: string; enabled: boolean }>(
  before: readonly T[],
  after: readonly T[],
): EntryChange[] {
  const old = new Map(before.map((entry) => [entry.id, entry]));
  const ids = new Set(after.map((entry) => entry.id));
  const changes: EntryChange[] = after.flatMap((entry): EntryChange[] => {
    const was = old.get(entry.id);
    if (!was) return [{ id: entry.id, change: 'added' }];
    if (was.enabled !== entry.enabled) {
      return [{ id: entry.id, change: entry.enabled ? 'on' : 'off' }];
    }
    return isDeepStrictEqual(asStored(was), asStored(entry))
      ? []
      : [{ id: entry.id, change: 'changed' }];
  });
  const removed = before.filter((entry) => !ids.has(entry.id));
  return [...changes, ...removed.map((entry) => ({ id: entry.id, change: 'removed' as const }))];
}
