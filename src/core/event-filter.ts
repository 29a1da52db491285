import { type CustodyEvent, type EventLevel, eventLevels } from '../protocol/events.ts';

export type EventViewFilter = { minLevel: EventLevel; search: string };

/** In-memory filter over the console's event window; the store's `list` serves bigger queries. */
export function filterEvents(events: CustodyEvent[], filter: EventViewFilter): CustodyEvent[] {
  const min = eventLevels.indexOf(filter.minLevel);
  const needle = filter.search.toLowerCase();
  return events.filter(
    (event) =>
      eventLevels.indexOf(event.level) >= min &&
      (needle === '' ||
        `${event.kind} ${event.subject ?? ''} ${event.message} ${JSON.stringify(event.data)}`
          .toLowerCase()
          .includes(needle)),
  );
}
