import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatEta,
  formatRate,
  formatRateSpec,
  formatRelative,
  logSizeBytes,
  parseDuration,
  parseRate,
  RATE_FORMS,
  splitList,
} from '../../src/core/format.ts';

const KIB = 1024;
const MIB = KIB * KIB;
const GIB = KIB * MIB;

describe('parseRate', () => {
  it.each([
    ['off', 0],
    ['OFF', 0],
    [' unlimited ', null],
    ['Unlimited', null],
    ['0', 0],
    ['800', 800],
    ['800B', 800],
    ['800 B/s', 800],
    ['10/s', 10],
    ['512K', 512 * KIB],
    ['512k', 512 * KIB],
    ['2M', 2 * MIB],
    ['2MB/s', 2 * MIB],
    ['2MiB/s', 2 * MIB],
    ['2.0 MiB/s', 2 * MIB],
    ['1.5M', 1.5 * MIB],
    ['.5K', 512],
    ['1G', GIB],
    ['1.25g', 1.25 * GIB],
    ['2T', 2 * KIB * GIB],
  ])('reads %j', (text, bytesPerSecond) => {
    expect(parseRate(text)).toEqual({ ok: true, bytesPerSecond });
  });

  it.each([
    ['', 'found nothing'],
    ['-2M', 'found "-2M" (a rate cannot be negative)'],
    ['fast', 'found "fast"'],
    ['NaN', 'found "NaN"'],
    ['2X', 'found "2X"'],
    ['2M/h', 'found "2M/h"'],
    ['1e3', 'found "1e3"'],
    ['0.1', 'found "0.1" (below 1 byte/s: write off to stop uploads)'],
    ['99999999999G', 'found "99999999999G" (too large)'],
  ])('rejects %j and says what it takes', (text, ending) => {
    expect(parseRate(text)).toEqual({
      ok: false,
      message: `expected a rate such as ${RATE_FORMS}; ${ending}`,
    });
  });

  it('reads back formatRateSpec exactly', () => {
    fc.assert(
      fc.property(fc.option(fc.maxSafeNat(), { nil: null }), (rate) => {
        expect(parseRate(formatRateSpec(rate))).toEqual({ ok: true, bytesPerSecond: rate });
      }),
    );
    expect([formatRateSpec(2 * MIB), formatRateSpec(1.5 * MIB), formatRateSpec(800)]).toEqual([
      '2M',
      '1536K',
      '800',
    ]);
  });

  it('reads back formatRate within its display rounding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 50 }), (rate) => {
        const parsed = parseRate(formatRate(rate));
        if (!parsed.ok || parsed.bytesPerSecond === null) throw new Error(formatRate(rate));
        // One decimal on a value of at least 1 in its unit: off by at most 5 %, and
        // whole bytes below 1 KiB are exact.
        if (rate < KIB) expect(parsed.bytesPerSecond).toBe(rate);
        expect(Math.abs(parsed.bytesPerSecond - rate)).toBeLessThanOrEqual(rate * 0.05 + 0.5);
      }),
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['500ms', 500],
    ['1m500ms', 60_500],
    ['1.5h', 5_400_000],
    ['0s', 0],
    ['3M 05S', 185_000],
  ])('reads %j', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['', 'nothing'],
    ['10', '"10"'],
    ['5x', '"5x"'],
    ['h', '"h"'],
    ['-5s', '"-5s"'],
    ['1h30', '"1h30"'],
  ])('rejects %j', (text, found) => {
    expect(parseDuration(text)).toEqual({
      ok: false,
      message: `expected a duration such as 90s, 15m, 1h30m, 7d, 2w or 500ms; found ${found}`,
    });
  });

  it('reads back formatDuration, losing only the units it leaves out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => {
        const parsed = parseDuration(formatDuration(ms));
        if (!parsed.ok) throw new Error(formatDuration(ms));
        const resolution =
          ms < 1000 ? 1 : ms < 3_600_000 ? 1000 : ms < 86_400_000 ? 60_000 : 3_600_000;
        expect(parsed.ms).toBeLessThanOrEqual(ms);
        expect(ms - parsed.ms).toBeLessThan(resolution);
      }),
    );
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [20 * MIB, '20.0 MiB'],
    [GIB, '1.00 GiB'],
    [1.04 * GIB, '1.04 GiB'],
    [MIB - 1, '1.0 MiB'],
    [5 * KIB * GIB, '5.00 TiB'],
    [-1536, '-1.5 KiB'],
    [Number.NaN, '—'],
  ])('formats %d as %j', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('never shows 1024 or more of a unit below PiB', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const [value] = formatBytes(n).split(' ');
        expect(Number(value)).toBeLessThan(1024);
      }),
    );
  });
});

describe('formatRate', () => {
  it('shows a rate, unlimited or off', () => {
    expect(formatRate(2 * MIB)).toBe('2.0 MiB/s');
    expect(formatRate(800)).toBe('800 B/s');
    expect(formatRate(null)).toBe('unlimited');
    expect(formatRate(0)).toBe('off');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [45_000, '45s'],
    [185_000, '3m 05s'],
    [2 * 3_600_000 + 4 * 60_000 + 59_000, '2h 04m'],
    [3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '3d 4h'],
    [-45_000, '-45s'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('formats %d as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatEta', () => {
  it('divides the remaining bytes by the rate, rounding up', () => {
    expect(formatEta(2 * MIB, MIB)).toBe('2s');
    expect(formatEta(MIB + 1, MIB)).toBe('1s');
    expect(formatEta(200 * MIB, MIB)).toBe('3m 20s');
    expect(formatEta(0, 0)).toBe('0s');
  });

  it('shows — when the time cannot be known', () => {
    expect(formatEta(1000, null)).toBe('—');
    expect(formatEta(1000, 0)).toBe('—');
    expect(formatEta(Number.NaN, MIB)).toBe('—');
  });
});

describe('formatRelative', () => {
  const now = new Date('2025-06-02T10:00:00Z');
  const offset = (ms: number) => new Date(now.getTime() + ms);

  it.each([
    [-3 * 60_000, '3m ago'],
    [2 * 3_600_000, 'in 2h'],
    [-59_999, '59s ago'],
    [-500, 'now'],
    [0, 'now'],
    [3 * 86_400_000 + 5, 'in 3d'],
  ])('shows %d ms from now as %j', (ms, text) => {
    expect(formatRelative(offset(ms), now)).toBe(text);
  });
});

describe('logSizeBytes', () => {
  it.each([
    ['10m', 10 * MIB],
    ['512k', 512 * KIB],
    ['1G', GIB],
    ['300b', 300],
    ['2', 2 * MIB],
    ['1.5m', 1.5 * MIB],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(logSizeBytes(text)).toBe(bytes);
  });
});

describe('splitList', () => {
  it('splits on ; and newlines, trims, and drops blanks', () => {
    expect(splitList(' Mon-Fri 08:00-18:00 2M ;\n; * * unlimited\n')).toEqual([
      'Mon-Fri 08:00-18:00 2M',
      '* * unlimited',
    ]);
    expect(splitList(' ; \n ')).toEqual([]);
  });
});
