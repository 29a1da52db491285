/**
 * The bandwidth in force for uploads: the operator's override beats the schedule, and the
 * config's `uploads.bandwidth` applies where no schedule entry does (DESIGN.md, Schedule).
 */

import { evaluateSchedule, type Schedule, type ScheduleTimeZone } from './schedule.ts';

export type RateSource = 'override' | 'schedule' | 'default';

export type RatePlan = {
  schedule: Schedule;
  /** Rate outside every schedule entry; null = unlimited. */
  fallback: number | null;
  /** Operator override; undefined = follow the schedule. */
  override?: number | null;
};

export type EffectiveRate = {
  bytesPerSecond: number | null;
  source: RateSource;
  /** When the schedule next changes the rate; null under an override or when it never does. */
  nextChange: Date | null;
  nextBytesPerSecond: number | null;
};

export function effectiveRate(
  plan: RatePlan,
  at: Date,
  timeZone: ScheduleTimeZone = 'local',
): EffectiveRate {
  if (plan.override !== undefined) {
    return {
      bytesPerSecond: plan.override,
      source: 'override',
      nextChange: null,
      nextBytesPerSecond: null,
    };
  }
  // evaluateSchedule reads "no entry" as unlimited, where here it means the fallback: hop over
  // its changes until the rate as read here really changes. (A change from a gap into an
  // `unlimited` entry is not among its changes, so that one alone goes unannounced.)
  const rateAt = (when: Date) => {
    const evaluation = evaluateSchedule(plan.schedule, when, timeZone);
    return {
      evaluation,
      bytesPerSecond: evaluation.entry ? evaluation.entry.bytesPerSecond : plan.fallback,
    };
  };
  const now = rateAt(at);
  const current = {
    bytesPerSecond: now.bytesPerSecond,
    source: now.evaluation.entry ? ('schedule' as const) : ('default' as const),
  };
  let next = now.evaluation.nextChange;
  for (let hops = 0; next !== null && hops < 64; hops++) {
    const then = rateAt(next);
    if (then.bytesPerSecond !== now.bytesPerSecond) {
      return { ...current, nextChange: next, nextBytesPerSecond: then.bytesPerSecond };
    }
    next = then.evaluation.nextChange;
  }
  return { ...current, nextChange: null, nextBytesPerSecond: null };
}
