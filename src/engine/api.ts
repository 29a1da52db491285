import type { EngineState } from '../protocol/engine-state.ts';
import type { CustodyEvent } from '../protocol/events.ts';
import type { EventFilter } from './events/event-log.ts';

/**
 * The whole surface the console may use (DESIGN.md, Engine API). The in-process Engine
 * implements it; `custody attach` will implement the same over the control socket.
 */
export type EngineApi = {
  state(): EngineState;
  /** Batched: at most ten calls a second; read `state()` inside. */
  subscribe(listener: () => void): () => void;
  listEvents(filter: EventFilter): CustodyEvent[];
};
