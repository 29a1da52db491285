import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/cli.ts';
import { custody } from '../helpers/control.ts';
import { TmuxSession } from '../helpers/tmux.ts';
import { until } from '../helpers/until.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An operator approving one video request and denying another in the console, on the demo as
 * `npm start` runs it: the requests come from `custody request demo` in another terminal, as
 * the README shows (the demo investigator asks through the embedded service's API).
 */
describe('video requests in the console, in tmux', () => {
  it.each([
    { columns: 80, rows: 24, noColor: true },
    { columns: 200, rows: 50, noColor: false },
  ])(
    'approves one request and denies another at $columns x $rows',
    async ({ columns, rows, noColor }) => {
      const dir = tempDir('custody-e2e-console-');
      const tmux = new TmuxSession(columns, rows);
      try {
        const data = path.join(dir.path, 'data');
        tmux.start(`npm start --silent --prefix ${repoRoot} -- --data ${data}`, {
          CUSTODY_INTERACTIVE: '1',
          ...(noColor ? { NO_COLOR: '1' } : {}),
        });
        await tmux.waitFor('Demo workstation │ Ready', 30_000);
        const createRequest = async (reason: string) => {
          const asked = await custody(data, [
            'request',
            'demo',
            '--cameras',
            'lobby',
            '--seconds',
            '4',
            '--reason',
            reason,
            '--json',
          ]);
          expect(asked.code, asked.stderr).toBe(0);
          return (JSON.parse(asked.stdout) as { id: string }).id;
        };
        // A few seconds of footage for the requests to ask for.
        await sleep(7000);
        const approveId = await createRequest('Break-in at the lobby');
        const denyId = await createRequest('Curiosity');

        const inbox = await tmux.waitFor(/held[\s\S]*held/, 60_000);
        expect(inbox).toMatch(/State\s+Requester\s+Case\s+Cams\s+Range\s+Age\s+Expires/);
        expect(inbox).toMatch(/2 requests, 2 waiting for a decision/);
        for (const line of inbox.split('\n')) expect(line.length).toBeLessThanOrEqual(columns);

        // The details of the selected (first) request: per-camera export, hash, gaps.
        tmux.send('Enter');
        const details = await tmux.waitFor(/sha256 [0-9a-f]{12}…/);
        const first = details.includes(`${approveId} ·`) ? approveId : denyId;
        tmux.send('Escape');
        await until(
          'the details to close',
          () => !/sha256 [0-9a-f]{12}…/.test(tmux.capture()),
          10_000,
        );

        // Approve whichever is selected, after the y/n question.
        tmux.send('a');
        await tmux.waitFor(/Approve .*\? y\/n — the footage goes to case/);
        tmux.send('y');
        await tmux.waitFor(/(approved|delivering|delivered)/, 30_000);

        // Deny the other: undecided requests come first, so it is now the top row.
        const other = first === approveId ? denyId : approveId;
        for (let i = 0; i < 5; i++) {
          tmux.send('Up');
          await sleep(150);
        }
        tmux.send('d');
        const deny = await tmux.waitFor(/Deny .*: the footage is destroyed|already /);
        expect(deny).toContain(`Deny ${other}`);
        tmux.send('-l', 'No legal basis');
        await sleep(200);
        tmux.send('Enter');
        // The pane's own line reports the engine's answer once the form has closed.
        const decided = await tmux.waitFor(new RegExp(`${other}: (denied|destroyed)`), 30_000);
        expect(decided).toMatch(/0 open requests|0 req/);

        // The events tell the same story.
        // Keys sent back to back can reach the program as one chunk ("4/"): one at a time.
        await sleep(300);
        tmux.send('4');
        await tmux.waitFor('[4 Events]');
        tmux.send('/');
        await sleep(200);
        tmux.send('-l', 'request');
        await sleep(200);
        tmux.send('Enter');
        // The typed text already filters the live window: wait for the whole log's answer.
        const found = await tmux.waitFor(/search: request — .*in the whole log/, 30_000);
        expect(found).toMatch(/request\.(approved|denied|destroyed|delivered)/);

        tmux.send('q');
        const ask = await tmux.waitFor(/Quit\? y\/n|\[exit 0\]/);
        if (ask.includes('y/n')) tmux.send('y');
        await tmux.waitFor('[exit 0]', 30_000);
      } finally {
        tmux.kill();
        dir.remove();
      }
    },
    180_000,
  );
});
