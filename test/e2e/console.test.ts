import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, tempDir } from '../helpers/cli.ts';
import { TmuxSession } from '../helpers/tmux.ts';

const example = path.join(repoRoot, 'config.example.json');

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

  it('opens full screen, switches to the events, and quits on q', async () => {
    dir = tempDir();
    tmux = new TmuxSession(columns, rows);
    tmux.start(
      `${process.execPath} ${cliPath} --config ${example} --data ${path.join(dir.path, 'data')}`,
      {
        // CI has no terminal of its own: tmux gives one, and this tells Ink to use it.
        CUSTODY_INTERACTIVE: '1',
        ...(noColor ? { NO_COLOR: '1' } : {}),
      },
    );
    const first = await tmux.waitFor('Demo workstation │ Ready');
    const lines = first.split('\n');
    expect(lines[1]).toContain('[1 Inbox]');
    expect(first).toContain('? help');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);

    tmux.send('4');
    const events = await tmux.waitFor('[4 Events]');
    expect(events).toMatch(/INFO\s+engine\.started/);

    tmux.send('?');
    await tmux.waitFor('Keys (Esc or ? closes)');
    tmux.send('Escape');
    await tmux.waitFor(/following/);

    tmux.send('q');
    const after = await tmux.waitFor('[exit 0]');
    // The alternate screen is gone: the console leaves the terminal as it found it.
    expect(after).not.toContain('[4 Events]');
  });
});
