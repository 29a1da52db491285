/**
 * Where a JSON text first goes wrong, as line and column with a message written for people
 * who edit config files by hand. JSON.parse gives no position at all for some errors
 * ("Unexpected token ']'") and no package in the dependency tree reports one, so this
 * scanner walks the grammar only to find the spot; JSON.parse still does the parsing.
 */

export type JsonSyntaxError = { line: number; column: number; message: string; fix: string };

class Stop {
  readonly offset: number;
  readonly message: string;
  readonly fix: string;
  constructor(offset: number, message: string, fix: string) {
    this.offset = offset;
    this.message = message;
    this.fix = fix;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// What to quote back when a token is wrong: the whole bare word, not just its first letter.
const WORD = /[^\s,:{}[\]"]+/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
// Far beyond any config, and well within the call stack this recursive scanner needs.
const MAX_DEPTH = 500;

function scan(text: string): void {
  let i = 0;
  let depth = 0;
  const enter = (): void => {
    if (++depth > MAX_DEPTH) {
      throw new Stop(i, `nested more than ${MAX_DEPTH} levels deep`, 'this is not a config file');
    }
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const unexpected = (expected: string): Stop => {
    const c = text.charAt(i);
    if (i >= text.length) {
      return new Stop(i, `the file ends where ${expected} was expected`, 'close every { and [');
    }
    if (c === '/') return new Stop(i, 'comments are not allowed in JSON', 'remove the comment');
    if (c === "'") {
      return new Stop(i, 'text must be in double quotes', 'replace the single quotes with "');
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text)?.[0] ?? c;
    return new Stop(
      i,
      `expected ${expected}, found ${JSON.stringify(word)}`,
      `write ${expected} here`,
    );
  };
  // After a value, a quote or bracket means the next entry has begun: the comma is missing.
  const missingComma = (closer: string): Stop =>
    '"{['.includes(text.charAt(i)) && i < text.length
      ? new Stop(i, 'missing "," before this entry', 'add a comma after the previous entry')
      : unexpected(`"," or "${closer}"`);
  const trailingComma = (comma: number, closer: string): Stop =>
    new Stop(comma, `trailing comma before ${closer}`, 'remove the comma after the last entry');

  const string = (): void => {
    const start = i++;
    for (;;) {
      const c = text.charAt(i);
      if (i >= text.length) {
        throw new Stop(start, 'text is not closed', 'add the closing double quote');
      }
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const escaped = text.charAt(i + 1);
        if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (ESCAPES.has(escaped)) i += 2;
        else throw new Stop(i, `invalid escape \\${escaped}`, 'write a backslash as \\\\');
        continue;
      }
      if (c < ' ') {
        throw new Stop(i, 'line break or control character inside text', 'write it as \\n or \\t');
      }
      i++;
    }
  };

  const value = (): void => {
    skipSpace();
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      enter();
      if (c === '{') object();
      else array();
      depth--;
      return;
    }
    if (c === '"') {
      string();
      return;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) throw new Stop(i, 'invalid number', 'write digits like 10 or 2.5');
      i = NUMBER.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    throw unexpected('a value');
  };

  const object = (): void => {
    i++;
    skipSpace();
    if (text.charAt(i) === '}') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text.charAt(i) !== '"') throw unexpected('a key in double quotes');
      string();
      skipSpace();
      if (text.charAt(i) !== ':') throw unexpected('":"');
      i++;
      value();
      skipSpace();
      const c = text.charAt(i);
      if (c === '}') {
        i++;
        return;
      }
      if (c !== ',') throw missingComma('}');
      const comma = i++;
      skipSpace();
      if (text.charAt(i) === '}') throw trailingComma(comma, '}');
    }
  };

  const array = (): void => {
    i++;
    skipSpace();
    if (text.charAt(i) === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      skipSpace();
      const c = text.charAt(i);
      if (c === ']') {
        i++;
        return;
      }
      if (c !== ',') throw missingComma(']');
      const comma = i++;
      skipSpace();
      if (text.charAt(i) === ']') throw trailingComma(comma, ']');
    }
  };

  value();
  skipSpace();
  if (i < text.length) throw unexpected('the end of the file');
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    scan(text);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { ...position(text, error.offset), message: error.message, fix: error.fix };
  }
}
