import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/App.tsx';
import { createConsoleStore } from '../../src/ui/state/console-store.ts';
import { openTestEngine } from '../helpers/engine.ts';
import { keys, renderSized, type Screen } from '../helpers/ink.ts';
import { type, waitForFrame } from './support.tsx';

function expectFits(frame: string, columns: number, rows: number) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
}

describe.each([
  [80, 24],
  [200, 50],
])('the console at %ix%i', (columns, rows) => {
  let screen: Screen | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    screen?.instance.unmount();
    await cleanup?.();
  });

  async function open(attachedTo?: string) {
    const test = await openTestEngine();
    const consoleStore = createConsoleStore(test.engine);
    cleanup = async () => {
      consoleStore.close();
      await test.close();
    };
    screen = await renderSized(
      <App store={consoleStore.store} api={test.engine} attachedTo={attachedTo} />,
      columns,
      rows,
    );
    return { screen, engine: test.engine, dir: test.dir };
  }

  /** The console with one upload queued behind a cap of off, so it stays in flight. */
  async function openWithQueuedUpload(attachedTo?: string) {
    const opened = await open(attachedTo);
    const { engine, dir } = opened;
    await engine.run('bandwidth.set', { bytesPerSecond: 0 });
    const file = path.join(dir, 'statement.mp4');
    writeFileSync(file, Buffer.alloc(4096, 1));
    await engine.run('uploads.add', { paths: [file], caseChoice: 'none' });
    await waitForFrame(opened.screen.frame, /0 ?(up|↑|uploading,) ?1 ?(q|queued)/);
    return opened;
  }

  it('shows the status bar, the tabs and the keys, filling the screen', async () => {
    const { screen } = await open();
    // The demo's embedded Evidence service is up and the engine's link to it turns Ready.
    const deadline = Date.now() + 10_000;
    while (!screen.frame().includes('Ready') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lines = screen.frame().split('\n');
    expect(lines[0]).toContain('Demo workstation │ Ready');
    expect(lines[1]).toContain('[1 Inbox]');
    expect(lines[1]).toContain('6 About');
    expect(lines.at(-1)).toContain('? help');
    expect(lines).toHaveLength(rows);
    expectFits(screen.frame(), columns, rows);
  });

  it('switches tabs with number keys and shows the engine events', async () => {
    const { screen, engine } = await open();
    await screen.press('4');
    expect(screen.frame()).toContain('[4 Events]');
    expect(screen.frame()).toContain('engine.started');
    engine.events.append({
      level: 'warn',
      kind: 'test.poked',
      subject: 'cam-1',
      message: 'poked by the test',
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(screen.frame()).toContain('poked by the test');
    await screen.press('6');
    expect(screen.frame()).toMatch(/Custody\s+\d+\.\d+\.\d+/);
    expect(screen.frame()).toContain('operator (admin)');
    expectFits(screen.frame(), columns, rows);
  });

  it('opens and closes the help overlay', async () => {
    const { screen } = await open();
    await screen.press('?');
    expect(screen.frame()).toContain('Keys (Esc or ? closes)');
    expect(screen.frame()).toContain('Events:');
    // Every key of every pane, each pane's keys wrapped under its keys, not under its name.
    const help = screen.frame();
    expect(help.replace(/[│\s]+/g, ' ')).toContain(
      'Uploads: Tab view · p pause/resume · r retry · x cancel · f front · +-0 cap · s schedule · c concurrency · o select files (browse or type paths) · / filter',
    );
    if (columns === 80) expect(help).toMatch(/^│ {11}\S/m);
    expectFits(screen.frame(), columns, rows);
    await screen.press(keys.escape);
    expect(screen.frame()).not.toContain('Keys (Esc or ? closes)');
  });

  it('quits on q', async () => {
    const { screen } = await open();
    const exited = screen.instance.waitUntilExit();
    await screen.press('q');
    await expect(exited).resolves.toBeUndefined();
  });

  it('asks before quitting while uploads are in flight', async () => {
    const { screen } = await openWithQueuedUpload();
    await screen.press('q');
    expect(screen.frame().split('\n').at(-1)).toMatch(/^Quit\? y\/n — 1 queued/);
    await screen.press('n');
    expect(screen.frame()).not.toContain('Quit?');
    const exited = screen.instance.waitUntilExit();
    await screen.press('q');
    await screen.press('y');
    await expect(exited).resolves.toBeUndefined();
  });

  it('attached, quits at once even with uploads in flight: the engine keeps them going', async () => {
    const { screen, engine } = await openWithQueuedUpload('/srv/custody/engine.sock');
    await screen.press('6');
    expect(screen.frame()).toMatch(
      /Engine\s+attached at \/srv\/custody\/engine\.sock, running since/,
    );
    const exited = screen.instance.waitUntilExit();
    await screen.press('q');
    await expect(exited).resolves.toBeUndefined();
    expect(engine.state().uploads.jobs.map((job) => job.state)).toEqual(['queued']);
  });

  it('takes q right behind the Enter that ended a search, before the change is drawn', async () => {
    const { screen } = await open();
    await screen.press('4');
    await screen.press('/');
    await type(screen, 'engine');
    const exited = screen.instance.waitUntilExit();
    // Two keys in one go, as a quick hand or tmux sends them: no render in between.
    screen.stdin.write(keys.enter);
    screen.stdin.write('q');
    await expect(exited).resolves.toBeUndefined();
  });

  it('acts on every key of a chunk the terminal sent at once, each in the pane it opened', async () => {
    const { screen } = await open();
    // Keys typed faster than the console reads (SSH, a busy workstation) come as one chunk.
    screen.stdin.write('3s');
    await waitForFrame(screen.frame, 'Schedule: entries split by ;');
    expect(screen.frame()).toContain('[3 Uploads]');
    await screen.press(keys.escape);
    screen.stdin.write(`5${keys.enter}`);
    await waitForFrame(screen.frame, /> Schedule +Mon-Fri 08:00-18:00 8M; \* unlimited▏/);
    expect(screen.frame()).toContain('[5 Settings]');
    expectFits(screen.frame(), columns, rows);
  });

  it('says when the terminal is too small, and keeps a half-filled wizard until it grows', async () => {
    const { screen } = await open();
    await screen.press('2');
    await screen.press(keys.enter);
    await type(screen, 'Parcel left');
    screen.stdout.resize(60, 18);
    const small = await waitForFrame(screen.frame, 'This terminal is 60x18');
    expect(small.replace(/\s+/g, ' ')).toContain(
      'the console needs at least 80x24. Enlarge it to go on, or press q to quit.',
    );
    expectFits(small, 60, 18);
    // Keys would act on a screen nobody sees: they wait.
    await screen.press('1');
    screen.stdout.resize(columns, rows);
    const back = await waitForFrame(screen.frame, 'Snapshot from Front lobby');
    expect(back).toContain('Parcel left');
    expect(back).toContain('[2 Cameras]');
    screen.stdout.resize(79, rows);
    await waitForFrame(screen.frame, `This terminal is 79x${rows}`);
    const exited = screen.instance.waitUntilExit();
    await screen.press('q');
    await expect(exited).resolves.toBeUndefined();
  });

  it('sends digits and q to an open wizard, and Esc closes it', async () => {
    const { screen } = await open();
    await screen.press('2');
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('Snapshot from Front lobby');
    await type(screen, 'Cam 4 at 09');
    // Digits and q are text while the wizard has the keys: no tab switch, no quit.
    expect(screen.frame()).toContain('Cam 4 at 09');
    expect(screen.frame()).toContain('[2 Cameras]');
    expect(screen.frame().split('\n').at(-1)).toContain('Esc back');
    await screen.press(keys.escape);
    expect(screen.frame()).toContain('▶ Front lobby');
    await screen.press('?');
    expect(screen.frame()).toContain('Keys (Esc or ? closes)');
    expectFits(screen.frame(), columns, rows);
  });
});
