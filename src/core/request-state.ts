/**
 * Which video request states may follow which (DESIGN.md, Data flows: Video request).
 * Pure so the service, the engine and the console agree on one table.
 */
import type { RequestState } from '../protocol/service.ts';

const next: Record<RequestState, readonly RequestState[]> = {
  received: ['exporting', 'held', 'approved', 'denied', 'expired', 'failed'],
  exporting: ['held', 'approved', 'denied', 'expired', 'failed'],
  held: ['approved', 'denied', 'expired', 'failed'],
  // An approval may come while the export still runs: the engine then delivers when ready.
  approved: ['delivering', 'delivered', 'failed'],
  delivering: ['delivered', 'failed'],
  denied: ['destroyed', 'failed'],
  expired: ['destroyed', 'failed'],
  delivered: [],
  destroyed: [],
  failed: [],
};

export function canMoveTo(from: RequestState, to: RequestState): boolean {
  return next[from].includes(to);
}

/** Still waiting for approve or deny. */
export const undecidedStates: readonly RequestState[] = ['received', 'exporting', 'held'];

export function isUndecided(state: RequestState): boolean {
  return undecidedStates.includes(state);
}
