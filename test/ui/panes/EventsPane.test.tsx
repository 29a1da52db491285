import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventsPane, kindGroups } from '../../../src/ui/panes/EventsPane.tsx';
import { createConsoleStore } from '../../../src/ui/state/console-store.ts';
import { openTestEngine } from '../../helpers/engine.ts';
import { keys, renderSized } from '../../helpers/ink.ts';
import { expectFits, recordingApi, sleep, type, waitForFrame } from '../support.tsx';

async function untilReady(engine: { state(): { connection: { state: string } } }) {
  const deadline = Date.now() + 10_000;
  while (engine.state().connection.state !== 'ready' && Date.now() < deadline) await sleep(50);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

describe('EventsPane', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>>;
  beforeEach(async () => {
    // No cameras, and the service link settled first: the test's events are the newest.
    test = await openTestEngine({ cameras: [] });
    await untilReady(test.engine);
    test.engine.events.append({
      level: 'debug',
      kind: 'upload.progress',
      subject: 'job-1',
      message: 'halfway',
    });
    test.engine.events.append({
      level: 'error',
      kind: 'upload.failed',
      subject: 'job-2',
      message: 'disk full',
      data: { requestId: 'req-9' },
    });
  });
  afterEach(async () => {
    await test.close();
  });

  async function mount() {
    const { store, close } = createConsoleStore(test.engine);
    const captures: boolean[] = [];
    const ui = render(
      <EventsPane
        store={store}
        api={test.engine}
        height={12}
        onCapture={(c) => captures.push(c)}
      />,
    );
    // The store fetches the events through the engine API, asynchronously.
    await waitForFrame(() => ui.lastFrame() ?? '', 'disk full');
    return { ui, close, captures };
  }

  it('lists events oldest first with the newest selected while following', async () => {
    const { ui, close } = await mount();
    const frame = ui.lastFrame() ?? '';
    expect(frame.indexOf('engine.started')).toBeLessThan(frame.indexOf('upload.failed'));
    expect(frame).toMatch(/^>.*upload\.failed job-2 disk full$/m);
    expect(frame).toContain('following');
    ui.unmount();
    close();
  });

  it('cycles the minimum level with l', async () => {
    const { ui, close } = await mount();
    ui.stdin.write('l');
    await settle();
    expect(ui.lastFrame()).toContain('level ≥ info');
    expect(ui.lastFrame()).not.toContain('halfway');
    ui.stdin.write('l');
    ui.stdin.write('l');
    await settle();
    expect(ui.lastFrame()).toContain('level ≥ error');
    expect(ui.lastFrame()).not.toContain('engine.started');
    expect(ui.lastFrame()).toContain('disk full');
    ui.unmount();
    close();
  });

  it('filters the window while typing after /, searches the log on Enter', async () => {
    const { ui, close, captures } = await mount();
    ui.stdin.write('/');
    await settle();
    for (const ch of 'req-9') ui.stdin.write(ch);
    await settle();
    expect(ui.lastFrame()).toMatch(/^1\/\d+ events .* search: req-9▏$/m);
    expect(ui.lastFrame()).toContain('disk full');
    ui.stdin.write(keys.enter);
    await waitForFrame(() => ui.lastFrame() ?? '', 'search: req-9 — 1 match in the whole log');
    expect(captures).toEqual([true, false]);
    expect(ui.lastFrame()).toMatch(/^>.*upload\.failed job-2 disk full$/m);
    ui.stdin.write(keys.escape);
    await settle();
    expect(ui.lastFrame()).toMatch(/^(\d+)\/\1 events .* following$/m);
    ui.unmount();
    close();
  });

  it('follows: a new event arrives selected at the bottom; paused, the selection stays', async () => {
    const { ui, close } = await mount();
    test.engine.events.append({
      level: 'info',
      kind: 'upload.filed',
      subject: 'job-3',
      message: 'filed in case 7',
    });
    await waitForFrame(() => ui.lastFrame() ?? '', /^>.*upload\.filed job-3 filed in case 7$/m);
    ui.stdin.write(keys.up);
    await settle();
    expect(ui.lastFrame()).toContain('paused');
    test.engine.events.append({
      level: 'warn',
      kind: 'camera.offline',
      subject: 'lobby',
      message: 'gone',
    });
    await waitForFrame(() => ui.lastFrame() ?? '', 'camera.offline lobby gone');
    expect(ui.lastFrame()).toMatch(/^>.*upload\.failed job-2 disk full$/m);
    ui.stdin.write('f');
    await waitForFrame(() => ui.lastFrame() ?? '', /^>.*camera\.offline lobby gone$/m);
    expect(ui.lastFrame()).toContain('following');
    ui.unmount();
    close();
  });

  it('moves with the arrows, stops following, and shows details on Enter', async () => {
    const { ui, close } = await mount();
    ui.stdin.write(keys.up);
    await settle();
    expect(ui.lastFrame()).toContain('paused');
    expect(ui.lastFrame()).toMatch(/^>.*upload\.progress job-1 halfway$/m);
    ui.stdin.write(keys.down);
    ui.stdin.write(keys.enter);
    await settle();
    expect(ui.lastFrame()).toMatch(/#\d+ .* upload\.failed hash [0-9a-f]{16}/);
    expect(ui.lastFrame()).toContain('"requestId": "req-9"');
    ui.unmount();
    close();
  });
});

describe('EventsPane kind filter', () => {
  it('cycles the kind groups with t and clears with Esc', async () => {
    const test = await openTestEngine({ cameras: [] });
    await untilReady(test.engine);
    test.engine.events.append({
      level: 'info',
      kind: 'upload.done',
      subject: 'job-3',
      message: 'sent',
    });
    const { store, close } = createConsoleStore(test.engine);
    const ui = render(
      <EventsPane store={store} api={test.engine} height={12} onCapture={() => {}} />,
    );
    await waitForFrame(() => ui.lastFrame() ?? '', 'sent');
    const groups = kindGroups(store.getState().events);
    expect(groups).toEqual([...groups].sort());
    expect(groups).toContain('engine');
    expect(groups).toContain('upload');
    ui.stdin.write('t');
    await settle();
    expect(ui.lastFrame()).toContain(`kind ${groups[0]}`);
    for (let i = 1; i < groups.indexOf('upload') + 1; i++) ui.stdin.write('t');
    await settle();
    expect(ui.lastFrame()).toContain('kind upload');
    expect(ui.lastFrame()).toContain('upload.done job-3 sent');
    expect(ui.lastFrame()).not.toContain('engine.started');
    ui.stdin.write(keys.escape);
    await settle();
    expect(ui.lastFrame()).toContain('kind all');
    ui.unmount();
    close();
    await test.close();
  });
});

describe('EventsPane search over the whole log', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>>;
  beforeEach(async () => {
    test = await openTestEngine({ cameras: [] });
    await untilReady(test.engine);
  });
  afterEach(async () => {
    await test.close();
  });

  /** `count` info events, newer than anything before them. */
  function fill(count: number, message = (i: number) => `chunk ${i} sent`) {
    for (let i = 0; i < count; i++) {
      test.engine.events.append({
        level: 'info',
        kind: 'upload.progress',
        subject: 'job-fill',
        message: message(i),
      });
    }
  }

  async function mount80x24() {
    const { store, close } = createConsoleStore(test.engine);
    const { api, calls } = recordingApi(test.engine);
    const screen = await renderSized(
      <EventsPane store={store} api={api} width={80} height={21} onCapture={() => {}} />,
      80,
      24,
    );
    return { screen, store, calls, close };
  }

  it('finds on Enter an event older than the console holds, then Esc goes back to live', async () => {
    test.engine.events.append({
      level: 'warn',
      kind: 'upload.done',
      subject: 'job-old',
      message: 'Uploaded interview-Room-7.mp4',
      data: { requestId: 'req_lastmonth' },
    });
    fill(600);
    const { screen, store, calls, close } = await mount80x24();
    await waitForFrame(screen.frame, 'chunk 599 sent');
    expect(store.getState().events).toHaveLength(500);
    expect(store.getState().events.some((e) => e.subject === 'job-old')).toBe(false);

    // Typing filters the held window, where it is not; the data JSON matches, in any case.
    await screen.press('/');
    await type(screen, 'REQ_LASTMONTH');
    await waitForFrame(screen.frame, /^0\/500 events .* search: REQ_LASTMONTH▏/m);
    expect(screen.frame()).toContain('No events match.');
    screen.stdin.write(keys.enter);
    const found = await waitForFrame(
      screen.frame,
      /^search: REQ_LASTMONTH — 1 match in the whole log$/m,
    );
    expect(found).toMatch(/^level ≥ debug · kind all · following · Esc: live$/m);
    expect(found).toMatch(/^>.* WARN {2}upload\.done job-old Uploaded interview-Room-7\.mp4$/m);
    expect(found).not.toContain('chunk');
    expect(expectFits(found, 80, 24)).toEqual([]);
    expect(calls).toContainEqual({
      command: 'events.list',
      input: expect.objectContaining({ search: 'REQ_LASTMONTH', order: 'desc', limit: 501 }),
    });

    // A match that arrives meanwhile joins the answer; one that does not match stays out.
    test.engine.events.append({
      level: 'info',
      kind: 'request.filed',
      subject: 'req_lastmonth',
      message: 'filed at last',
    });
    fill(1, () => 'not this one');
    await waitForFrame(screen.frame, /^>.*request\.filed req_last… filed at last$/m);
    expect(screen.frame()).toMatch(/— 2 matches in the whole log$/m);
    expect(screen.frame()).not.toContain('not this one');

    screen.stdin.write(keys.escape);
    const live = await waitForFrame(screen.frame, /^\d+\/500 events .* following$/m);
    expect(live).toMatch(/^>.*not this one$/m);
    expect(live).not.toContain('search:');
    screen.instance.unmount();
    close();
  });

  it('searches with the level and kind filters, and again when they change', async () => {
    test.engine.events.append({
      level: 'error',
      kind: 'request.failed',
      subject: 'req-1',
      message: 'export of CAM-3 failed',
    });
    test.engine.events.append({
      level: 'info',
      kind: 'upload.done',
      subject: 'job-1',
      message: 'cam-3 clip uploaded',
    });
    fill(600);
    const { screen, close } = await mount80x24();
    await waitForFrame(screen.frame, 'chunk 599 sent');
    await screen.press('/');
    await type(screen, 'cam-3');
    screen.stdin.write(keys.enter);
    await waitForFrame(screen.frame, /— 2 matches in the whole log$/m);
    screen.stdin.write('l');
    screen.stdin.write('l');
    const errors = await waitForFrame(screen.frame, /— 1 match in the whole log$/m);
    expect(errors).toMatch(/^level ≥ warn · kind all/m);
    expect(errors).toContain('request.failed req-1 export of CAM-3 failed');
    expect(errors).not.toContain('cam-3 clip uploaded');
    screen.instance.unmount();
    close();
  });

  it('says 500+ and pages back with ↑ from the oldest match shown', async () => {
    fill(520);
    const { screen, calls, close } = await mount80x24();
    await waitForFrame(screen.frame, 'chunk 519 sent');
    await screen.press('/');
    await type(screen, 'chunk');
    screen.stdin.write(keys.enter);
    const page = await waitForFrame(
      screen.frame,
      /^search: chunk — 500\+ matches in the whole log, newest shown$/m,
    );
    expect(page).toMatch(/· ↑ at top: older · Esc: live$/m);
    expect(expectFits(page, 80, 24)).toEqual([]);
    // Home in on the oldest of the page: the first line, as paused shows it.
    screen.stdin.write('f');
    await sleep(80);
    for (let i = 0; i < 499; i++) {
      screen.stdin.write('k');
      await sleep(0);
    }
    await waitForFrame(screen.frame, /^>.*chunk 20 sent$/m);
    screen.stdin.write('k');
    const older = await waitForFrame(screen.frame, /— 520 matches in the whole log$/m);
    expect(older).toMatch(/^>.*chunk 19 sent$/m);
    expect(calls.at(-1)?.input).toMatchObject({ search: 'chunk', beforeSeq: expect.any(Number) });
    screen.instance.unmount();
    close();
  });
});
