import { afterEach, describe, expect, it } from 'vitest';
import type { EngineState } from '../../../src/protocol/engine-state.ts';
import { InboxPane } from '../../../src/ui/panes/InboxPane.tsx';
import { openTestEngine } from '../../helpers/engine.ts';
import { keys, renderSized, type Screen } from '../../helpers/ink.ts';
import {
  expectFits,
  recordingApi,
  requestFixture,
  type,
  waitForFrame,
  withRequests,
} from '../support.tsx';

describe('InboxPane', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>> | undefined;
  let screen: Screen | undefined;
  afterEach(async () => {
    screen?.instance.unmount();
    await test?.close();
  });

  async function mount(state: (s: EngineState) => EngineState, overrides = {}, columns = 80) {
    test = await openTestEngine(overrides);
    const { api, calls } = recordingApi(test.engine);
    const captures: boolean[] = [];
    const requests = [
      requestFixture(),
      requestFixture({
        id: 'req-2',
        state: 'denied',
        requester: 'PC Amir Noor',
        caseId: 'CASE-9',
        decision: {
          decision: 'deny',
          by: 'operator',
          at: new Date().toISOString(),
          reason: 'out of scope',
        },
      }),
    ];
    screen = await renderSized(
      <InboxPane
        state={state(withRequests(test.engine.state(), requests))}
        api={api}
        width={columns}
        height={21}
        active
        onCapture={(c) => captures.push(c)}
      />,
      columns,
      21,
    );
    return { screen, calls, captures };
  }

  it('lists requests with state, requester, case, cameras, range, age and expiry', async () => {
    const { screen } = await mount((s) => s);
    const frame = screen.frame();
    expect(frame).toMatch(/State\s+Requester\s+Case\s+Cams\s+Range\s+Age\s+Expires/);
    expect(frame).toMatch(
      /^> held\s+Det\. Jane Moss\s+CASE-7\s+2\s+\d\d-\d\d \d\d:\d\d–\d\d:\d\d\s+5m\s+in 2\dh/m,
    );
    expect(frame).toMatch(/denied\s+PC Amir Noor\s+CASE-9/);
    expect(frame).toContain('2 requests, 1 waiting for a decision');
    expect(expectFits(frame, 80, 21)).toEqual([]);
  });

  it('opens the details on Enter: per-camera export, hashes and gaps', async () => {
    const { screen } = await mount((s) => s);
    await screen.press(keys.enter);
    const frame = screen.frame();
    expect(frame).toContain('req-1 · held · case CASE-7');
    // The account id, for an auto-approve rule: a display name is no authority.
    expect(frame).toContain('From Det. Jane Moss (usr_0123456789abcdef) · received 5m ago');
    expect(frame).toContain('Reason: burglary at the front desk');
    expect(frame).toMatch(
      /Front lobby\s+held\s+█{11} 100% 5\.0 MiB .*\n.*no gaps · sha256 abababababab…/,
    );
    expect(frame).toMatch(
      /2nd floor corridor\s+exporting\s+█{3}░{8}\s+25% 1\.0 MiB of ~4\.0 MiB .*\n.*1 gap: /,
    );
    // To the second, with the length: gaps are often a few seconds.
    const hms = '\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d–(\\d\\d-\\d\\d )?\\d\\d:\\d\\d:\\d\\d';
    // At 80 columns: the range, when it expires and how long that leaves, all of it.
    expect(frame).toMatch(
      new RegExp(
        `Range ${hms} \\(10m 00s\\) · expires \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\(in 23h\\) +│`,
      ),
    );
    expect(frame).toMatch(new RegExp(`1 gap: ${hms} \\(1m 40s\\)`));
    // By size: 5 MiB held and a quarter of 4 MiB are two thirds of 9 MiB.
    expect(frame).toMatch(/All cameras\s+1\/2 held\s+█{7}░{4}\s+66% 6\.0 MiB of ~9\.0 MiB/);
    expect(expectFits(frame, 80, 21)).toEqual([]);
    await screen.press(keys.down);
    await screen.press(keys.escape);
    expect(screen.frame()).not.toContain('Reason:');
  });

  it('shows each camera mid-export with a bar, bytes of the expected size and gaps, in 80 columns', async () => {
    const now = Date.now();
    const MiB = 1024 * 1024;
    const exporting = requestFixture({
      id: 'req-3',
      state: 'exporting',
      cameras: [
        {
          id: 'gate',
          name: 'Service gate and loading bay',
          state: 'exporting',
          bytes: Math.round(12.6 * MiB),
          expectedBytes: 30 * MiB,
          progress: 0.42,
          sha256: null,
          gaps: [
            {
              from: new Date(now - 3_300_000).toISOString(),
              to: new Date(now - 3_240_000).toISOString(),
            },
          ],
          error: null,
        },
        {
          id: 'lobby',
          name: 'Front lobby',
          state: 'pending',
          bytes: 0,
          expectedBytes: null,
          progress: 0,
          sha256: null,
          gaps: [],
          error: null,
        },
        {
          id: 'roof',
          name: 'Roof',
          state: 'failed',
          bytes: 0,
          expectedBytes: null,
          progress: null,
          sha256: null,
          gaps: [],
          error: 'camera "roof" has no footage in the range',
        },
      ],
    });
    const { screen } = await mount((s) => withRequests(s, [exporting]));
    await screen.press(keys.enter);
    const frame = screen.frame();
    expect(frame).toContain('req-3 · exporting · case');
    // 42% of 11 cells is 5: the bar, the percentage and the sizes read without colour.
    expect(frame).toMatch(
      /Service gate and load… exporting\s+█{5}░{6}\s+42% 12\.6 MiB of ~30\.0 MiB .*\n.*1 gap: /,
    );
    expect(frame).toMatch(/Front lobby\s+pending\s+░{11}\s+0% 0 B .*\n.* {3}no gaps +│\n/);
    expect(frame).toMatch(
      /Roof\s+failed\s+—\s+0 B .*\n.* {3}no gaps · camera "roof" has no footage/,
    );
    expect(frame).toMatch(/All cameras\s+0\/2 held\s+█{5}░{6}\s+42% 12\.6 MiB of ~30\.0 MiB/);
    expect(expectFits(frame, 80, 21)).toEqual([]);
  });

  it('approves after y, and shows the engine refusal as what — fix', async () => {
    const { screen, calls } = await mount((s) => s);
    await screen.press('a');
    expect(screen.frame()).toContain('Approve req-1? y/n — the footage goes to case CASE-7');
    await screen.press('n');
    expect(calls).toEqual([]);
    await screen.press('a');
    await screen.press('y');
    expect(calls).toEqual([{ command: 'requests.approve', input: { id: 'req-1' } }]);
    // The real engine has no request req-1: its refusal shows in the pane, never a stack.
    const frame = await waitForFrame(screen.frame, /no video request req-1 — /);
    expect(frame).not.toMatch(/at .*\.ts:\d+/);
  });

  it('denies with a reason typed into the pane', async () => {
    const { screen, calls, captures } = await mount((s) => s);
    await screen.press('d');
    expect(screen.frame()).toContain('Deny req-1: the footage is destroyed and never sent');
    expect(captures.at(-1)).toBe(true);
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('say why it is denied');
    expect(calls).toEqual([]);
    await type(screen, 'outside the retention request scope');
    await screen.press(keys.enter);
    expect(calls).toEqual([
      {
        command: 'requests.deny',
        input: { id: 'req-1', reason: 'outside the retention request scope' },
      },
    ]);
    expect(captures.at(-1)).toBe(false);
    await waitForFrame(screen.frame, /no video request req-1/);
  });

  it('keeps the header, the list and every line of the deny form with a full list', async () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      requestFixture({ id: `req-${i + 1}`, caseId: `CASE-${i + 1}` }),
    );
    const { screen } = await mount((s) => withRequests(s, many));
    await screen.press('d');
    await screen.press(keys.enter);
    const frame = screen.frame();
    expect(frame).toMatch(/^ {2}State\s+Requester\s+Case/m);
    expect(frame).toMatch(/^> held\s+Det\. Jane Moss\s+CASE-1\s/m);
    expect(frame).toContain('Deny req-1: the footage is destroyed and never sent');
    expect(frame).toMatch(/> Reason\s+/);
    expect(frame).toContain('! say why it is denied');
    expect(frame).toContain('Enter deny');
    expect(expectFits(frame, 80, 21)).toEqual([]);
  });

  it('refuses to decide twice, and tells an operator without the privilege why', async () => {
    const first = await mount((s) => s);
    await first.screen.press(keys.down);
    await first.screen.press('a');
    expect(first.screen.frame()).toContain('req-2 is already denied');
    first.screen.instance.unmount();
    await test?.close();

    const second = await mount((s) => s, { operator: 'guest' });
    await second.screen.press('a');
    expect(second.screen.frame()).toContain('deciding requests needs the requests privilege');
    expect(second.screen.frame()).toContain('guest (viewer)');
    expect(second.calls).toEqual([]);
  });

  it('filters the list with /, and Esc clears the filter', async () => {
    const { screen, captures } = await mount((s) => s);
    await screen.press('/');
    expect(captures.at(-1)).toBe(true);
    await type(screen, 'amir');
    await screen.press(keys.enter);
    expect(captures.at(-1)).toBe(false);
    expect(screen.frame()).toContain('PC Amir Noor');
    expect(screen.frame()).not.toContain('Det. Jane Moss');
    expect(screen.frame()).toContain('filter: amir (Esc clears)');
    await screen.press(keys.escape);
    expect(screen.frame()).toContain('Det. Jane Moss');
  });

  it('fits a wide terminal, details included', async () => {
    const { screen } = await mount((s) => s, {}, 200);
    await screen.press(keys.enter);
    expect(screen.frame()).toMatch(/held\s+Det\. Jane Moss {10,}CASE-7/);
    // A camera's state and bar stay near its name; the spare width is left at the right.
    expect(screen.frame()).toMatch(/│ {3}Front lobby {30}held {7}█{30} 100% 5\.0 MiB {16,}│/);
    expect(expectFits(screen.frame(), 200, 21)).toEqual([]);
  });

  it('says where requests come from when there are none', async () => {
    const { screen } = await mount((s) => ({ ...s, requests: [], embeddedService: false }));
    expect(screen.frame()).toContain('No requests. Service:');
    expect(screen.frame()).not.toContain('demo:request');
  });

  it('tells how to see a request on the demo when the service runs in the engine', async () => {
    const { screen } = await mount((s) => ({ ...s, requests: [], embeddedService: true }));
    expect(screen.frame()).toMatch(
      /Trying the demo\? `npm run demo:request` \(or `custody request\s+demo`\)/,
    );
    expect(expectFits(screen.frame(), 80, 21)).toEqual([]);
  });
});
