import type { CommandInput, CommandName, CommandOutput } from '../protocol/control.ts';
import type { EngineState } from '../protocol/engine-state.ts';

/**
 * The whole surface the console may use (DESIGN.md, Engine API). The in-process Engine
 * implements it; `custody attach` implements the same over the control socket, which is why
 * every command is asynchronous and named: `run('uploads.pause', { id })`.
 * Refusals and failures reject with a CustodyError (what, fix, exit code).
 */
export type EngineApi = {
  state(): EngineState;
  /** Batched: at most ten calls a second; read `state()` inside. */
  subscribe(listener: () => void): () => void;
  run<K extends CommandName>(command: K, input: CommandInput<K>): Promise<CommandOutput<K>>;
};
