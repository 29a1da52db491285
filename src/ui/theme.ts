import { createContext, useContext } from 'react';

/**
 * Colour is a hint, never the only signal: every state also has a word or a symbol, so the
 * console reads the same under NO_COLOR and on monochrome terminals.
 */
export type Theme = {
  /** False under NO_COLOR: pictures switch to characters. */
  color: boolean;
  accent: string | undefined;
  ok: string | undefined;
  warn: string | undefined;
  error: string | undefined;
  muted: string | undefined;
};

export function themeFor(color: boolean): Theme {
  if (!color)
    return {
      color: false,
      accent: undefined,
      ok: undefined,
      warn: undefined,
      error: undefined,
      muted: undefined,
    };
  return { color: true, accent: 'cyan', ok: 'green', warn: 'yellow', error: 'red', muted: 'gray' };
}

export function colorWanted(env: NodeJS.ProcessEnv, flag: boolean): boolean {
  return flag && !('NO_COLOR' in env && env.NO_COLOR !== '');
}

export const ThemeContext = createContext<Theme>(themeFor(false));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
