import { describe, expect, it } from 'vitest';
import { parseSegmentListLine } from '../../src/core/segment-list.ts';

describe('segment list lines', () => {
  it('parses file, start and end', () => {
    expect(parseSegmentListLine('20261125T120000000Z-000002.ts,4.000000,6.000000')).toEqual({
      file: '20261125T120000000Z-000002.ts',
      startSeconds: 4,
      endSeconds: 6,
    });
  });

  it('parses a quoted name', () => {
    expect(parseSegmentListLine('"a,""b"".ts",0.5,1.5\r')?.file).toBe('a,"b".ts');
  });

  it('refuses what is not an entry', () => {
    for (const line of ['', 'x.ts,1', 'x.ts,a,b', ',1,2', 'x.ts,3,2']) {
      expect(parseSegmentListLine(line)).toBeUndefined();
    }
  });
});
