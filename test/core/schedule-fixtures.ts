/**
 * Arbitraries and a brute-force reference shared by the schedule tests. The reference paints
 * a 10,080-minute week array entry by entry, a different route from the code under test,
 * so agreement between the two means something.
 */

import fc from 'fast-check';
import type { Schedule, ScheduleEntry } from '../../src/core/schedule.ts';

export const DAY = 1440;
export const WEEK = 7 * DAY;
export const MINUTE_MS = 60_000;
const MIB = 1024 * 1024;

// A few repeated rates, so neighbouring windows often share a rate and nextChange must skip
// boundaries where nothing changes.
export const rateArb: fc.Arbitrary<number | null> = fc.oneof(
  fc.constantFrom(null, 0, MIB, 2 * MIB),
  fc.integer({ min: 1, max: 2 ** 40 }),
);

const timeRangeArb = fc.oneof(
  fc.constant({ startMinute: 0, endMinute: DAY }),
  fc
    .tuple(fc.integer({ min: 0, max: DAY - 1 }), fc.integer({ min: 0, max: DAY }))
    .filter(([start, end]) => start !== end)
    .map(([startMinute, endMinute]) => ({ startMinute, endMinute })),
  // Hour-aligned windows make overlaps and shared boundaries likely.
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 24 }))
    .filter(([start, end]) => start !== end)
    .map(([start, end]) => ({ startMinute: start * 60, endMinute: end * 60 })),
);

export const entryArb: fc.Arbitrary<ScheduleEntry> = fc
  .record({
    days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
    range: timeRangeArb,
    bytesPerSecond: rateArb,
  })
  .map(({ days, range, bytesPerSecond }) => ({
    text: '',
    days: [...days].sort((a, b) => a - b),
    ...range,
    bytesPerSecond,
  }));

export const scheduleArb: fc.Arbitrary<Schedule> = fc
  .array(entryArb, { minLength: 0, maxLength: 5 })
  .map((entries) => ({ entries }));

/** Rate per minute of the week (0 = Sunday 00:00); later entries painted first, so the first wins. */
export function referenceWeek(schedule: Schedule): (number | null)[] {
  const week: (number | null)[] = new Array(WEEK).fill(null);
  for (const entry of [...schedule.entries].reverse()) {
    const length =
      entry.startMinute < entry.endMinute
        ? entry.endMinute - entry.startMinute
        : DAY - entry.startMinute + entry.endMinute;
    for (const day of entry.days) {
      const start = day * DAY + entry.startMinute;
      for (let i = 0; i < length; i++) week[(start + i) % WEEK] = entry.bytesPerSecond;
    }
  }
  return week;
}

/** Week minute of an instant from its UTC offset in minutes east (1970-01-01 was a Thursday). */
export function weekMinuteAt(ms: number, offsetEastMinutes: number): number {
  const minutes = Math.floor(ms / MINUTE_MS) + offsetEastMinutes + 4 * DAY;
  return ((minutes % WEEK) + WEEK) % WEEK;
}

/**
 * Brute force: walk real minute starts after `at` until the rate differs. Valid when UTC
 * offsets are whole minutes, so wall minutes and offset changes both fall on real minute starts.
 */
export function referenceNextChange(
  week: (number | null)[],
  at: number,
  offsetAt: (ms: number) => number,
  limitMinutes = WEEK + 24 * 60,
): { ms: number; rate: number | null } | null {
  const current = week[weekMinuteAt(at, offsetAt(at))] ?? null;
  let t = Math.floor(at / MINUTE_MS) * MINUTE_MS;
  for (let i = 0; i < limitMinutes; i++) {
    t += MINUTE_MS;
    const rate = week[weekMinuteAt(t, offsetAt(t))] ?? null;
    if (rate !== current) return { ms: t, rate };
  }
  return null;
}
