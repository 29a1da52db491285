// `custody attach`: the console on a running `custody engine`, in tmux; quitting it leaves the
// engine running, and an engine restart under it shows Offline, then Ready again.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadsStateSchema } from '../../src/protocol/engine-state.ts';
import { startTusPeer } from '../engine/uploads/tus-peer.ts';
import { cliPath, runCli, tempDir } from '../helpers/cli.ts';
import { custody, type RunningEngine, startEngine, writeEngineConfig } from '../helpers/control.ts';
import { TmuxSession } from '../helpers/tmux.ts';
import { untilAsync } from '../helpers/until.ts';

describe('custody attach', { timeout: 90_000 }, () => {
  let tmux: TmuxSession | undefined;
  let engine: RunningEngine | undefined;
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(async () => {
    tmux?.kill();
    await engine?.stop();
    dir?.remove();
    tmux = undefined;
    engine = undefined;
    dir = undefined;
  });

  it('opens the console on the engine; q closes the console, not the engine', async () => {
    dir = tempDir('custody-attach-');
    const data = path.join(dir.path, 'data');
    const config = writeEngineConfig(dir.path);
    engine = await startEngine(config, data);

    tmux = new TmuxSession(80, 24);
    tmux.start(`${process.execPath} ${cliPath} attach --data ${data}`, {
      CUSTODY_INTERACTIVE: '1',
      NO_COLOR: '1',
    });
    const first = await tmux.waitFor('Demo workstation │ Ready');
    for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    tmux.send('4');
    await tmux.waitFor(/INFO\s+engine\.started/);

    // The engine restarts under the console: Offline meanwhile, then Ready again.
    await engine.stop();
    await tmux.waitFor('Offline');
    engine = await startEngine(config, data);
    await tmux.waitFor('Demo workstation │ Ready', 20_000);

    // An upload under a slow cap, running when the operator closes the console.
    const peer = await startTusPeer(path.join(dir.path, 'peer'));
    try {
      const file = path.join(dir.path, 'bodycam-0042.mp4');
      writeFileSync(file, randomBytes(1024 * 1024));
      expect((await custody(data, ['bandwidth', 'set', '256K'])).code).toBe(0);
      expect((await custody(data, ['upload', file, '--to', peer.url])).code).toBe(0);
      await tmux.waitFor(/1 up|1 ?↑/);

      // Attached, q closes at once: nothing stops, so nothing to ask.
      tmux.send('q');
      await tmux.waitFor('[exit 0]');
      const sent = async () => {
        const list = await custody(data, ['uploads', 'list', '--json']);
        const [job] = uploadsStateSchema.shape.jobs.parse(JSON.parse(list.stdout));
        return job;
      };
      const before = (await sent())?.bytes ?? 0;
      await untilAsync('the upload to go on', async () => ((await sent())?.bytes ?? 0) > before);
      expect((await custody(data, ['bandwidth', 'set', 'unlimited'])).code).toBe(0);
      await untilAsync('the upload to finish', async () => (await sent())?.state === 'done');
      const [arrived] = await peer.uploads();
      expect(arrived?.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    } finally {
      await peer.close();
    }
    expect(engine.child.exitCode).toBeNull();
  });

  it('needs a terminal (exit 2) and a running engine (exit 4)', async () => {
    dir = tempDir('custody-attach-');
    const noTty = await runCli(['attach', '--data', dir.path]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('custody attach needs a terminal');
    const none = await runCli(['attach', '--data', dir.path], {
      env: { CUSTODY_INTERACTIVE: '1' },
    });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain(`no engine is running on ${dir.path}`);
  });
});
