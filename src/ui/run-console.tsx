import { render } from 'ink';
import type { EngineApi } from '../engine/api.ts';
import { App } from './App.tsx';
import { createConsoleStore } from './state/console-store.ts';
import { ThemeContext, themeFor } from './theme.ts';

export type ConsoleOptions = {
  color: boolean;
  /** Ink turns itself non-interactive under CI; tmux tests and odd terminals can force it. */
  interactive?: boolean;
};

/** Full screen in the alternate buffer, at most 10 frames a second, redrawing changed lines only. */
export async function runConsole(api: EngineApi, options: ConsoleOptions): Promise<void> {
  const { store, close } = createConsoleStore(api);
  const instance = render(
    <ThemeContext.Provider value={themeFor(options.color)}>
      <App store={store} />
    </ThemeContext.Provider>,
    {
      alternateScreen: true,
      maxFps: 10,
      incrementalRendering: true,
      exitOnCtrlC: true,
      patchConsole: true,
      interactive: options.interactive,
    },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    close();
  }
}
