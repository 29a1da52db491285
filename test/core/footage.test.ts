import { describe, expect, it } from 'vitest';
import {
  expectedClipBytes,
  findGaps,
  overlapping,
  planClip,
  retentionCutoff,
  segmentAt,
} from '../../src/core/footage.ts';

const seg = (startS: number, endS: number) => ({ startMs: startS * 1000, endMs: endS * 1000 });
const range = (fromS: number, toS: number) => ({ fromMs: fromS * 1000, toMs: toS * 1000 });

// Two runs of 2 s segments with a restart between 6 s and 9 s.
const archive = [seg(9, 11), seg(0, 2), seg(2, 4), seg(4, 6), seg(11, 13)];

describe('footage ranges', () => {
  it('picks the overlapping segments, oldest first', () => {
    expect(overlapping(archive, range(3, 10))).toEqual([seg(2, 4), seg(4, 6), seg(9, 11)]);
    // Touching is not overlapping: [4, 6) holds nothing of [6, 9).
    expect(overlapping(archive, range(6, 9))).toEqual([]);
  });

  it('finds the segment holding an instant, the later one at a seam', () => {
    expect(segmentAt(archive, 3000)).toEqual(seg(2, 4));
    expect(segmentAt(archive, 4000)).toEqual(seg(4, 6));
    expect(segmentAt(archive, 7000)).toBeUndefined();
  });

  it('reports the uncovered parts of a range', () => {
    expect(findGaps(archive, range(1, 12))).toEqual([range(6, 9)]);
    expect(findGaps(archive, range(12, 20))).toEqual([range(13, 20)]);
    expect(findGaps([], range(0, 5))).toEqual([range(0, 5)]);
  });

  it('ignores seams within the tolerance', () => {
    expect(findGaps([seg(0, 2), { startMs: 2300, endMs: 4000 }], range(0, 4))).toEqual([]);
    expect(findGaps([seg(0, 2), { startMs: 2600, endMs: 4000 }], range(0, 4))).toEqual([
      { fromMs: 2000, toMs: 2600 },
    ]);
  });

  it('plans a clip from the start of the segment holding the start', () => {
    const plan = planClip(archive, range(3, 10));
    expect(plan?.segments).toEqual([seg(2, 4), seg(4, 6), seg(9, 11)]);
    expect(plan?.startMs).toBe(2000);
    expect(plan?.endMs).toBe(10_000);
    // 2–6 s and 9–10 s: the gap is left out, not filled.
    expect(plan?.durationMs).toBe(5000);
    expect(plan?.gaps).toEqual([range(6, 9)]);
  });

  it('expects the covered segments less what the cut drops of the last one', () => {
    const sized = archive.map((s) => ({ ...s, bytes: 1000 }));
    // 2–4, 4–6 whole; 9–11 cut at 10 s: half of its bytes.
    const plan = planClip(sized, range(3, 10));
    expect(plan && expectedClipBytes(plan)).toBe(2500);
  });

  it('has no plan for a range without footage', () => {
    expect(planClip(archive, range(6.5, 8.5))).toBeUndefined();
  });

  it('cuts off retention from now', () => {
    expect(retentionCutoff(100_000, 15_000)).toBe(85_000);
  });
});
