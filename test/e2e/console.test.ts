import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/cli.ts';
import { TmuxSession } from '../helpers/tmux.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  { columns: 80, rows: 24, noColor: true },
  { columns: 200, rows: 50, noColor: false },
])('the console in tmux at $columns x $rows (NO_COLOR $noColor)', ({ columns, rows, noColor }) => {
  let tmux: TmuxSession | undefined;
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(() => {
    tmux?.kill();
    dir?.remove();
  });

  function start(): TmuxSession {
    dir = tempDir();
    const session = new TmuxSession(columns, rows);
    // What the README tells a new user to run, on a data directory of the test's own.
    session.start(
      `npm start --silent --prefix ${repoRoot} -- --data ${path.join(dir.path, 'data')}`,
      {
        // CI has no terminal of its own: tmux gives one, and this tells Ink to use it.
        CUSTODY_INTERACTIVE: '1',
        ...(noColor ? { NO_COLOR: '1' } : {}),
      },
    );
    tmux = session;
    return session;
  }

  function expectFits(screen: string) {
    const lines = screen.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
  }

  /** Literal text: tmux would read a word such as "Enter" as a key name. */
  const typeText = (session: TmuxSession, text: string) => session.send('-l', text);

  /** q, and y when the console asks because work is in flight. */
  async function quit(session: TmuxSession) {
    session.send('q');
    const screen = await session.waitFor(/Quit\? y\/n|\[exit 0\]/);
    if (screen.includes('y/n')) session.send('y');
    return session.waitFor('[exit 0]');
  }

  it('opens full screen, switches to the events, and quits on q', async () => {
    const session = start();
    const first = await session.waitFor('Demo workstation │ Ready');
    const lines = first.split('\n');
    expect(lines[1]).toContain('[1 Inbox]');
    expect(first).toContain('? help');
    expectFits(first);

    // Colour only where NO_COLOR allows it: SGR colours 30-38, 40-48, 90-97, 100-107 (39 and
    // 49 are tmux going back to the default, which bold and inverse runs end with).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching SGR codes
    const colours = /\u001B\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;
    if (noColor) expect(session.captureStyled()).not.toMatch(colours);
    else expect(session.captureStyled()).toMatch(colours);

    session.send('4');
    // The tab bar may be drawn a frame before the list under it.
    const events = await session.waitFor(/INFO\s+engine\.started/);
    expect(events.split('\n')[1]).toContain('[4 Events]');

    // Resized live: the console redraws to the new size, every line within it.
    session.resize(columns + 20, rows + 6);
    // The key line moves down to the new last row.
    const wider = await session.waitFor(new RegExp(`^(?:.*\\n){${rows + 5}}\\? help`));
    for (const line of wider.split('\n')) expect(line.length).toBeLessThanOrEqual(columns + 20);
    expect(wider.split('\n')[1]).toContain('[4 Events]');
    session.resize(columns, rows);
    await session.waitFor('[4 Events]');
    // Below 80x24 it says so instead of drawing panes over each other, and comes back whole.
    session.resize(70, 20);
    const small = await session.waitFor('This terminal is 70x20');
    expect(small).not.toContain('[4 Events]');
    session.resize(columns, rows);
    const back = await session.waitFor('[4 Events]');
    expect(back).not.toContain('This terminal is');
    expectFits(back);

    session.send('?');
    await session.waitFor('Keys (Esc or ? closes)');
    session.send('Escape');
    await session.waitFor(/following/);

    const after = await quit(session);
    // The alternate screen is gone: the console leaves the terminal as it found it.
    expect(after).not.toContain('[4 Events]');
  });

  it('takes a snapshot into a new case, changes the cap and the schedule, reads the events', async () => {
    const session = start();
    await session.waitFor('Demo workstation │ Ready');

    // Cameras: live tiles, then the snapshot wizard on the first one.
    session.send('2');
    await session.waitFor('● recording · lobby', 20_000);
    const tiles = await session.waitFor(noColor ? /^ [ .:\-=+*#%@]{20,}/m : /▀{10,}/, 20_000);
    expectFits(tiles);
    session.send('Enter');
    await session.waitFor('Snapshot from Front lobby (lobby) — step 1 of 3');
    typeText(session, 'Door at 14:02');
    session.send('Enter');
    typeText(session, 'taken in the e2e test');
    session.send('Enter');
    // (Text and Enter arrive in one chunk here: the form takes the text, then the Enter.)
    await session.waitFor('step 2 of 3');
    session.send('Down');
    await sleep(150);
    session.send('Enter');
    await session.waitFor(/Department\s+‹ .*\(default\) ›/);
    typeText(session, 'E2E burglary');
    for (let i = 0; i < 5; i++) {
      session.send('Enter');
      await sleep(100);
    }
    await session.waitFor('Enter Finish');
    let done = '';
    for (let attempt = 0; attempt < 5 && !done.includes('Queued'); attempt++) {
      if (attempt > 0) {
        // Refused (the engine's first segment may still be open): back to Finish, again.
        await sleep(2000);
        session.send('Enter');
        await sleep(150);
      }
      session.send('Enter');
      done = await session.waitFor(/Queued: "Door at 14:02"|Refused: /, 20_000);
    }
    expect(done).toMatch(/Queued: "Door at 14:02" \(\d+x\d+/);
    expect(done.replace(/\n/g, ' ')).toMatch(/new case "E2E\s+burglary"/);
    expectFits(done);
    session.send('Enter');
    await session.waitFor('▶ Front lobby');

    // Uploads: one step down the cap ladder, then a new schedule typed and checked as typed.
    session.send('3');
    await session.waitFor('[3 Uploads]');
    session.send('-');
    await session.waitFor(/Cap: .* until you change it/);
    // The status bar marks a cap the operator set by hand.
    await session.waitFor(/^Demo workstation .*( man │|\(manual\))/);
    session.send('s');
    await session.waitFor(/Schedule\s+Mon-Fri 08:00-18:00 8M; \* unlimited/);
    session.send('C-u');
    typeText(session, 'Mon-Fri 08:00-18:00 1M; Sat,Sun 2X');
    await session.waitFor(/expected a rate/);
    session.send('BSpace', 'BSpace');
    typeText(session, 'off');
    await session.waitFor('✓ valid: 2 entries');
    session.send('Enter');
    const saved = await session.waitFor('Schedule saved:');
    expectFits(saved);

    // Events: everything above is in the log. The tab and the search key in one go, as keys
    // typed ahead reach the console: the search is the Events pane's, opened by the 4.
    session.send('4/');
    await session.waitFor(/\[4 Events\][\s\S]*search: ▏/);
    typeText(session, 'snapshot');
    await sleep(150);
    session.send('Enter');
    const found = await session.waitFor(/^search: snapshot — \d+ match(es)? in the whole log$/m);
    expect(found).toMatch(/snapshot\.exported lobby/);
    // An Esc straight followed by a key reads as Alt+key on any terminal: a pause between.
    session.send('Escape');
    await sleep(300);
    session.send('t');
    await session.waitFor(/kind \w+ · /);
    session.send('Escape');
    await sleep(300);
    const log = await session.waitFor(/kind all · following[\s\S]*schedule\.set/);
    expect(log).toMatch(/bandwidth\.set|case\.created|schedule\.set/);
    expectFits(log);

    await quit(session);
  }, 120_000);
});
