import type { EngineApi } from '../../engine/api.ts';
import type { EngineState } from '../../protocol/engine-state.ts';

/** What every pane gets from the App. */
export type PaneProps = {
  state: EngineState;
  api: EngineApi;
  width: number;
  height: number;
  /** False while the help overlay or the quit question has the keys. */
  active: boolean;
  /** A pane with an open form says so: digits, q and ? are then text, not commands. */
  onCapture: (capturing: boolean) => void;
};
