import type { EngineApi } from '../../src/engine/api.ts';
import type { CommandName } from '../../src/protocol/control.ts';
import type { EngineState, RequestView } from '../../src/protocol/engine-state.ts';
import type { Screen } from '../helpers/ink.ts';

export type Call = { command: CommandName; input: unknown };

/** The real engine, with every command it runs written down for the test to check. */
export function recordingApi(engine: EngineApi): { api: EngineApi; calls: Call[] } {
  const calls: Call[] = [];
  const api: EngineApi = {
    state: () => engine.state(),
    subscribe: (listener) => engine.subscribe(listener),
    run: (command, input) => {
      calls.push({ command, input });
      return engine.run(command, input);
    },
  };
  return { api, calls };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const effectsFlushed = () => new Promise((resolve) => setImmediate(() => setTimeout(resolve, 10)));

/** Waits until the frame shows `text` (or matches it), failing with the frame it saw. */
export async function waitForFrame(
  frame: () => string,
  text: string | RegExp,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    seen = frame();
    if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) {
      // A frame is written when React commits, but Ink attaches key handlers in effects that
      // run a macrotask later: a key sent in between is lost (seen once under CI load).
      await effectsFlushed();
      return seen;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${String(text)}; frame:\n${seen}`);
}

/** Types as fast as the console takes keys: each one after the console acted on the last. */
export async function type(screen: Screen, text: string): Promise<void> {
  for (const ch of text) {
    screen.stdin.write(ch);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(80);
}

/** Frames without colour codes, as tmux capture-pane shows them. */
export function plain(frame: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping SGR codes
  return frame.replace(/\u001B\[[0-9;]*m/g, '');
}

export function expectFits(frame: string, columns: number, rows: number): string[] {
  const lines = plain(frame).split('\n');
  const problems: string[] = [];
  if (lines.length > rows) problems.push(`${lines.length} lines > ${rows}`);
  for (const line of lines) if (line.length > columns) problems.push(`too wide: ${line}`);
  return problems;
}

/** A request as the engine reports it, for panes rendered from a state object. */
export function requestFixture(overrides: Partial<RequestView> = {}): RequestView {
  const now = Date.now();
  return {
    id: 'req-1',
    state: 'held',
    requester: 'Det. Jane Moss',
    requesterId: 'usr_0123456789abcdef',
    caseId: 'CASE-7',
    cameras: [
      {
        id: 'lobby',
        name: 'Front lobby',
        state: 'held',
        bytes: 5 * 1024 * 1024,
        expectedBytes: null,
        progress: 1,
        sha256: 'ab'.repeat(32),
        gaps: [],
        error: null,
      },
      {
        id: 'corridor',
        name: '2nd floor corridor',
        state: 'exporting',
        bytes: 1024 * 1024,
        expectedBytes: 4 * 1024 * 1024,
        progress: 0.25,
        sha256: null,
        gaps: [
          {
            from: new Date(now - 3_000_000).toISOString(),
            to: new Date(now - 2_900_000).toISOString(),
          },
        ],
        error: null,
      },
    ],
    from: new Date(now - 3_600_000).toISOString(),
    to: new Date(now - 3_000_000).toISOString(),
    reason: 'burglary at the front desk',
    receivedAt: new Date(now - 300_000).toISOString(),
    expiresAt: new Date(now + 86_400_000).toISOString(),
    decision: null,
    failureReason: null,
    ...overrides,
  };
}

export function withRequests(state: EngineState, requests: RequestView[]): EngineState {
  return { ...state, requests };
}
