import { type CustodyEvent, type EventLevel, eventLevels } from '../protocol/events.ts';

export type EventViewFilter = {
  minLevel: EventLevel;
  search: string;
  /** A kind group, the part before the first dot (`upload`); null for all. */
  kind: string | null;
};

/**
 * In-memory filter over the console's event window; the log's `list` searches the whole log.
 * Both match each field on its own, so a live event joins whole-log results as the log would.
 */
export function filterEvents(events: CustodyEvent[], filter: EventViewFilter): CustodyEvent[] {
  const min = eventLevels.indexOf(filter.minLevel);
  const needle = filter.search.toLowerCase();
  return events.filter(
    (event) =>
      eventLevels.indexOf(event.level) >= min &&
      (filter.kind === null || event.kind.startsWith(`${filter.kind}.`)) &&
      (needle === '' ||
        [event.message, event.kind, event.subject ?? '', JSON.stringify(event.data)].some((field) =>
          field.toLowerCase().includes(needle),
        )),
  );
}
