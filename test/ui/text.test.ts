import { describe, expect, it } from 'vitest';
import { CustodyError } from '../../src/core/errors.ts';
import { bar, cell, errorText, exactRange, shortRate, span } from '../../src/ui/text.ts';
import { fitThumbnail, scaleRgb, thumbnailLines, tileGrid } from '../../src/ui/thumbnail.ts';

describe('ui text helpers', () => {
  it('fits cells exactly, with an ellipsis when cut', () => {
    expect(cell('abc', 5)).toBe('abc  ');
    expect(cell('abcdef', 4)).toBe('abc…');
    expect(cell('7', 3, 'right')).toBe('  7');
  });
  it('gives spans to the minute, as the clock that redraws them moves', () => {
    expect(span(59_999)).toBe('<1m');
    expect(span(60_000)).toBe('1m');
    expect(span(47 * 3_600_000)).toBe('47h');
    expect(span(49 * 3_600_000)).toBe('2d');
  });
  it('gives stretches of footage to the second with their length, the date again only across midnight', () => {
    const local = (text: string) => new Date(text).toISOString();
    expect(exactRange(local('2026-12-01T17:10:08'), local('2026-12-01T17:10:31'))).toBe(
      '12-01 17:10:08–17:10:31 (23s)',
    );
    expect(exactRange(local('2026-12-01T17:18:40.600'), local('2026-12-01T17:18:42.400'))).toBe(
      '12-01 17:18:40–17:18:42 (1.8s)',
    );
    expect(exactRange(local('2026-12-01T23:59:50'), local('2026-12-02T00:01:00'))).toBe(
      '12-01 23:59:50–12-02 00:01:00 (1m 10s)',
    );
  });
  it('draws bars and short rates', () => {
    expect(bar(0.5, 8)).toBe('████░░░░');
    expect(bar(2, 4)).toBe('████');
    expect(shortRate(null)).toBe('unl');
    expect(shortRate(0)).toBe('off');
    expect(shortRate(8 * 1024 * 1024)).toBe('8M');
    expect(shortRate(1536 * 1024)).toBe('1.5M');
    expect(shortRate(256 * 1024)).toBe('256K');
  });
  it('shows what — fix, never a stack', () => {
    expect(errorText(new CustodyError('camera lobby is offline', 'wait for it'))).toBe(
      'camera lobby is offline — wait for it',
    );
    expect(errorText({ what: 'over the socket', fix: 'retry' })).toBe('over the socket — retry');
  });
});

describe('thumbnails', () => {
  const red = new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]); // 2x2: red row, blue row
  it('scales nearest-neighbour', () => {
    expect([...scaleRgb(red, 2, 2, 1, 2)]).toEqual([255, 0, 0, 0, 0, 255]);
  });
  it('draws half blocks with 256-colour codes, and characters without colour', () => {
    const [line] = thumbnailLines(red, 2, 2, 2, 1, true);
    expect(line).toContain('▀');
    expect(line).toContain('\u001B[38;5;196m');
    expect(line).toContain('\u001B[48;5;21m');
    const [mono] = thumbnailLines(red, 2, 2, 2, 1, false);
    expect(mono).toMatch(/^[ .:\-=+*#%@]{2}$/);
  });
  it('keeps the picture aspect and picks a grid where every camera shows', () => {
    expect(fitThumbnail(48, 27, 38, 7)).toEqual({ columns: 25, rows: 7 });
    const grid = tileGrid(4, 80, 20);
    expect(grid.cols * grid.visibleRows).toBeGreaterThanOrEqual(4);
    expect(tileGrid(26, 80, 20).tileWidth).toBeGreaterThanOrEqual(16);
  });
});
