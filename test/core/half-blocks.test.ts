import { describe, expect, it } from 'vitest';
import { halfBlocks } from '../../src/core/half-blocks.ts';

describe('half blocks', () => {
  it('pairs each two pixel rows into one row of cells', () => {
    // 2x2: red, green / blue, white
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    const rows = halfBlocks(rgb, 2, 2);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual([
      { char: '▀', fg: { r: 255, g: 0, b: 0 }, bg: { r: 0, g: 0, b: 255 } },
      { char: '▀', fg: { r: 0, g: 255, b: 0 }, bg: { r: 255, g: 255, b: 255 } },
    ]);
  });

  it('gives a 48x27 thumbnail 14 rows, the last over black', () => {
    const rows = halfBlocks(new Uint8Array(48 * 27 * 3).fill(200), 48, 27);
    expect(rows).toHaveLength(14);
    expect(rows.every((row) => row.length === 48)).toBe(true);
    expect(rows[13]?.[0]?.bg).toEqual({ r: 0, g: 0, b: 0 });
    expect(rows[13]?.[0]?.fg).toEqual({ r: 200, g: 200, b: 200 });
  });

  it('refuses a buffer too short for the size', () => {
    expect(() => halfBlocks(new Uint8Array(10), 4, 4)).toThrow(RangeError);
  });
});
