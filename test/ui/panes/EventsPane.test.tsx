import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventsPane, kindGroups } from '../../../src/ui/panes/EventsPane.tsx';
import { createConsoleStore } from '../../../src/ui/state/console-store.ts';
import { openTestEngine } from '../../helpers/engine.ts';
import { keys } from '../../helpers/ink.ts';
import { sleep, waitForFrame } from '../support.tsx';

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
    const ui = render(<EventsPane store={store} height={12} onCapture={(c) => captures.push(c)} />);
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

  it('searches with / and captures the keys while typing', async () => {
    const { ui, close, captures } = await mount();
    ui.stdin.write('/');
    await settle();
    for (const ch of 'req-9') ui.stdin.write(ch);
    await settle();
    expect(ui.lastFrame()).toContain('search: req-9');
    ui.stdin.write(keys.enter);
    await settle();
    expect(captures).toEqual([true, false]);
    expect(ui.lastFrame()).toMatch(/^1\/\d+ events/);
    expect(ui.lastFrame()).toContain('disk full');
    ui.stdin.write(keys.escape);
    await settle();
    expect(ui.lastFrame()).toMatch(/^(\d+)\/\1 events/);
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
    const ui = render(<EventsPane store={store} height={12} onCapture={() => {}} />);
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
