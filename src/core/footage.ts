/**
 * Time arithmetic over a camera's archive: which segments a range needs, where footage is
 * missing, what retention may delete. Times are Unix milliseconds; ranges are half-open
 * [fromMs, toMs).
 */

export type Span = { startMs: number; endMs: number };

export type TimeRange = { fromMs: number; toMs: number };

/**
 * Consecutive segments of one ffmpeg run meet exactly; across a restart the wall-clock anchor
 * is re-measured, so a few hundred ms of slack keeps that seam from reading as a gap.
 */
export const GAP_TOLERANCE_MS = 500;

/** Segments that hold any footage in the range, oldest first. */
export function overlapping<T extends Span>(segments: readonly T[], range: TimeRange): T[] {
  return segments
    .filter((s) => s.endMs > range.fromMs && s.startMs < range.toMs)
    .sort((a, b) => a.startMs - b.startMs);
}

/** The segment whose footage covers `atMs`, if any (the later one where two touch). */
export function segmentAt<T extends Span>(segments: readonly T[], atMs: number): T | undefined {
  let found: T | undefined;
  for (const s of segments) {
    if (s.startMs <= atMs && atMs < s.endMs && (found === undefined || s.startMs > found.startMs)) {
      found = s;
    }
  }
  return found;
}

/** Parts of the range that no segment covers, oldest first. */
export function findGaps(
  segments: readonly Span[],
  range: TimeRange,
  toleranceMs = GAP_TOLERANCE_MS,
): TimeRange[] {
  const gaps: TimeRange[] = [];
  let covered = range.fromMs;
  for (const s of overlapping(segments, range)) {
    if (s.startMs - covered > toleranceMs) gaps.push({ fromMs: covered, toMs: s.startMs });
    covered = Math.max(covered, s.endMs);
  }
  if (range.toMs - covered > toleranceMs) gaps.push({ fromMs: covered, toMs: range.toMs });
  return gaps;
}

export type ClipPlan<T extends Span> = {
  segments: T[];
  /** Where the clip's footage really starts: the first segment's start, a keyframe. */
  startMs: number;
  endMs: number;
  /** Footage in the clip once gaps are left out: what ffmpeg's `-t` must cut at. */
  durationMs: number;
  gaps: TimeRange[];
};

/**
 * Segments always begin on a keyframe, so starting a stream copy at the first segment's start
 * is the keyframe before the requested start. ffmpeg's mpegts seek lands on the keyframe after
 * a target, which would lose footage, so the plan never seeks into the first segment.
 */
export function planClip<T extends Span>(
  segments: readonly T[],
  range: TimeRange,
): ClipPlan<T> | undefined {
  const chosen = overlapping(segments, range);
  const first = chosen[0];
  const last = chosen.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const endMs = Math.min(range.toMs, last.endMs);
  const footageMs = chosen.reduce((sum, s) => sum + (s.endMs - s.startMs), 0);
  return {
    segments: chosen,
    startMs: first.startMs,
    endMs,
    durationMs: footageMs - (last.endMs - endMs),
    gaps: findGaps(chosen, range),
  };
}

/**
 * What a stream copy of the plan should come to: the same packets remuxed, so the segments'
 * bytes less the share of the last one that the cut at `endMs` drops. Real clips land within
 * a few percent of it, which makes it an export's progress measure without asking ffmpeg.
 */
export function expectedClipBytes(plan: ClipPlan<Span & { bytes: number }>): number {
  const last = plan.segments.at(-1);
  if (last === undefined) return 0;
  const total = plan.segments.reduce((sum, s) => sum + s.bytes, 0);
  const length = last.endMs - last.startMs;
  const dropped = length > 0 ? (last.endMs - plan.endMs) / length : 0;
  return Math.round(total - last.bytes * dropped);
}

/** Segments that ended before this instant are past retention. */
export function retentionCutoff(nowMs: number, retentionMs: number): number {
  return nowMs - retentionMs;
}
