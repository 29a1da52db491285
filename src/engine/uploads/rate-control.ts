import type { Schedule, ScheduleTimeZone } from '../../core/schedule.ts';
import { type EffectiveRate, effectiveRate } from '../../core/upload-rate.ts';
import type { BandwidthGate } from './bandwidth-gate.ts';

// The design promises a schedule boundary takes effect within a second.
const CHECK_MS = 250;

/**
 * Keeps the gate's rate at what the schedule (or the operator's override) says now.
 */
export class RateControl {
  readonly #gate: BandwidthGate;
  #schedule: Schedule;
  #fallback: number | null;
  #override: number | null | undefined;
  readonly #timeZone: ScheduleTimeZone;
  readonly #clock: () => Date;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: {
    gate: BandwidthGate;
    schedule: Schedule;
    fallback: number | null;
    timeZone?: ScheduleTimeZone;
    clock?: () => Date;
  }) {
    this.#gate = options.gate;
    this.#schedule = options.schedule;
    this.#fallback = options.fallback;
    this.#timeZone = options.timeZone ?? 'local';
    this.#clock = options.clock ?? (() => new Date());
  }

  start(): void {
    this.apply();
    this.#timer ??= setInterval(() => this.apply(), CHECK_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** null = unlimited, 0 = off, undefined = back to the schedule. */
  setOverride(bytesPerSecond: number | null | undefined): EffectiveRate {
    this.#override = bytesPerSecond;
    return this.apply();
  }

  setSchedule(schedule: Schedule, fallback: number | null): EffectiveRate {
    this.#schedule = schedule;
    this.#fallback = fallback;
    return this.apply();
  }

  /** The rate in force now, applied to the gate. */
  apply(): EffectiveRate {
    const rate = effectiveRate(
      {
        schedule: this.#schedule,
        fallback: this.#fallback,
        ...(this.#override !== undefined ? { override: this.#override } : {}),
      },
      this.#clock(),
      this.#timeZone,
    );
    this.#gate.setRate(rate.bytesPerSecond);
    return rate;
  }
}
