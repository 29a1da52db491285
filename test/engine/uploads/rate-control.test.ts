import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSchedule, type Schedule } from '../../../src/core/schedule.ts';
import { BandwidthGate } from '../../../src/engine/uploads/bandwidth-gate.ts';
import { RateControl } from '../../../src/engine/uploads/rate-control.ts';

function schedule(entries: string[]): Schedule {
  const result = parseSchedule(entries);
  if (!result.ok) throw new Error('bad schedule');
  return result.schedule;
}

/** 2M on weekdays 08:00-18:00, off the rest of the time, in UTC, on `clock`. */
function weekdaysThenOff(clock: () => Date) {
  const gate = new BandwidthGate(null);
  const control = new RateControl({
    gate,
    schedule: schedule(['Mon-Fri 08:00-18:00 2M', '* 18:00-08:00 off']),
    fallback: null,
    timeZone: 'UTC',
    clock,
  });
  return { gate, control };
}

describe('RateControl', () => {
  it('follows the schedule as the clock crosses a boundary, and the override beats it', () => {
    let now = new Date('2024-01-01T17:59:59Z'); // a Monday
    const { gate, control } = weekdaysThenOff(() => now);
    expect(control.apply()).toMatchObject({
      bytesPerSecond: 2 * 1024 * 1024,
      source: 'schedule',
      nextChange: new Date('2024-01-01T18:00:00Z'),
      nextBytesPerSecond: 0,
    });
    now = new Date('2024-01-01T18:00:00Z');
    control.apply();
    expect(gate.open).toBe(false);
    expect(control.setOverride(1024).source).toBe('override');
    expect(gate.bytesPerSecond).toBe(1024);
    control.setOverride(undefined);
    expect(gate.bytesPerSecond).toBe(0);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('once started, closes the gate within a second of a window starting, by itself', () => {
    vi.useFakeTimers();
    let now = new Date('2024-01-01T17:59:59.900Z');
    const { gate, control } = weekdaysThenOff(() => now);
    control.start();
    expect(gate.bytesPerSecond).toBe(2 * 1024 * 1024);
    // The window "off" starts; nobody calls apply(): the control's own check must see it.
    now = new Date('2024-01-01T18:00:00.000Z');
    vi.advanceTimersByTime(999);
    expect(gate.open).toBe(false);
    control.stop();
  });
});
