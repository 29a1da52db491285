import { EventEmitter } from 'node:events';
import { type Instance, render } from 'ink';
import type { ReactElement } from 'react';
import { KeyPacer } from '../../src/ui/key-pacer.ts';

/** A terminal of a chosen size: ink-testing-library's is fixed at 100 columns with no rows. */
class SizedStdout extends EventEmitter {
  readonly frames: string[] = [];
  readonly modes: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  // Ink waits on write callbacks when it unmounts, as with a real stream.
  write = (frame: string, ...rest: unknown[]) => {
    // A terminal mode switch (bracketed paste on and off) is not a screen.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a CSI sequence
    if (/^\u001b\[\?\d+[hl]$/.test(frame)) this.modes.push(frame);
    else this.frames.push(frame);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

class KeyStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string) {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export type Screen = {
  instance: Instance;
  stdout: SizedStdout;
  stdin: KeyStdin;
  frame: () => string;
  press: (keys: string) => Promise<void>;
};

export const keys = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

export async function renderSized(
  tree: ReactElement,
  columns: number,
  rows: number,
): Promise<Screen> {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new KeyStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    // Keys go through the console's own pacer, as from the terminal.
    stdin: new KeyPacer(stdin) as unknown as NodeJS.ReadStream,
    stderr: new SizedStdout(columns, rows) as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await settle();
  return {
    instance,
    stdout,
    stdin,
    frame: () => stdout.frames.at(-1) ?? '',
    press: async (input: string) => {
      stdin.write(input);
      await settle();
    },
  };
}
