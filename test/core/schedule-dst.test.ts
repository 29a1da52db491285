/**
 * Local-time evaluation across daylight-saving changes. Node re-reads TZ when it is assigned,
 * so this file pins America/New_York (US rules: 2025-03-09 02:00 EST -> 03:00 EDT,
 * 2025-11-02 02:00 EDT -> 01:00 EST) and restores the previous zone afterwards.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSchedule, parseSchedule, type Schedule } from '../../src/core/schedule.ts';
import {
  referenceNextChange,
  referenceWeek,
  scheduleArb,
  WEEK,
  weekMinuteAt,
} from './schedule-fixtures.ts';

const previousTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  if (previousTz === undefined) delete process.env.TZ;
  else process.env.TZ = previousTz;
});

const MIB = 1024 * 1024;
const localOffset = (ms: number) => -new Date(ms).getTimezoneOffset();
const utc = (iso: string) => new Date(`${iso}Z`);

function schedule(text: string): Schedule {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.schedule;
}

describe('evaluateSchedule across DST (America/New_York)', () => {
  it('runs in the zone the test pinned', () => {
    expect(new Date('2025-01-15T12:00:00Z').getTimezoneOffset()).toBe(300);
    expect(new Date('2025-07-15T12:00:00Z').getTimezoneOffset()).toBe(240);
  });

  it('keeps wall-clock boundaries after spring forward', () => {
    const s = schedule('* 08:00-18:00 2M');
    // Saturday 20:00 EST; Sunday 08:00 is EDT, one hour earlier in UTC than a naive +24h.
    const result = evaluateSchedule(s, utc('2025-03-09T01:00:00'));
    expect(result.nextChange).toEqual(utc('2025-03-09T12:00:00'));
    expect(result.nextBytesPerSecond).toBe(2 * MIB);
  });

  it('changes at the jump when the boundary falls into the skipped hour', () => {
    const s = schedule('Sun 02:30-05:00 off');
    const before = evaluateSchedule(s, utc('2025-03-09T06:00:00')); // 01:00 EST
    expect(before).toMatchObject({ bytesPerSecond: null, nextBytesPerSecond: 0 });
    // 02:30 never happens: at 07:00Z the clock reads 03:00, inside the window.
    expect(before.nextChange).toEqual(utc('2025-03-09T07:00:00'));
    const during = evaluateSchedule(s, utc('2025-03-09T07:00:00'));
    expect(during.bytesPerSecond).toBe(0);
    expect(during.nextChange).toEqual(utc('2025-03-09T09:00:00')); // 05:00 EDT
  });

  it('skips a window that lies entirely in the skipped hour', () => {
    const s = schedule('Sun 02:10-02:50 off');
    const result = evaluateSchedule(s, utc('2025-03-09T06:00:00'));
    // Not this Sunday: the next 02:10 is a week later, in EDT.
    expect(result.nextChange).toEqual(utc('2025-03-16T06:10:00'));
  });

  it('runs a window twice when fall back repeats its hour', () => {
    const s = schedule('Sun 01:30-02:00 off');
    const steps = [
      ['2025-11-02T04:00:00', '2025-11-02T05:30:00', 0], // 00:00 EDT -> 01:30 EDT
      ['2025-11-02T05:30:00', '2025-11-02T06:00:00', null], // back to 01:00 EST
      ['2025-11-02T06:00:00', '2025-11-02T06:30:00', 0], // 01:30 EST again
      ['2025-11-02T06:30:00', '2025-11-02T07:00:00', null], // 02:00 EST
    ] as const;
    for (const [from, next, rate] of steps) {
      const result = evaluateSchedule(s, utc(from));
      expect(result.nextChange).toEqual(utc(next));
      expect(result.nextBytesPerSecond).toBe(rate);
    }
  });

  // Instants within a week of either change, where the mapping back from wall time matters.
  const nearDstArb = fc.oneof(
    fc.date({
      min: utc('2025-03-02T00:00:00'),
      max: utc('2025-03-10T00:00:00'),
      noInvalidDate: true,
    }),
    fc.date({
      min: utc('2025-10-26T00:00:00'),
      max: utc('2025-11-03T00:00:00'),
      noInvalidDate: true,
    }),
  );

  it('agrees with a minute-by-minute reference in local time', () => {
    fc.assert(
      fc.property(scheduleArb, nearDstArb, (s, date) => {
        const week = referenceWeek(s);
        const ms = date.getTime();
        const result = evaluateSchedule(s, date);
        expect(result.bytesPerSecond).toBe(week[weekMinuteAt(ms, localOffset(ms))]);
        // Three weeks: a rate that differs only inside the skipped hour comes a week later.
        const expected = referenceNextChange(week, ms, localOffset, 3 * WEEK);
        expect(result.nextChange?.getTime() ?? null).toBe(expected?.ms ?? null);
        expect(result.nextBytesPerSecond).toBe(expected?.rate ?? null);
      }),
      { numRuns: 200 },
    );
  });
});
