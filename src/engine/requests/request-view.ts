import type { RequestView } from '../../protocol/engine-state.ts';
import type { ClipInfo } from '../video/clip-export.ts';
import type { StoredClip, StoredRequest } from './request-record.ts';

/** A camera's export in flight, by buffer file id; memory only, so no store write per piece. */
export type LiveExport = { bytes: number; info: ClipInfo };

const iso = (ms: number) => new Date(ms).toISOString();

/** A request as the inbox shows it, with the progress of exports in flight. */
export function requestView(
  stored: StoredRequest,
  clips: StoredClip[],
  exports: ReadonlyMap<string, LiveExport> = new Map(),
): RequestView {
  const { request } = stored;
  const remote = request.decision;
  return {
    id: stored.id,
    state: stored.state,
    requester: request.createdBy.name,
    requesterId: request.createdBy.id,
    caseId: request.caseId,
    cameras: clips.map((clip) => {
      const live = clip.state === 'exporting' ? exports.get(clip.fileId) : undefined;
      return {
        id: clip.cameraId,
        name: clip.cameraName,
        state: clip.state,
        bytes: live?.bytes ?? clip.bytes,
        expectedBytes: live?.info.expectedBytes ?? null,
        progress: exportProgress(clip, live),
        sha256: clip.sha256,
        // The plan knows the gaps before the footage is through.
        gaps: (live?.info.gaps ?? clip.gaps).map((gap) => ({
          from: iso(gap.fromMs),
          to: iso(gap.toMs),
        })),
        error: clip.error,
      };
    }),
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

/**
 * Share of a camera's export done. A clip can come out a little larger than expected, so the
 * fraction stops short of 1 until the clip is held: a full bar means the footage is safe.
 */
function exportProgress(clip: StoredClip, live: LiveExport | undefined): number | null {
  if (clip.state === 'pending') return 0;
  if (clip.state === 'exporting') {
    const expected = live?.info.expectedBytes ?? 0;
    return expected > 0 ? Math.min(0.99, (live?.bytes ?? 0) / expected) : 0;
  }
  // A destroyed clip's export no longer exists; a failed one has a hash only if it was held.
  return clip.state === 'destroyed' || clip.sha256 === null ? null : 1;
}

/** The view's datetimes are UTC with Z; the service may send an offset. */
function isoZ(text: string): string {
  return new Date(text).toISOString();
}
