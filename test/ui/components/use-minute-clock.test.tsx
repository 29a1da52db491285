import { Text } from 'ink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useMinuteClock } from '../../../src/ui/components/use-minute-clock.ts';
import { age } from '../../../src/ui/text.ts';
import { renderSized } from '../../helpers/ink.ts';

function Received({ at }: { at: string }) {
  return <Text>{`received ${age(at, useMinuteClock())} ago`}</Text>;
}

/** React renders on setImmediate, which stays real. */
async function rendered(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('useMinuteClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('moves ages on at the turn of each minute, with nothing else to redraw them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:20Z'));
    const mounting = renderSized(<Received at="2026-12-01T10:00:00Z" />, 40, 3);
    await rendered();
    vi.advanceTimersByTime(60); // the helper's settle after the first frame
    const screen = await mounting;
    expect(screen.frame()).toContain('received <1m ago');

    vi.advanceTimersByTime(39_000);
    await rendered();
    expect(screen.frame()).toContain('received <1m ago');
    vi.advanceTimersByTime(1_000);
    await rendered();
    expect(screen.frame()).toContain('received 1m ago');
    vi.advanceTimersByTime(60 * 60_000);
    await rendered();
    expect(screen.frame()).toContain('received 1h ago');
    screen.instance.unmount();
  });
});
