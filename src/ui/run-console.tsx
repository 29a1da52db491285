import { Box, render, Text, useWindowSize } from 'ink';
import type { ReactNode } from 'react';
import type { EngineApi } from '../engine/api.ts';
import { App } from './App.tsx';
import { WrappedText } from './components/WrappedText.tsx';
import { KeyPacer } from './key-pacer.ts';
import { createConsoleStore } from './state/console-store.ts';
import { errorText } from './text.ts';
import { ThemeContext, themeFor, useTheme } from './theme.ts';

export type ConsoleOptions = {
  color: boolean;
  /** Ink turns itself non-interactive under CI; tmux tests and odd terminals can force it. */
  interactive?: boolean;
  /** Shown in the status bar while the engine opens (the config's workstation name). */
  workstation?: string;
  /** The engine's socket or URL when this console is attached to one running elsewhere. */
  attachedTo?: string;
  /** Called once the panes are on the screen (work that can wait for them starts then). */
  onPanesDrawn?: () => void;
};

/** The first frame, drawn before the engine is open: the operator sees the console at once. */
function Starting({ workstation, problem }: { workstation: string; problem?: string }) {
  const theme = useTheme();
  const { columns, rows } = useWindowSize();
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text wrap="truncate">
        <Text bold>{workstation}</Text>
        {' │ '}
        <Text bold color={theme.warn}>
          Connecting
        </Text>
        {' │ starting the engine…'}
      </Text>
      <Text wrap="truncate">{'[1 Inbox] 2 Cameras  3 Uploads  4 Events  5 Settings  6 About'}</Text>
      <Box flexGrow={1} flexDirection="column">
        <WrappedText color={problem ? theme.error : theme.muted}>
          {problem ?? 'Opening the data directory, the event log and the service link…'}
        </WrappedText>
      </Box>
      <Text wrap="truncate" color={theme.muted}>
        ? help · q quit
      </Text>
    </Box>
  );
}

/**
 * Full screen in the alternate buffer, at most 10 frames a second, redrawing changed lines only.
 * `engine` may be a function that opens it: the console then draws its first frame at once
 * and swaps in the panes when the engine is ready (the caller still closes the engine).
 */
export async function runConsole(
  engine: EngineApi | (() => Promise<EngineApi>),
  options: ConsoleOptions,
): Promise<void> {
  const theme = themeFor(options.color);
  const workstation = options.workstation ?? 'Custody';
  const tree = (child: ReactNode) => (
    <ThemeContext.Provider value={theme}>{child}</ThemeContext.Provider>
  );
  const instance = render(
    tree(typeof engine === 'function' ? <Starting workstation={workstation} /> : <Box />),
    {
      alternateScreen: true,
      stdin: new KeyPacer(process.stdin) as unknown as NodeJS.ReadStream,
      maxFps: 10,
      incrementalRendering: true,
      exitOnCtrlC: true,
      patchConsole: true,
      interactive: options.interactive,
    },
  );
  // The first frame's own effects run now, while the loop is free: left for later, they would
  // render just before the panes and hold those back a throttle interval (100 ms).
  await instance.waitUntilRenderFlush();
  let api: EngineApi;
  try {
    api = typeof engine === 'function' ? await engine() : engine;
  } catch (err) {
    instance.rerender(tree(<Starting workstation={workstation} problem={errorText(err)} />));
    instance.unmount();
    await instance.waitUntilExit().catch(() => undefined);
    throw err;
  }
  const { store, close } = createConsoleStore(api);
  instance.rerender(tree(<App store={store} api={api} attachedTo={options.attachedTo} />));
  await instance.waitUntilRenderFlush();
  options.onPanesDrawn?.();
  try {
    await instance.waitUntilExit();
  } finally {
    close();
  }
}
