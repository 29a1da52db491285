import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyHint } from '../../../src/ui/keymap.ts';
import type { PaneProps } from '../../../src/ui/panes/pane.ts';
import { SettingsPane } from '../../../src/ui/panes/SettingsPane.tsx';
import { openTestEngine } from '../../helpers/engine.ts';
import { keys, renderSized, type Screen } from '../../helpers/ink.ts';
import { expectFits, recordingApi, sleep, type, waitForFrame } from '../support.tsx';

describe('SettingsPane', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>> | undefined;
  let screen: Screen | undefined;
  let unsubscribe: (() => void) | undefined;
  afterEach(async () => {
    unsubscribe?.();
    screen?.instance.unmount();
    screen = undefined;
    unsubscribe = undefined;
    await test?.close();
  });

  /** The pane over the test's engine, redrawn as the engine changes, its commands recorded. */
  async function mount(props: Partial<PaneProps> = {}, columns = 100, rows = 40) {
    const engine = test?.engine;
    if (!engine) throw new Error('open the test engine first');
    const { api, calls } = recordingApi(engine);
    const element = () => <SettingsPane state={engine.state()} api={api} active {...props} />;
    const mounted = await renderSized(element(), columns, rows);
    screen = mounted;
    unsubscribe = engine.subscribe(() => mounted.instance.rerender(element()));
    return { screen: mounted, calls, frame: () => mounted.frame() };
  }

  it('shows the settings to an admin', async () => {
    test = await openTestEngine();
    const ui = render(<SettingsPane state={test.engine.state()} />);
    expect(ui.lastFrame()).toMatch(/Concurrency\s+4/);
    expect(ui.lastFrame()).toContain('Mon-Fri 08:00-18:00 8M; * unlimited');
    expect(ui.lastFrame()).toMatch(/Bandwidth cap\s+.*\(from the schedule\)/);
  });

  it('tells a viewer why it is locked', async () => {
    test = await openTestEngine({ operator: 'guest' });
    const ui = render(<SettingsPane state={test.engine.state()} />);
    expect(ui.lastFrame()).toContain('Settings are locked');
    expect(ui.lastFrame()).toContain('guest is viewer');
  });

  it('edits the bandwidth cap and the concurrency live, validating as you type', async () => {
    test = await openTestEngine();
    const engine = test.engine;
    const captures: boolean[] = [];
    const { screen: ui, calls, frame } = await mount({ onCapture: (c) => captures.push(c) });
    ui.stdin.write(keys.down);
    await sleep(50);
    ui.stdin.write(keys.enter);
    await sleep(50);
    expect(captures.at(-1)).toBe(true);
    ui.stdin.write('\u0015');
    await type(ui, '2 parsecs');
    expect(frame()).toContain('expected a rate such as');
    ui.stdin.write('\u0015');
    await type(ui, '512K');
    ui.stdin.write(keys.enter);
    await waitForFrame(frame, 'Bandwidth cap: 512.0 KiB/s (override)');
    expect(engine.state().uploads.cap).toBe(512 * 1024);
    await waitForFrame(frame, /Bandwidth cap\s+512\.0 KiB\/s \(manual override\)/);

    ui.stdin.write(keys.down);
    await sleep(50);
    ui.stdin.write(keys.enter);
    await sleep(50);
    ui.stdin.write('\u0015');
    ui.stdin.write('6');
    await sleep(50);
    ui.stdin.write(keys.enter);
    await waitForFrame(frame, 'Concurrency: 6');
    expect(calls.map((c) => c.command)).toEqual(['bandwidth.set', 'concurrency.set']);
    expect(captures.at(-1)).toBe(false);
  });

  it('edits the schedule live, naming the bad entry and column as you type', async () => {
    test = await openTestEngine();
    const engine = test.engine;
    const { screen: ui, calls, frame } = await mount();
    expect(frame()).toMatch(/^> Schedule\s+Mon-Fri 08:00-18:00 8M; \* unlimited/m);
    ui.stdin.write(keys.enter);
    await sleep(50);
    ui.stdin.write('\u0015');
    await type(ui, 'Mon-Fri 08:00-18:00 1M; Sat,Sun 25:00-26:00 off');
    expect(frame()).toContain(
      '! entry 2: expected a time HH:MM (00:00 to 24:00) at column 9, found "25:00"',
    );
    ui.stdin.write('\u0015');
    await type(ui, 'Mon-Fri 08:00-18:00 1M; * * unlimited');
    ui.stdin.write(keys.enter);
    await waitForFrame(frame, 'Schedule saved:');
    expect(engine.state().uploads.schedule).toEqual(['Mon-Fri 08:00-18:00 1M', '* * unlimited']);
    expect(calls.map((c) => c.command)).toEqual(['schedule.set']);
  });

  it('imports an integration file while no service is set, and sets the log level', async () => {
    test = await openTestEngine({ service: { mode: 'none' }, cameras: [] });
    const engine = test.engine;
    const file = path.join(test.dir, 'integration.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        url: 'http://127.0.0.1:9',
        systemId: 'sys_0123456789abcdef',
        systemName: 'Station 9',
        apiKey: `cst_${'A'.repeat(40)}`,
      }),
      { mode: 0o600 },
    );
    const { screen: ui, frame } = await mount();
    expect(frame()).toMatch(/> Service\s+not configured: Enter imports an integration file/);
    ui.stdin.write(keys.enter);
    await sleep(50);
    await type(ui, file);
    ui.stdin.write(keys.enter);
    await waitForFrame(frame, 'Linked to http://127.0.0.1:9 as Station 9');
    // Linked now: the row turns read-only and shows where.
    await waitForFrame(frame, /Service\s+http:\/\/127\.0\.0\.1:9/);
    expect(frame()).not.toContain('Enter imports');

    for (let i = 0; i < 3; i++) {
      ui.stdin.write(keys.down);
      await sleep(30);
    }
    ui.stdin.write(keys.enter);
    await sleep(50);
    ui.stdin.write('\u0015');
    await type(ui, 'loud');
    expect(frame()).toContain('one of trace, debug, info, warn, error, fatal');
    ui.stdin.write('\u0015');
    await type(ui, 'debug');
    ui.stdin.write(keys.enter);
    await waitForFrame(frame, 'Log level: debug');
    expect(engine.state().logging.level).toBe('debug');
  });

  it('edits the log file, rotation size and files kept, checking as you type', async () => {
    test = await openTestEngine({ service: { mode: 'none' }, cameras: [] });
    const engine = test.engine;
    const { screen, calls, frame } = await mount({}, 80, 21);
    const logFile = engine.state().paths.logFile;
    expect(frame()).toContain(`  Log file      ${logFile}`);
    expect(frame()).toContain('  Rotate log at 10m (10.0 MiB)');
    expect(frame()).toContain('  Old logs kept 10');
    expect(expectFits(frame(), 80, 21)).toEqual([]);
    const edit = async (text: string) => {
      await screen.press(keys.enter);
      await screen.press('\u0015');
      await type(screen, text);
    };

    for (let i = 0; i < 5; i++) await screen.press(keys.down);
    await edit('.');
    // The hint wraps under the field rather than being cut at 80 columns.
    expect(frame()).toMatch(/a relative one is from the config file's\s*│\n│ {5}folder/);
    expect(expectFits(frame(), 80, 21)).toEqual([]);
    // Only the disk can refuse a path: the engine does, and the pane says what to do.
    await screen.press(keys.enter);
    await waitForFrame(
      frame,
      /logging\.file: is a folder, not a file:[\s\S]* — point it at the file/,
    );
    expect(engine.state().paths.logFile).toBe(logFile);
    await edit('elsewhere/app.log');
    await screen.press(keys.enter);
    const moved = path.join(test.dir, 'elsewhere', 'app.log');
    await waitForFrame(frame, `Log file: ${moved}`);
    await waitForFrame(frame, `> Log file      ${moved}`);
    expect(engine.state().paths.logFile).toBe(moved);

    await screen.press(keys.down);
    await edit('10q');
    expect(frame()).toContain('! must be a size such as 10m, 512k or 1g');
    expect(expectFits(frame(), 80, 21)).toEqual([]);
    await screen.press('\u0015');
    await type(screen, '2m');
    expect(frame()).not.toContain('must be a size');
    await screen.press(keys.enter);
    await waitForFrame(frame, 'Rotate log at: 2m');
    await waitForFrame(frame, '> Rotate log at 2m (2.0 MiB)');

    await screen.press(keys.down);
    await edit('0');
    expect(frame()).toContain('! must be at least 1');
    await screen.press('\u0015');
    await type(screen, '1001');
    expect(frame()).toContain('! must be at most 1000');
    await screen.press('\u0015');
    await type(screen, 'few');
    expect(frame()).toContain('! must be a number, not text');
    // Enter does nothing while the field is wrong.
    await screen.press(keys.enter);
    expect(frame()).toContain('! must be a number, not text');
    await screen.press('\u0015');
    await type(screen, '3');
    await screen.press(keys.enter);
    await waitForFrame(frame, 'Old logs kept: 3');
    await waitForFrame(frame, '> Old logs kept 3');
    expect(engine.state().logging).toMatchObject({ file: moved, maxSize: '2m', maxFiles: 3 });
    expect(calls).toEqual([
      { command: 'settings.logging', input: { file: '.' } },
      { command: 'settings.logging', input: { file: 'elsewhere/app.log' } },
      { command: 'settings.logging', input: { maxSize: '2m' } },
      { command: 'settings.logging', input: { maxFiles: 3 } },
    ]);
    expect(expectFits(frame(), 80, 21)).toEqual([]);
  });

  it('adds, switches off and deletes a sync folder, showing the engine refusal', async () => {
    test = await openTestEngine({ service: { mode: 'none' }, cameras: [] });
    const engine = test.engine;
    writeFileSync(path.join(test.dir, 'notes.txt'), 'a file, not a folder');
    let bottomLine: string | null = null;
    const onCapture = (capturing: boolean, hints?: KeyHint[]) => {
      bottomLine = capturing ? (hints ?? []).map((h) => `${h.keys} ${h.does}`).join(' · ') : null;
    };
    const { screen, calls, frame } = await mount({ width: 80, height: 21, onCapture }, 80, 21);
    expect(frame()).toMatch(/Sync folders\s+1 of 1 on: Interview room exports/);
    for (let i = 0; i < 8; i++) await screen.press(keys.down);
    await screen.press(keys.enter);
    expect(frame()).toMatch(/> on\s+Interview room exports\s+move\s+\S+demo\/sync/);
    expect(bottomLine).toBe('↑↓ select · Space on/off · a add · d delete · Esc back');

    await screen.press('a');
    await type(screen, 'Night shift');
    expect(frame()).toMatch(/id\s+night-shift/);
    await screen.press(keys.enter);
    await screen.press('\u0015');
    await type(screen, 'interviews');
    expect(frame()).toContain('! sync folder "interviews" is already used by syncFolders[0]');
    await screen.press('\u0015');
    await type(screen, 'night-shift');
    await screen.press(keys.enter);
    await type(screen, 'notes.txt');
    for (let i = 0; i < 4; i++) await screen.press(keys.enter);
    await waitForFrame(frame, 'syncFolders[1].path: is a file, not a folder');
    expect(expectFits(frame(), 80, 21)).toEqual([]);

    // Still the form, with what was typed: fix the path, and move uploaded files away.
    for (let i = 0; i < 3; i++) await screen.press(keys.up);
    await screen.press('\u0015');
    await type(screen, 'night');
    for (let i = 0; i < 3; i++) await screen.press(keys.down);
    await screen.press('\u001B[C');
    await screen.press(keys.enter);
    await type(screen, 'night-done');
    await screen.press(keys.enter);
    await waitForFrame(frame, 'Added Night shift');
    expect(engine.state().syncFolders.find((f) => f.id === 'night-shift')).toMatchObject({
      path: path.join(test.dir, 'night'),
      enabled: true,
      afterUpload: { policy: 'move', doneFolder: path.join(test.dir, 'night-done') },
    });
    await waitForFrame(frame, /> on\s+Night shift\s+move/);
    expect(frame()).toContain('id night-shift · include **/* · exclude none');
    expect(expectFits(frame(), 80, 21)).toEqual([]);

    await screen.press(' ');
    await waitForFrame(frame, /> off\s+Night shift/);
    expect(engine.state().syncFolders.map((f) => f.enabled)).toEqual([true, false]);

    await screen.press('d');
    expect(frame()).toContain('Delete sync folder Night shift? Queued files still upload. y/n');
    expect(bottomLine).toBe('y yes · n/Esc no');
    await screen.press('y');
    await waitForFrame(frame, 'Deleted Night shift');
    expect(engine.state().syncFolders.map((f) => f.id)).toEqual(['interviews']);

    await screen.press(keys.escape);
    expect(frame()).toMatch(/> Sync folders\s+1 of 1 on/);
    expect(bottomLine).toBeNull();
    expect(calls.map((c) => c.command)).toEqual(Array(4).fill('settings.syncFolders'));
  });
});
