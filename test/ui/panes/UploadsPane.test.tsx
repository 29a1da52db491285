import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nextCap, scheduleProblem, UploadsPane } from '../../../src/ui/panes/UploadsPane.tsx';
import { openTestEngine } from '../../helpers/engine.ts';
import { keys, renderSized, type Screen } from '../../helpers/ink.ts';
import { until } from '../../helpers/until.ts';
import { expectFits, recordingApi, type, waitForFrame } from '../support.tsx';

const M = 1024 * 1024;
const ctrlU = '\u0015';

describe('cap steps and schedule checks', () => {
  it('steps the cap along the ladder, from between steps too', () => {
    expect(nextCap(8 * M, 1)).toBe(16 * M);
    expect(nextCap(8 * M, -1)).toBe(4 * M);
    expect(nextCap(3 * M, -1)).toBe(2 * M);
    expect(nextCap(null, -1)).toBe(32 * M);
    expect(nextCap(null, 1)).toBe(null);
    expect(nextCap(32 * M, 1)).toBe(null);
    expect(nextCap(0, -1)).toBe(0);
    expect(nextCap(0, 1)).toBe(256 * 1024);
  });
  it('names the bad entry and column as you type, and how many problems there are', () => {
    expect(scheduleProblem('Mon-Fri 08:00-18:00 2M; * unlimited')).toBeUndefined();
    expect(scheduleProblem('Mon-Fri 25:00-18:00 2M')).toBe(
      'entry 1: expected a time HH:MM (00:00 to 24:00) at column 9, found "25:00"',
    );
    expect(scheduleProblem('* 2M; Mon-Fri 08:00-08:00 2M; Sat 9-10 1M')).toBe(
      '2 problems; entry 2: expected an end time other than the start at column 15, found "08:00" (for the whole day, write *)',
    );
  });
});

describe('UploadsPane', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>> | undefined;
  let screen: Screen | undefined;
  let unsubscribe: (() => void) | undefined;
  afterEach(async () => {
    unsubscribe?.();
    screen?.instance.unmount();
    await test?.close();
  });

  async function mount(columns = 80, rows = 21, overrides: Record<string, unknown> = {}) {
    test = await openTestEngine(overrides);
    const { api, calls } = recordingApi(test.engine);
    const engine = test.engine;
    const element = () => (
      <UploadsPane
        state={engine.state()}
        api={api}
        width={columns}
        height={rows}
        active
        onCapture={() => {}}
      />
    );
    const s = await renderSized(element(), columns, rows);
    screen = s;
    unsubscribe = engine.subscribe(() => s.instance.rerender(element()));
    return { screen: s, calls, engine, dir: test.dir };
  }

  it('changes the cap with + and -, and goes back to the schedule with 0', async () => {
    const { screen, engine } = await mount();
    expect(screen.frame()).toMatch(/cap (8M|unl) sched/);
    const before = engine.state().uploads.cap;
    await screen.press('-');
    await waitForFrame(screen.frame, /Cap: .* until you change it/);
    expect(engine.state().uploads.cap).toBe(nextCap(before, -1));
    expect(engine.state().uploads.capSource).toBe('override');
    await waitForFrame(screen.frame, ' man ·');
    await screen.press('+');
    await screen.press('+');
    expect(engine.state().uploads.cap).toBe(nextCap(nextCap(nextCap(before, -1), 1), 1));
    await screen.press('0');
    await waitForFrame(screen.frame, 'Cap: back to the schedule');
    expect(engine.state().uploads.capSource).toBe('schedule');
  });

  it('edits the schedule with validation as you type', async () => {
    const { screen, calls, engine } = await mount();
    await screen.press('s');
    await waitForFrame(screen.frame, /Schedule\s+Mon-Fri 08:00-18:00 8M; \* unlimited/);
    screen.stdin.write(ctrlU);
    await type(screen, 'Mon-Fri 08:00-08:00 2M; Sat 9-10 1M');
    // The longest problem, whole at 80 columns: wrapped under the field, not cut, and the
    // wrapped line starts under the first (Ink leaves the space it broke at).
    expect(screen.frame()).toMatch(
      /! 2 problems; entry 1: expected an end time other than the start at column\s*│\n│ {5}15, found "08:00" \(for the whole day, write \*\)/,
    );
    await screen.press(keys.enter);
    expect(calls.some((c) => c.command === 'schedule.set')).toBe(false);
    screen.stdin.write(ctrlU);
    await type(screen, 'Mon-Fri 08:00-18:00 2M');
    expect(screen.frame()).toContain('✓ valid: 1 entry;');
    await type(screen, '; Sat,Sun off');
    expect(screen.frame()).toContain('✓ valid: 2 entries');
    await screen.press(keys.enter);
    await waitForFrame(screen.frame, 'Schedule saved:');
    expect(engine.state().uploads.schedule).toEqual(['Mon-Fri 08:00-18:00 2M', 'Sat,Sun off']);
  });

  it('keeps every line of a dialog and of the list above it with a full list and an error', async () => {
    const { screen, engine, dir } = await mount();
    await engine.run('bandwidth.set', { bytesPerSecond: 0 });
    const folder = path.join(dir, 'many');
    mkdirSync(folder);
    for (let i = 0; i < 30; i++) writeFileSync(path.join(folder, `f${i}.mp4`), 'x');
    await engine.run('uploads.add', { paths: [folder] });
    await waitForFrame(screen.frame, 'All files (30)');
    const whole = (frame: string) => {
      expect(frame).toContain('[All files (30)]');
      expect(frame).toMatch(/^ {2}Name\s+Source\s+Case/m);
      expect(expectFits(frame, 80, 21)).toEqual([]);
    };

    await screen.press('s');
    screen.stdin.write(ctrlU);
    await type(screen, 'Mon-Fri 25:00-18:00 2M');
    whole(screen.frame());
    expect(screen.frame()).toMatch(/> Schedule Mon-Fri 25:00-18:00 2M/);
    expect(screen.frame()).toContain(
      '! entry 1: expected a time HH:MM (00:00 to 24:00) at column 9,',
    );
    await screen.press(keys.escape);

    await screen.press('c');
    screen.stdin.write(ctrlU);
    await type(screen, '99');
    whole(screen.frame());
    expect(screen.frame()).toMatch(/> Concurrency\s+99/);
    expect(screen.frame()).toContain('! a whole number from 1 to 26');
  });

  it('picks files in the browser: opens folders, marks with Space, takes them with Enter', async () => {
    const { screen, calls, engine, dir } = await mount();
    await engine.run('bandwidth.set', { bytesPerSecond: 0 });
    const usb = path.join(dir, 'usb');
    mkdirSync(path.join(usb, 'DCIM'), { recursive: true });
    writeFileSync(path.join(usb, 'DCIM', 'a.mp4'), Buffer.alloc(2048, 1));
    writeFileSync(path.join(usb, 'DCIM', 'b.mp4'), Buffer.alloc(4096, 2));
    writeFileSync(path.join(usb, 'DCIM', '.hidden'), 'x');
    const cwd = process.cwd();
    // The engine lists its own working folder first.
    process.chdir(usb);
    try {
      await screen.press('o');
      await waitForFrame(screen.frame, /DCIM\//);
      await screen.press(keys.down); // past `..`
      await screen.press(keys.enter); // into DCIM
      const listing = await waitForFrame(screen.frame, /b\.mp4/);
      expect(listing).toContain(path.join(usb, 'DCIM'));
      expect(listing).not.toContain('.hidden');
      expect(listing).toMatch(/\[ \] a\.mp4\s+2K/);
      await screen.press(keys.down);
      await screen.press(' '); // mark a.mp4
      await screen.press(' '); // mark b.mp4
      expect(screen.frame()).toContain('2 marked');
      await screen.press(keys.enter);
      await waitForFrame(screen.frame, 'File it into');
      await screen.press(keys.down);
      await screen.press(keys.down);
      await screen.press(keys.enter);
      await waitForFrame(screen.frame, 'Added 2 files into no case');
      expect(calls.find((c) => c.command === 'uploads.add')?.input).toEqual({
        paths: [path.join(usb, 'DCIM', 'a.mp4'), path.join(usb, 'DCIM', 'b.mp4')],
        caseChoice: 'none',
      });
    } finally {
      process.chdir(cwd);
    }
  });

  it('sets the concurrency, refusing numbers out of range', async () => {
    const { screen, engine } = await mount();
    await screen.press('c');
    screen.stdin.write(ctrlU);
    await type(screen, '30');
    expect(screen.frame()).toContain('a whole number from 1 to 26');
    screen.stdin.write(ctrlU);
    await type(screen, '2');
    await screen.press(keys.enter);
    await waitForFrame(screen.frame, 'Concurrency: 2');
    expect(engine.state().uploads.concurrency).toBe(2);
  });

  it('adds files by path with a case choice, then pauses, reorders and cancels them', async () => {
    const { screen, calls, engine, dir } = await mount();
    await engine.run('bandwidth.set', { bytesPerSecond: 0 }); // keep them queued
    const files = ['interview-1.mp4', 'interview-2.mp4'].map((name) => {
      const file = path.join(dir, name);
      writeFileSync(file, Buffer.alloc(64 * 1024, 7));
      return file;
    });
    await screen.press('o');
    await waitForFrame(screen.frame, "Select files on the engine's machine");
    await screen.press('t'); // type the paths instead of browsing
    expect(screen.frame()).toContain('Select files: paths on the engine');
    await type(screen, files.join('; '));
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('File it into');
    await screen.press(keys.down);
    await screen.press(keys.down);
    await screen.press(keys.enter); // Skip (no case)
    await waitForFrame(screen.frame, 'Added 2 files into no case');
    expect(calls.find((c) => c.command === 'uploads.add')?.input).toEqual({
      paths: files,
      caseChoice: 'none',
    });
    const table = await waitForFrame(screen.frame, /interview-2\.mp4/);
    expect(table).toMatch(/Name\s+Source\s+Case\s+Size\s+Progress\s+Rate\s+ETA\s+State/);
    expect(table).toMatch(/> interview-1\.mp4\s+picked\s+none\s+64K\s+░+\s+0%\s+queued/);
    expect(expectFits(table, 80, 21)).toEqual([]);

    await screen.press('/');
    await type(screen, 'interview-2');
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('[All files (1/2)]');
    expect(screen.frame()).not.toContain('interview-1.mp4');
    await screen.press(keys.escape);
    expect(screen.frame()).toContain('[All files (2)]');

    await screen.press('p');
    await waitForFrame(screen.frame, /> interview-1\.mp4 .* paused/);
    await screen.press('p');
    await waitForFrame(screen.frame, /Resumed interview-1\.mp4/);
    await screen.press(keys.down);
    await screen.press('f');
    await waitForFrame(screen.frame, 'interview-2.mp4 goes next');
    await screen.press('x');
    expect(screen.frame()).toMatch(/Cancel the upload of interview-\d\.mp4\? y\/n/);
    await screen.press('y');
    await waitForFrame(screen.frame, /Cancelled interview-\d\.mp4/);
    expect(engine.state().uploads.jobs.filter((j) => j.state === 'cancelled')).toHaveLength(1);
    expect(calls.map((c) => c.command)).toEqual(
      expect.arrayContaining([
        'uploads.pause',
        'uploads.resume',
        'uploads.moveToFront',
        'uploads.cancel',
      ]),
    );
  });

  it('lays the table out wider on a wide terminal', async () => {
    const { screen, engine, dir } = await mount(200, 47);
    await engine.run('bandwidth.set', { bytesPerSecond: 0 });
    const file = path.join(dir, 'a-rather-long-interview-recording-name.mp4');
    writeFileSync(file, Buffer.alloc(1024, 1));
    await engine.run('uploads.add', { paths: [file], caseChoice: 'none' });
    const frame = await waitForFrame(screen.frame, 'a-rather-long-interview-recording-name.mp4');
    expect(frame).toMatch(/cap off \(manual\) · ↑ 0 B\/s · 0 running, 1 queued/);
    expect(frame).toMatch(
      /> a-rather-long-interview-recording-name\.mp4\s+picked\s+none\s+1K\s+░{20}\s+0%\s+queued/,
    );
    // The name column stops at 60: the progress stays near the name, the spare width at the end.
    expect(frame).toMatch(/> a-rather-long-interview-recording-name\.mp4 {19}picked {19}none/);
    expect(expectFits(frame, 200, 47)).toEqual([]);
  });

  it('switches to Connected devices and Sync folders with Tab', async () => {
    const { screen } = await mount();
    expect(screen.frame()).toContain('[All files (0)]');
    await screen.press('\t');
    expect(screen.frame()).toContain('[Connected devices (0)]');
    expect(screen.frame()).toContain('Docks: Body-worn camera dock');
    await screen.press('\t');
    expect(screen.frame()).toContain('[Sync folders (1)]');
    expect(screen.frame()).toMatch(/Interview room exports\s+0\s+/);
  });

  it('leaves switched off sync folders out', async () => {
    const { screen, engine } = await mount();
    expect(screen.frame()).toContain('Sync folders (1)');
    await engine.run('settings.syncFolders', {
      syncFolders: engine.state().syncFolders.map((f) => ({ ...f, enabled: false })),
    });
    await until('the folder left out', () => !screen.frame().includes('Sync folders'));
  });

  it('lists a docked camera with its files and the bytes left', async () => {
    const { screen, engine, dir } = await mount();
    await engine.run('bandwidth.set', { bytesPerSecond: 0 });
    const camera = path.join(dir, 'demo/dock/BWC-0042');
    mkdirSync(camera, { recursive: true });
    writeFileSync(path.join(camera, 'clip-0001.mp4'), Buffer.alloc(2 * M, 1));
    writeFileSync(path.join(camera, 'clip-0002.mp4'), Buffer.alloc(M, 2));
    await screen.press('\t');
    const frame = await waitForFrame(
      screen.frame,
      /BWC-0042\s+Body-worn camera dock\s+\S+\s+2\s+3\.0 MiB/,
    );
    expect(frame).toContain('[Connected devices (1)]');
    expect(frame).toMatch(/Camera\s+Dock\s+Docked\s+Files\s+Left/);
    expect(expectFits(frame, 80, 21)).toEqual([]);
  });

  it('shows no Sync folders view when none is enabled', async () => {
    const { screen } = await mount(80, 21, { syncFolders: [] });
    expect(screen.frame()).not.toContain('Sync folders');
    await screen.press('\t');
    expect(screen.frame()).toContain('[Connected devices (0)]');
    await screen.press('\t');
    expect(screen.frame()).toContain('[All files (0)]');
  });

  it('retries a failed upload with r', async () => {
    const { screen, engine, dir, calls } = await mount();
    await engine.run('bandwidth.set', { bytesPerSecond: 0 });
    const file = path.join(dir, 'statement.pdf');
    writeFileSync(file, Buffer.alloc(4096, 3));
    await engine.run('uploads.add', { paths: [file], caseChoice: 'none' });
    // Gone before its turn: the job fails, saying so.
    rmSync(file);
    await engine.run('bandwidth.set', { bytesPerSecond: 'schedule' });
    await waitForFrame(screen.frame, /statement\.pdf.*failed/, 15_000);
    writeFileSync(file, Buffer.alloc(4096, 3));
    await screen.press('r');
    expect(calls.filter((c) => c.command === 'uploads.retry')).toHaveLength(1);
    await waitForFrame(screen.frame, /statement\.pdf.*done/, 15_000);
  });
});
