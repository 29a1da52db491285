import type { EngineApi } from '../../engine/api.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import type { KeyHint } from '../keymap.ts';

/** What every pane gets from the App. */
export type PaneProps = {
  state: EngineState;
  api: EngineApi;
  width: number;
  height: number;
  /** False while the help overlay or the quit question has the keys. */
  active: boolean;
  /**
   * A pane with an open form says so: digits, q and ? are then text, not commands. `keys` are
   * what the bottom line lists meanwhile, when they are not the form's.
   */
  onCapture: (capturing: boolean, keys?: KeyHint[]) => void;
};
