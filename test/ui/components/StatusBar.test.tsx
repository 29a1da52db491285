import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState, EngineState } from '../../../src/protocol/engine-state.ts';
import { StatusBar } from '../../../src/ui/components/StatusBar.tsx';
import { openTestEngine } from '../../helpers/engine.ts';
import { renderSized } from '../../helpers/ink.ts';
import { requestFixture } from '../support.tsx';

const M = 1024 * 1024;

describe('StatusBar', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>>;
  let base: EngineState;
  beforeAll(async () => {
    test = await openTestEngine();
    base = test.engine.state();
  });
  afterAll(async () => {
    await test.close();
  });

  function busy(connection: ConnectionState): EngineState {
    const now = new Date();
    return {
      ...base,
      connection: { state: connection, reason: null },
      schedule: {
        bytesPerSecond: 8 * M,
        entry: 'Mon-Fri 08:00-18:00 8M',
        nextChange: new Date(now.getTime() + 3_600_000).toISOString(),
        nextBytesPerSecond: null,
        summary: '8.0 MiB/s until 18:00 (then unlimited)',
      },
      uploads: {
        ...base.uploads,
        cap: 2 * M,
        capSource: 'override',
        rate: 1.5 * M,
        counts: { ...base.uploads.counts, uploading: 3, hashing: 1, queued: 22 },
      },
      requests: [requestFixture(), requestFixture({ id: 'req-2', state: 'exporting' })],
    };
  }

  it.each([
    ['not-configured', 'Not configured'],
    ['connecting', 'Connecting'],
    ['ready', 'Ready'],
    ['offline', 'Offline'],
    ['paused-by-schedule', 'Paused by schedule'],
  ] as const)('fits 80 columns with everything on it (%s)', (connection, label) => {
    const ui = render(<StatusBar state={busy(connection)} columns={80} />);
    const line = ui.lastFrame() ?? '';
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line.startsWith(`Demo workstation │ ${label} │ ↑1.5M/2M man`)).toBe(true);
    // The window in force and its next change, as short as the label leaves room for.
    expect(line).toMatch(/│ (8M til \d\d:\d\d→unl|→\d\d:\d\d) │/);
    expect(line).toContain('2 req');
    expect(line).toMatch(/4 ?(up|↑) ?22 ?q/);
  });

  it('spells everything out on a wide terminal', async () => {
    const screen = await renderSized(<StatusBar state={busy('ready')} columns={200} />, 200, 1);
    const line = screen.frame();
    screen.instance.unmount();
    expect(line).toContain('↑ 1.5 MiB/s of 2.0 MiB/s (manual)');
    expect(line).toMatch(/window 8\.0 MiB\/s until \d\d:\d\d \(then unlimited\)/);
    expect(line).toContain('2 open requests');
    expect(line).toContain('4 uploading, 22 queued');
  });
});
