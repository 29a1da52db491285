import { isUndecided } from '../../core/request-state.ts';
import type { RequestView } from '../../protocol/engine-state.ts';
import type { StoredClip, StoredRequest } from './request-record.ts';

/** Decided requests the inbox keeps showing, newest first, after every undecided one. */
const RECENT = 200;

const iso = (ms: number) => new Date(ms).toISOString();

/** A request as the inbox shows it. */
export function requestView(stored: StoredRequest, clips: StoredClip[]): RequestView {
  const { request } = stored;
  const remote = request.decision;
  return {
    id: stored.id,
    state: stored.state,
    requester: request.createdBy.name,
    caseId: request.caseId,
    cameras: clips.map((clip) => ({
      id: clip.cameraId,
      name: clip.cameraName,
      state: clip.state,
      bytes: clip.bytes,
      sha256: clip.sha256,
      gaps: clip.gaps.map((gap) => ({ from: iso(gap.fromMs), to: iso(gap.toMs) })),
      error: clip.error,
    })),
    from: isoZ(request.from),
    to: isoZ(request.to),
    reason: request.reason,
    receivedAt: stored.receivedAt,
    expiresAt: isoZ(stored.expiresAt),
    decision:
      stored.decision ??
      (remote
        ? {
            decision: remote.decision,
            by: remote.by.name,
            at: isoZ(remote.at),
            reason: remote.reason,
          }
        : null),
    failureReason: stored.failureReason,
  };
}

/** Undecided first (oldest, so the one expiring soonest, on top), then the most recent others. */
export function inboxOrder(requests: StoredRequest[]): StoredRequest[] {
  const undecided = requests.filter((r) => isUndecided(r.state));
  const decided = requests
    .filter((r) => !isUndecided(r.state))
    .sort((a, b) => b.seq - a.seq)
    .slice(0, RECENT);
  return [...undecided, ...decided];
}

/** The view's datetimes are UTC with Z; the service may send an offset. */
function isoZ(text: string): string {
  return new Date(text).toISOString();
}
