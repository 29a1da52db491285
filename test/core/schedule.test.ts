import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateSchedule,
  formatScheduleEntry,
  formatScheduleWindow,
  parseSchedule,
  parseScheduleEntry,
  type Schedule,
  type ScheduleEntry,
} from '../../src/core/schedule.ts';
import {
  DAY,
  entryArb,
  referenceNextChange,
  referenceWeek,
  scheduleArb,
  WEEK,
  weekMinuteAt,
} from './schedule-fixtures.ts';

const MIB = 1024 * 1024;
const utc = () => 0;

function schedule(text: string): Schedule {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.schedule;
}

function entry(text: string): ScheduleEntry {
  const result = parseScheduleEntry(text);
  if (!result.ok) throw new Error(result.message);
  return result.entry;
}

const withoutText = ({ text: _text, ...rest }: ScheduleEntry) => rest;

/** A whole-day entry's text spelled with `*` as its time part; other entries unchanged. */
const starTime = (text: string): string => {
  const [days, second, third] = text.split(' ');
  return third === undefined ? `${days} * ${second}` : text;
};

// 2025-06-02 is a Monday.
const at = (iso: string) => new Date(`${iso}Z`);

describe('parseScheduleEntry', () => {
  it('reads days, time range and rate', () => {
    expect(entry('Mon-Fri 08:00-18:00 2M')).toEqual({
      text: 'Mon-Fri 08:00-18:00 2M',
      days: [1, 2, 3, 4, 5],
      startMinute: 480,
      endMinute: 1080,
      bytesPerSecond: 2 * MIB,
    });
  });

  it('reads whole-day entries, wrapping ranges, lists and full names', () => {
    expect(withoutText(entry('Sat-Sun off'))).toEqual({
      days: [0, 6],
      startMinute: 0,
      endMinute: DAY,
      bytesPerSecond: 0,
    });
    expect(entry('Sat-Mon unlimited').days).toEqual([0, 1, 6]);
    expect(entry('Mon-Wed,Sat 1M').days).toEqual([1, 2, 3, 6]);
    expect(entry('monday,FRIDAY 1M').days).toEqual([1, 5]);
    expect(entry('* 18:00-08:00 unlimited').days).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(entry('Sun 8:00-24:00 512K')).toMatchObject({ startMinute: 480, endMinute: DAY });
    expect(entry('  Tue   1.5M  ')).toMatchObject({ text: 'Tue   1.5M', days: [2] });
  });

  it('reads * as the time part for the whole day, as if it were left out', () => {
    expect(withoutText(entry('* * unlimited'))).toEqual(withoutText(entry('* unlimited')));
    expect(withoutText(entry('Mon-Fri * 2M'))).toEqual({
      days: [1, 2, 3, 4, 5],
      startMinute: 0,
      endMinute: DAY,
      bytesPerSecond: 2 * MIB,
    });
    // The canonical text leaves the time part out; it reads back to the same entry.
    expect(formatScheduleEntry(entry('Sat,Sun * off'))).toBe('Sat,Sun off');
  });

  it('keeps an overnight range as an end before the start', () => {
    expect(entry('Fri 18:00-08:00 1M')).toMatchObject({ startMinute: 1080, endMinute: 480 });
  });

  it.each([
    [
      'Mnd 08:00-18:00 2M',
      1,
      'expected a day (Mon..Sun, *, Mon-Fri or Sat,Sun) at column 1, found "Mnd"',
    ],
    ['Mon-Frx 2M', 5, 'expected a day (Mon..Sun, *, Mon-Fri or Sat,Sun) at column 5, found "Frx"'],
    [
      'Sat,,Sun off',
      5,
      'expected a day (Mon..Sun, *, Mon-Fri or Sat,Sun) at column 5, found nothing',
    ],
    ['Mon- off', 5, 'expected a day (Mon..Sun, *, Mon-Fri or Sat,Sun) at column 5, found nothing'],
    ['', 1, 'expected a day (Mon..Sun, *, Mon-Fri or Sat,Sun) at column 1, found end of entry'],
    [
      'Mon',
      4,
      'expected a time range or a rate (2M, 512K, 800, off or unlimited) at column 4, found end of entry',
    ],
    [
      'Mon 08:00-25:00 2M',
      11,
      'expected a time HH:MM (00:00 to 24:00) at column 11, found "25:00"',
    ],
    ['Mon 8h-18:00 2M', 5, 'expected a time HH:MM (00:00 to 24:00) at column 5, found "8h"'],
    ['Mon 08:00 2M', 5, 'expected a time range HH:MM-HH:MM or * at column 5, found "08:00"'],
    ['Mon 24:00-08:00 2M', 5, 'expected a start time before 24:00 at column 5, found "24:00"'],
    [
      'Mon 08:00-08:00 2M',
      11,
      'expected an end time other than the start at column 11, found "08:00" (for the whole day, write *)',
    ],
    [
      'Mon 08:00-18:00',
      16,
      'expected a rate (2M, 512K, 800, off or unlimited) at column 16, found end of entry',
    ],
    ['* *', 4, 'expected a rate (2M, 512K, 800, off or unlimited) at column 4, found end of entry'],
    ['Mon * *', 7, 'expected a rate (2M, 512K, 800, off or unlimited) at column 7, found "*"'],
    ['* * 2M off', 8, 'expected end of entry at column 8, found "off"'],
    ['Mon fast', 5, 'expected a rate (2M, 512K, 800, off or unlimited) at column 5, found "fast"'],
    ['Mon 08:00-18:00 2M extra', 20, 'expected end of entry at column 20, found "extra"'],
  ])('rejects %j at column %i', (text, column, message) => {
    expect(parseScheduleEntry(text)).toEqual({ ok: false, column, message });
  });

  it('round-trips formatScheduleEntry for any valid entry', () => {
    fc.assert(
      fc.property(entryArb, (e) => {
        const text = formatScheduleEntry(e);
        const parsed = parseScheduleEntry(text);
        expect(parsed).toEqual({ ok: true, entry: { ...e, text } });
      }),
      { numRuns: 500 },
    );
  });

  it('reads DAYS * RATE like DAYS RATE for any whole-day entry', () => {
    const wholeDay = entryArb.filter((e) => e.startMinute === 0 && e.endMinute === DAY);
    fc.assert(
      fc.property(wholeDay, (e) => {
        const text = starTime(formatScheduleEntry(e));
        expect(parseScheduleEntry(text)).toEqual({ ok: true, entry: { ...e, text } });
      }),
    );
  });

  it('reads any spelling of a day set to the same days', () => {
    const names = ['sun', 'Mon', 'TUE', 'Wednesday', 'thu', 'Fri', 'saturday'];
    const itemArb = fc.oneof(
      fc.integer({ min: 0, max: 6 }).map((d) => ({ text: names[d] as string, days: [d] })),
      fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })).map(([a, b]) => {
        const days: number[] = [];
        for (let d = a; ; d = (d + 1) % 7) {
          days.push(d);
          if (d === b) break;
        }
        return { text: `${names[a]}-${names[b]}`, days };
      }),
      fc.constant({ text: '*', days: [0, 1, 2, 3, 4, 5, 6] }),
    );
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 4 }), (items) => {
        const expected = [...new Set(items.flatMap((item) => item.days))].sort((a, b) => a - b);
        expect(entry(`${items.map((item) => item.text).join(',')} off`).days).toEqual(expected);
      }),
    );
  });

  it('puts every error at a column within the entry (or just past its end)', () => {
    const unit = fc.constantFrom(...'MonTuWedFriSat*,-:0123456789 offunlimitedKMG/s'.split(''));
    const canonical = entryArb.map(formatScheduleEntry);
    const validText = fc.oneof(canonical, canonical.map(starTime));
    // Valid entries with one character changed reach the errors deep inside an entry.
    const mutatedArb = fc
      .tuple(validText, fc.nat(), unit)
      .map(
        ([text, i, c]) => text.slice(0, i % text.length) + c + text.slice((i % text.length) + 1),
      );
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit, maxLength: 30 }), mutatedArb), (text) => {
        const result = parseScheduleEntry(text);
        if (result.ok) return;
        expect(result.column).toBeGreaterThanOrEqual(1);
        expect(result.column).toBeLessThanOrEqual(text.length + 1);
        expect(result.message).toContain(`at column ${result.column}, found `);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseSchedule', () => {
  it('reads the whole-day catch-all after a window, first match first', () => {
    const result = parseSchedule('Mon-Fri 08:00-18:00 2M; * * unlimited');
    expect(result.ok && result.schedule.entries.map(withoutText)).toEqual([
      { days: [1, 2, 3, 4, 5], startMinute: 480, endMinute: 1080, bytesPerSecond: 2 * MIB },
      { days: [0, 1, 2, 3, 4, 5, 6], startMinute: 0, endMinute: DAY, bytesPerSecond: null },
    ]);
  });

  it('splits a string on semicolons and newlines, skipping blank pieces', () => {
    const result = parseSchedule('Mon-Fri 08:00-18:00 2M; Sat-Sun off\n\n* 18:00-08:00 unlimited;');
    expect(result.ok && result.schedule.entries.map((e) => e.text)).toEqual([
      'Mon-Fri 08:00-18:00 2M',
      'Sat-Sun off',
      '* 18:00-08:00 unlimited',
    ]);
  });

  it('reports every bad entry with its index, not only the first', () => {
    expect(parseSchedule('Mon-Fri 08:00-18:00 2M; Mnd off\nSat 25:00-01:00 1M')).toEqual({
      ok: false,
      errors: [
        {
          index: 1,
          entry: 'Mnd off',
          column: 1,
          message: 'expected a day (Mon..Sun, *, Mon-Fri or Sat,Sun) at column 1, found "Mnd"',
        },
        {
          index: 2,
          entry: 'Sat 25:00-01:00 1M',
          column: 5,
          message: 'expected a time HH:MM (00:00 to 24:00) at column 5, found "25:00"',
        },
      ],
    });
  });

  it('uses array indexes for array input', () => {
    const result = parseSchedule(['Mon 1M', '', 'Tue 1X']);
    expect(result.ok ? [] : result.errors.map((e) => e.index)).toEqual([2]);
  });

  it('accepts an empty schedule', () => {
    expect(parseSchedule('')).toEqual({ ok: true, schedule: { entries: [] } });
    expect(parseSchedule([])).toEqual({ ok: true, schedule: { entries: [] } });
  });
});

describe('evaluateSchedule', () => {
  const office = schedule('Mon-Fri 08:00-18:00 2M; Sat-Sun off; * 18:00-08:00 unlimited');

  it('applies the first matching entry', () => {
    const result = evaluateSchedule(office, at('2025-06-02T10:30:00'), 'UTC');
    expect(result).toMatchObject({ bytesPerSecond: 2 * MIB, nextBytesPerSecond: null });
    expect(result.entry?.text).toBe('Mon-Fri 08:00-18:00 2M');
    expect(result.nextChange).toEqual(at('2025-06-02T18:00:00'));
  });

  it('is unlimited where no entry matches, and never changes for an empty schedule', () => {
    expect(evaluateSchedule({ entries: [] }, at('2025-06-02T10:30:00'), 'UTC')).toEqual({
      bytesPerSecond: null,
      entry: null,
      nextChange: null,
      nextBytesPerSecond: null,
    });
    const result = evaluateSchedule(schedule('Mon 1M'), at('2025-06-03T10:00:00'), 'UTC');
    expect(result).toMatchObject({ bytesPerSecond: null, entry: null, nextBytesPerSecond: MIB });
    expect(result.nextChange).toEqual(at('2025-06-09T00:00:00'));
  });

  it('has no next change when every minute has the same rate', () => {
    const result = evaluateSchedule(schedule('* unlimited'), at('2025-06-02T10:30:00'), 'UTC');
    expect(result.nextChange).toBeNull();
    const same = schedule('Mon-Fri 08:00-18:00 2M; * 2M');
    expect(evaluateSchedule(same, at('2025-06-02T10:30:00'), 'UTC').nextChange).toBeNull();
  });

  it('skips boundaries where the rate stays the same', () => {
    const s = schedule('Mon 08:00-12:00 1M; Mon 12:00-18:00 1M');
    const result = evaluateSchedule(s, at('2025-06-02T09:00:00'), 'UTC');
    expect(result.nextChange).toEqual(at('2025-06-02T18:00:00'));
  });

  it('runs an overnight entry past midnight, on the days it starts on', () => {
    const s = schedule('Fri 22:00-06:00 off');
    expect(evaluateSchedule(s, at('2025-06-07T05:59:59'), 'UTC').bytesPerSecond).toBe(0); // Sat
    expect(evaluateSchedule(s, at('2025-06-07T06:00:00'), 'UTC').bytesPerSecond).toBeNull();
    expect(evaluateSchedule(s, at('2025-06-05T05:00:00'), 'UTC').bytesPerSecond).toBeNull(); // Thu
    const evening = evaluateSchedule(s, at('2025-06-06T23:00:00'), 'UTC');
    expect(evening.nextChange).toEqual(at('2025-06-07T06:00:00'));
  });

  it('wraps the week from Saturday to Sunday', () => {
    const s = schedule('Sat 20:00-02:00 off; Sun 1M');
    const night = evaluateSchedule(s, at('2025-06-07T21:00:00'), 'UTC');
    expect(night).toMatchObject({ bytesPerSecond: 0, nextBytesPerSecond: MIB });
    expect(night.nextChange).toEqual(at('2025-06-08T02:00:00'));
    const sunday = evaluateSchedule(s, at('2025-06-08T03:00:00'), 'UTC');
    expect(sunday.nextChange).toEqual(at('2025-06-09T00:00:00'));
    const weekAhead = evaluateSchedule(s, at('2025-06-09T00:00:00'), 'UTC');
    expect(weekAhead.nextChange).toEqual(at('2025-06-14T20:00:00'));
  });

  const dateArb = fc.date({
    min: new Date('1971-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  });

  it('agrees with a minute-by-minute reference at any instant', () => {
    fc.assert(
      fc.property(scheduleArb, dateArb, (s, date) => {
        const week = referenceWeek(s);
        const result = evaluateSchedule(s, date, 'UTC');
        expect(result.bytesPerSecond).toBe(week[weekMinuteAt(date.getTime(), 0)]);
        const expected = referenceNextChange(week, date.getTime(), utc);
        expect(result.nextChange?.getTime() ?? null).toBe(expected?.ms ?? null);
        expect(result.nextBytesPerSecond).toBe(expected?.rate ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('changes the rate exactly at nextChange, and not before', () => {
    fc.assert(
      fc.property(scheduleArb, dateArb, (s, date) => {
        const result = evaluateSchedule(s, date, 'UTC');
        if (!result.nextChange) return;
        const next = result.nextChange.getTime();
        expect(next).toBeGreaterThan(date.getTime());
        const before = evaluateSchedule(s, new Date(next - 1), 'UTC');
        expect(before.bytesPerSecond).toBe(result.bytesPerSecond);
        expect(before.nextChange?.getTime()).toBe(next);
        const after = evaluateSchedule(s, new Date(next), 'UTC');
        expect(after.bytesPerSecond).not.toBe(result.bytesPerSecond);
        expect(after.bytesPerSecond).toBe(result.nextBytesPerSecond);
      }),
      { numRuns: 500 },
    );
  });

  it('defaults to local time', () => {
    const s = schedule('Mon 08:00-09:00 off');
    const local = new Date(2025, 5, 2, 8, 30);
    expect(evaluateSchedule(s, local).bytesPerSecond).toBe(0);
    expect(evaluateSchedule(s, local).nextChange).toEqual(new Date(2025, 5, 2, 9, 0));
  });

  it('keeps WEEK in line with the reference', () => {
    expect(referenceWeek({ entries: [] })).toHaveLength(WEEK);
  });
});

describe('formatScheduleWindow', () => {
  const s = schedule('Mon-Fri 08:00-18:00 2M; Sat-Sun off');

  it('names the time only when the change is today', () => {
    const now = at('2025-06-02T10:00:00');
    expect(formatScheduleWindow(evaluateSchedule(s, now, 'UTC'), now, 'UTC')).toBe(
      '2.0 MiB/s until 18:00 (then unlimited)',
    );
  });

  it('names the day when the change is on another day', () => {
    const now = at('2025-06-07T10:00:00');
    expect(formatScheduleWindow(evaluateSchedule(s, now, 'UTC'), now, 'UTC')).toBe(
      'off until Mon 00:00 (then unlimited)',
    );
  });

  it('says when nothing will change', () => {
    const now = at('2025-06-07T10:00:00');
    const result = evaluateSchedule(schedule('* 1M'), now, 'UTC');
    expect(formatScheduleWindow(result, now, 'UTC')).toBe('1.0 MiB/s (no scheduled change)');
  });
});
