import { describe, expect, it } from 'vitest';
import { parseSchedule, type Schedule } from '../../src/core/schedule.ts';
import { effectiveRate } from '../../src/core/upload-rate.ts';

const M = 1024 * 1024;

function schedule(entries: string[]): Schedule {
  const result = parseSchedule(entries);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.schedule;
}

// Monday 2024-01-01 in UTC.
const monday = (hhmm: string) => new Date(`2024-01-01T${hhmm}:00Z`);

describe('effectiveRate', () => {
  it('skips schedule changes that the fallback makes no change', () => {
    // 10M in the evening, and 10M outside every entry: 18:00 and 20:00 change nothing.
    const flat = { schedule: schedule(['Mon 18:00-20:00 10M', 'Tue off']), fallback: 10 * M };
    expect(effectiveRate(flat, monday('09:00'), 'UTC')).toMatchObject({
      bytesPerSecond: 10 * M,
      nextChange: new Date('2024-01-02T00:00:00Z'),
      nextBytesPerSecond: 0,
    });
  });

  const plan = { schedule: schedule(['Mon-Fri 08:00-18:00 2M', 'Sat-Sun off']), fallback: 10 * M };

  it('takes the schedule entry in force', () => {
    expect(effectiveRate(plan, monday('09:00'), 'UTC')).toEqual({
      bytesPerSecond: 2 * M,
      source: 'schedule',
      nextChange: monday('18:00'),
      nextBytesPerSecond: 10 * M,
    });
  });

  it('falls back to uploads.bandwidth outside every entry', () => {
    expect(effectiveRate(plan, monday('19:00'), 'UTC')).toEqual({
      bytesPerSecond: 10 * M,
      source: 'default',
      nextChange: new Date('2024-01-02T08:00:00Z'),
      nextBytesPerSecond: 2 * M,
    });
  });

  it("lets the operator's override win, including unlimited and off", () => {
    expect(effectiveRate({ ...plan, override: null }, monday('09:00'), 'UTC')).toEqual({
      bytesPerSecond: null,
      source: 'override',
      nextChange: null,
      nextBytesPerSecond: null,
    });
    expect(effectiveRate({ ...plan, override: 0 }, monday('19:00'), 'UTC').bytesPerSecond).toBe(0);
  });
});
