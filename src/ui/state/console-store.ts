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
  const initialEvents = api.listEvents({ order: 'desc', limit: eventWindow }).reverse();
  const store = createStore<ConsoleState>(() => ({ engine: api.state(), events: initialEvents }));
  const refresh = () => {
    const { events } = store.getState();
    const fresh = api.listEvents({ afterSeq: events.at(-1)?.seq ?? 0, order: 'asc' });
    store.setState({
      engine: api.state(),
      events: fresh.length === 0 ? events : [...events, ...fresh].slice(-eventWindow),
    });
  };
  const unsubscribe = api.subscribe(refresh);
  return { store, close: unsubscribe };
}
