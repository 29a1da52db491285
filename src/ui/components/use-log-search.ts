import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type EventViewFilter, filterEvents } from '../../core/event-filter.ts';
import type { EngineApi } from '../../engine/api.ts';
import type { CustodyEvent } from '../../protocol/events.ts';
import { errorText } from '../text.ts';

/** Matches fetched at a time: the newest first, older ones a page at a time on request. */
export const searchPage = 500;

type Page = { matches: CustodyEvent[]; more: boolean };
type Ask = (beforeSeq?: number) => Promise<Page>;

type Found = Page & {
  /** The query this answers: until the new one's answer is in, an old answer is not shown. */
  ask: Ask;
  /** Seq after which a live event is news to the answer; null until the engine answered. */
  after: number | null;
  loading: boolean;
  error: string | null;
};

export type LogSearch = {
  /** Oldest first, as the live window. */
  matches: CustodyEvent[];
  /** The log holds older matches than these. */
  more: boolean;
  loading: boolean;
  error: string | null;
  /** The matches, then matching events that reached the held window since the engine answered. */
  events: CustodyEvent[];
  /** Fetches the page before the oldest match; resolves to how many it added in front. */
  older: () => Promise<number>;
};

/**
 * A committed search over the whole event log: the console's window holds only the newest
 * events, so the engine searches its store (`events.list` with `search`). Null while `filter`
 * is null. A changed filter drops answers still in flight for the old one.
 */
export function useLogSearch(
  api: EngineApi,
  filter: EventViewFilter | null,
  held: CustodyEvent[],
): LogSearch | null {
  const [state, setState] = useState<Found | null>(null);
  const generation = useRef(0);
  const { search, minLevel, kind } = filter ?? {};

  const ask = useCallback<Ask>(
    async (beforeSeq) => {
      const rows = await api.run('events.list', {
        search,
        level: minLevel,
        ...(kind ? { kinds: [kind] } : {}),
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
        order: 'desc',
        // One past the page says whether there are more.
        limit: searchPage + 1,
      });
      return { matches: rows.slice(0, searchPage).reverse(), more: rows.length > searchPage };
    },
    [api, search, minLevel, kind],
  );
  const searching = useMemo<Found>(
    () => ({ ask, matches: [], more: false, after: null, loading: true, error: null }),
    [ask],
  );
  const found = filter === null ? null : state?.ask === ask ? state : searching;

  useEffect(() => {
    if (search === undefined) return;
    const mine = ++generation.current;
    ask().then(
      (page) => {
        if (generation.current !== mine) return;
        // Whatever matched when the engine looked is in the page, so a later match is news.
        const after = page.matches.at(-1)?.seq ?? 0;
        setState({ ...page, ask, after, loading: false, error: null });
      },
      (err: unknown) => {
        if (generation.current !== mine) return;
        setState({ ...searching, loading: false, error: errorText(err) });
      },
    );
    return () => {
      generation.current += 1;
    };
  }, [ask, search, searching]);

  const older = useCallback(async (): Promise<number> => {
    const oldest = found?.matches[0]?.seq;
    if (!found?.more || found.loading || oldest === undefined) return 0;
    const mine = generation.current;
    setState({ ...found, loading: true });
    try {
      const page = await ask(oldest);
      if (generation.current !== mine) return 0;
      setState(
        (prev) =>
          prev && {
            ...prev,
            matches: [...page.matches, ...prev.matches],
            more: page.more,
            loading: false,
          },
      );
      return page.matches.length;
    } catch (err) {
      if (generation.current === mine) {
        setState((prev) => prev && { ...prev, loading: false, error: errorText(err) });
      }
      return 0;
    }
  }, [ask, found]);

  const events = useMemo(() => {
    if (!found || found.after === null || !filter) return found?.matches ?? [];
    const after = found.after;
    const news = filterEvents(
      held.filter((event) => event.seq > after),
      filter,
    );
    return news.length === 0 ? found.matches : [...found.matches, ...news];
  }, [found, filter, held]);

  if (!found) return null;
  const { matches, more, loading, error } = found;
  return { matches, more, loading, error, events, older };
}
