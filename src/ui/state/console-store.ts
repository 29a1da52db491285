import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineApi } from '../../engine/api.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import type { CustodyEvent } from '../../protocol/events.ts';

export type ConsoleState = {
  engine: EngineState;
  /** The newest events, oldest first; the Events pane filters these in memory. */
  events: CustodyEvent[];
};

export type ConsoleStore = { store: StoreApi<ConsoleState>; close: () => void };

/**
 * Feeds a vanilla zustand store from the engine's batched notifications, so panes re-render
 * only for the slice they select and never call the engine on their own.
 */
export function createConsoleStore(api: EngineApi, eventWindow = 500): ConsoleStore {
  const store = createStore<ConsoleState>(() => ({ engine: api.state(), events: [] }));
  let closed = false;
  // One fetch at a time: a refresh that lands while another runs just asks for one more.
  let fetching: Promise<void> | null = null;
  let again = false;
  const fetchEvents = async (): Promise<void> => {
    const { events } = store.getState();
    const fresh =
      events.length === 0
        ? (await api.run('events.list', { order: 'desc', limit: eventWindow })).reverse()
        : await api.run('events.list', { afterSeq: events.at(-1)?.seq ?? 0, order: 'asc' });
    if (closed || fresh.length === 0) return;
    store.setState({ events: [...store.getState().events, ...fresh].slice(-eventWindow) });
  };
  const refresh = () => {
    if (closed) return;
    store.setState({ engine: api.state() });
    if (fetching) {
      again = true;
      return;
    }
    fetching = fetchEvents()
      .catch(() => undefined)
      .finally(() => {
        fetching = null;
        if (again) {
          again = false;
          refresh();
        }
      });
  };
  const unsubscribe = api.subscribe(refresh);
  refresh();
  return {
    store,
    close: () => {
      closed = true;
      unsubscribe();
    },
  };
}
