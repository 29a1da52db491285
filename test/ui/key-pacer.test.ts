import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { KeyPacer, splitKeys } from '../../src/ui/key-pacer.ts';

const split = (chunk: string) => splitKeys(chunk).keys;

describe('splitKeys', () => {
  it('splits typed keys and keeps each escape sequence whole', () => {
    expect(split('3s')).toEqual(['3', 's']);
    expect(split('5\r')).toEqual(['5', '\r']);
    expect(split('\u001b[A\u001b[1;5Bx')).toEqual(['\u001b[A', '\u001b[1;5B', 'x']);
    expect(split('\u001bOP\u001b[[A\u001b\u001b[C')).toEqual([
      '\u001bOP',
      '\u001b[[A',
      '\u001b\u001b[C',
    ]);
    // Alt with a key, and a lone Esc.
    expect(split('\u001bq')).toEqual(['\u001bq']);
    expect(split('\u001b')).toEqual(['\u001b']);
  });

  it('keeps a bracketed paste, a cut-off sequence and characters beyond 16 bits whole', () => {
    expect(split('\u001b[200~a\rb\u001b[201~q')).toEqual(['\u001b[200~a\rb\u001b[201~', 'q']);
    // A paste longer than one read goes on in the next chunk, whole.
    expect(splitKeys('x\u001b[200~one\r')).toEqual({
      keys: ['x', '\u001b[200~one\r'],
      inPaste: true,
    });
    expect(splitKeys('two\u001b[201~yz', true)).toEqual({
      keys: ['two\u001b[201~', 'y', 'z'],
      inPaste: false,
    });
    expect(split('ab\u001b[1;')).toEqual(['a', 'b', '\u001b[1;']);
    expect(split('é😀')).toEqual(['é', '😀']);
    // Sixteen characters and more in one go are pasted text, not keys typed ahead.
    expect(split('/srv/evidence/a.mp4; /srv/b.mp4\r3')).toEqual([
      '/srv/evidence/a.mp4; /srv/b.mp4',
      '\r',
      '3',
    ]);
    expect(split('abcdefghijklmno')).toHaveLength(15);
  });
});

class Source extends EventEmitter {
  chunks: string[] = [];
  write(chunk: string) {
    this.chunks.push(chunk);
    this.emit('readable');
  }
  read = () => this.chunks.shift() ?? null;
}

describe('KeyPacer', () => {
  it('hands over one key per read, the next a macrotask later, and reads only while listened to', async () => {
    const source = new Source();
    const pacer = new KeyPacer(source);
    const got: string[][] = [];
    const onReadable = () => {
      const batch: string[] = [];
      for (let key = pacer.read(); key !== null; key = pacer.read()) batch.push(key);
      got.push(batch);
    };
    source.write('ignored before anyone listens');
    expect(source.chunks).toHaveLength(1);
    source.chunks = [];
    pacer.on('readable', onReadable);
    source.write('ab\r');
    expect(got).toEqual([['a']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([['a'], ['b']]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(got).toEqual([['a'], ['b'], ['\r']]);
    pacer.off('readable', onReadable);
    expect(source.listenerCount('readable')).toBe(0);
  });

  it('keeps a key no one read and hands it to the next listener', async () => {
    const source = new Source();
    const pacer = new KeyPacer(source);
    const first = () => {};
    pacer.on('readable', first);
    source.write('x');
    pacer.off('readable', first);
    const got: (string | null)[] = [];
    pacer.on('readable', () => got.push(pacer.read()));
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(['x']);
  });
});
