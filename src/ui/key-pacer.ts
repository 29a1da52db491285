import { EventEmitter } from 'node:events';

/** What Ink reads keys from: the terminal, or a test's stand-in. */
export type KeySource = NodeJS.EventEmitter & {
  read(): string | Buffer | null;
  isTTY?: boolean;
  setRawMode?(on: boolean): unknown;
  setEncoding?(encoding: BufferEncoding): unknown;
  ref?(): unknown;
  unref?(): unknown;
};

const ESC = '\u001b';
const PASTE_START = '\u001b[200~';
const PASTE_END = '\u001b[201~';
// A CSI key (arrows, F-keys, with modifiers; also rxvt's ESC[[A and the ESC-ESC-[ of
// Alt+arrow), an SS3 key, or Alt with one character.
const escapeKey =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal key sequences
  /^\u001b(?:\u001b?\[\[?[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|O[0-9;]*[\x40-\x7e]|[^[O\u001b])/;

// Printable characters no one types ahead of a console: text pasted where the terminal does
// not mark pastes (tmux send-keys, an old terminal), handed over as one piece of text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes end a run
const PASTED_RUN = /^[^\u0000-\u001f\u007f]{16,}/;

/**
 * The keys in what the terminal sent at once: each escape sequence whole, every other
 * character alone, a bracketed paste or a long run of text in one piece. A sequence cut off at the end stays in one
 * piece for Ink, which waits for its rest; so does a paste that goes on in the next chunk
 * (`inPaste`, passed back in with it).
 */
export function splitKeys(chunk: string, inPaste = false): { keys: string[]; inPaste: boolean } {
  const keys: string[] = [];
  let at = 0;
  let pasting = inPaste;
  while (at < chunk.length) {
    if (pasting) {
      const end = chunk.indexOf(PASTE_END, at);
      if (end < 0) return { keys: [...keys, chunk.slice(at)], inPaste: true };
      keys.push(chunk.slice(at, end + PASTE_END.length));
      at = end + PASTE_END.length;
      pasting = false;
      continue;
    }
    if (chunk.startsWith(PASTE_START, at)) {
      pasting = true;
      continue;
    }
    if (chunk[at] === ESC) {
      const key = escapeKey.exec(chunk.slice(at))?.[0];
      if (!key) {
        keys.push(chunk.slice(at));
        break;
      }
      keys.push(key);
      at += key.length;
      continue;
    }
    const run = PASTED_RUN.exec(chunk.slice(at))?.[0];
    if (run) {
      keys.push(run);
      at += run.length;
      continue;
    }
    const char = String.fromCodePoint(chunk.codePointAt(at) ?? 0);
    keys.push(char);
    at += char.length;
  }
  return { keys, inPaste: false };
}

/**
 * Hands Ink one key at a time, the next after the console has acted on the one before.
 * A terminal sends keys typed faster than a busy console reads (an SSH link, a loaded
 * workstation, tmux send-keys) in one chunk, and Ink passes a chunk as one input: "3s" was
 * neither tab 3 nor the schedule key, and "5" + Enter lost both. Each key is its own input
 * here, and a key that opens a pane reaches that pane's handler, not the one before it.
 */
export class KeyPacer extends EventEmitter {
  readonly #source: KeySource;
  readonly #queue: string[] = [];
  #ready: string | null = null;
  #pending: NodeJS.Immediate | null = null;
  #inPaste = false;

  constructor(source: KeySource) {
    super();
    this.#source = source;
    // Reads from the source only while Ink listens, as Ink itself would.
    this.on('newListener', (event) => {
      if (event === 'readable' && this.listenerCount('readable') === 0) {
        source.on('readable', this.#drain);
        // A key that came while no one listened (input paused) goes first.
        if (this.#ready !== null) setImmediate(() => this.#next());
      }
    });
    this.on('removeListener', (event) => {
      if (event === 'readable' && this.listenerCount('readable') === 0) {
        source.off('readable', this.#drain);
      }
    });
  }

  get isTTY(): boolean {
    return this.#source.isTTY === true;
  }

  setRawMode(on: boolean): this {
    this.#source.setRawMode?.(on);
    return this;
  }

  setEncoding(encoding: BufferEncoding): this {
    this.#source.setEncoding?.(encoding);
    return this;
  }

  ref(): this {
    this.#source.ref?.();
    return this;
  }

  unref(): this {
    this.#source.unref?.();
    return this;
  }

  read(): string | null {
    const key = this.#ready;
    this.#ready = null;
    return key;
  }

  #drain = (): void => {
    for (let chunk = this.#source.read(); chunk !== null; chunk = this.#source.read()) {
      const { keys, inPaste } = splitKeys(String(chunk), this.#inPaste);
      this.#inPaste = inPaste;
      this.#queue.push(...keys);
    }
    this.#next();
  };

  #next(): void {
    if (this.#pending) return;
    this.#ready ??= this.#queue.shift() ?? null;
    if (this.#ready === null) return;
    this.emit('readable');
    // Not read: input is paused, and the next listener takes it. Read: the next key, of this
    // chunk or of one right behind it, waits a macrotask, so React has committed what this one
    // changed, effects included.
    if (this.#ready === null) {
      this.#pending = setImmediate(() => {
        this.#pending = null;
        this.#next();
      });
    }
  }
}
