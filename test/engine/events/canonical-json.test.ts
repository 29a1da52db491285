import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/engine/events/canonical-json.ts';

describe('canonicalJson', () => {
  it('gives the same text whatever order the keys were written in', () => {
    const one = canonicalJson({ b: 1, a: [{ d: 1, c: 'x' }, null], e: { g: true, f: -0.5 } });
    const two = canonicalJson({ e: { f: -0.5, g: true }, a: [{ c: 'x', d: 1 }, null], b: 1 });
    expect(one).toBe('{"a":[{"c":"x","d":1},null],"b":1,"e":{"f":-0.5,"g":true}}');
    expect(two).toBe(one);
  });

  it('leaves out undefined members like JSON does and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: 'é"\n' })).toBe('{"b":"é\\"\\n"}');
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });
});
