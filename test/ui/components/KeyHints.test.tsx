import { describe, expect, it } from 'vitest';
import { fitHints } from '../../../src/ui/components/KeyHints.tsx';
import { bottomLineKeys } from '../../../src/ui/keymap.ts';

describe('fitHints', () => {
  it('keeps every hint whole, ending with … when the rest does not fit', () => {
    const events = bottomLineKeys('events');
    expect(fitHints(events, 200)).toBe(
      '? help · q quit · ↑↓ move · Enter details · / search · l level · t kind · f follow',
    );
    const narrow = fitHints(events, 80);
    expect(narrow).toBe(
      '? help · q quit · ↑↓ move · Enter details · / search · l level · t kind …',
    );
    expect(narrow.length).toBeLessThanOrEqual(80);
    // Exactly the room for all of them: no "…".
    const whole = fitHints(events, 200);
    expect(fitHints(events, whole.length)).toBe(whole);
    expect(fitHints(events, whole.length - 1)).toMatch(/ …$/);
  });
});
