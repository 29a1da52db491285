import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/config/closest.ts';
import { findJsonSyntaxError } from '../../src/config/json-syntax.ts';

describe('findJsonSyntaxError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of [
      '{}',
      '[]',
      ' {"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]} ',
      '"x"',
      '0',
    ]) {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it.each([
    ['{"a": 1,}', 1, 8, 'trailing comma before }'],
    ['{"a": [1,\n  2,\n]}', 2, 4, 'trailing comma before ]'],
    ['{"a": tru}', 1, 7, 'expected a value, found "tru"'],
    ["{'a': 1}", 1, 2, 'text must be in double quotes'],
    ['{"a": 1} // note', 1, 10, 'comments are not allowed in JSON'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'missing "," before this entry'],
    ['[{"a": 1} {"a": 2}]', 1, 11, 'missing "," before this entry'],
    ['{"a": "x\ny"}', 1, 9, 'line break or control character inside text'],
    ['{"a": 01}', 1, 8, 'expected "," or "}", found "1"'],
    ['{"a": 1', 1, 8, 'the file ends where "," or "}" was expected'],
    ['{"a": "open}', 1, 7, 'text is not closed'],
  ])('%j fails at %i:%i with %s', (text, line, column, message) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonSyntaxError(text)).toMatchObject({ line, column, message });
  });

  it('stops at absurd nesting instead of overflowing the stack', () => {
    const text = '['.repeat(100_000);
    expect(findJsonSyntaxError(text)?.message).toContain('nested more than');
  });
});

describe('closest', () => {
  it('measures edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('prot', 'port')).toBe(1);
  });

  it('suggests only plausible typos', () => {
    expect(closest('bandwith', ['bandwidth', 'schedule'])).toBe('bandwidth');
    expect(closest('Concurrency', ['concurrency'])).toBe('concurrency');
    expect(closest('prot', ['mode', 'port', 'dataDir'])).toBe('port');
    expect(closest('colour', ['name'])).toBeUndefined();
  });
});
