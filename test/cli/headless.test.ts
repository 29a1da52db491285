// The headless commands against a real `custody engine` process, over its control socket.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bandwidthShowOutputSchema,
  cliErrorSchema,
  scheduleShowOutputSchema,
  uploadQueuedOutputSchema,
  uploadWaitOutputSchema,
} from '../../src/protocol/cli-output.ts';
import { engineStateSchema } from '../../src/protocol/engine-state.ts';
import { startTusPeer, type TusPeer } from '../engine/uploads/tus-peer.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { custody, type RunningEngine, startEngine, writeEngineConfig } from '../helpers/control.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('headless commands on a running engine', { timeout: 60_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let data: string;
  let config: string;
  let engine: RunningEngine;
  let engineStartedAt = 0;
  let peerDir: ReturnType<typeof tempDir>;
  let peer: TusPeer;

  beforeAll(async () => {
    dir = tempDir('custody-headless-');
    data = path.join(dir.path, 'data');
    config = writeEngineConfig(dir.path);
    engine = await startEngine(config, data);
    engineStartedAt = Date.now();
    peerDir = tempDir('custody-headless-peer-');
    peer = await startTusPeer(peerDir.path);
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await peer?.close();
    peerDir?.remove();
    dir?.remove();
  });

  it('lists the headless commands and the exit codes in --help', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'engine',
      'attach',
      'status',
      'upload',
      'uploads',
      'bandwidth',
      'schedule',
      'cameras',
      'snapshot',
      'export',
      'requests',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(help.stdout).toContain('2  bad input');
    expect(help.stdout).toContain('3  not permitted');
    expect(help.stdout).toContain('4  engine or service unreachable');
  });

  it('announces itself and its 0600 control socket', () => {
    expect(engine.banner).toContain(`engine ready — Demo workstation, data ${data}`);
    const socket = path.join(data, 'engine.sock');
    expect(engine.banner).toContain(`control socket ${socket}`);
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
  });

  it('status: one screen, or the engine state as one JSON document', async () => {
    const human = await custody(data, ['status']);
    expect(human.code).toBe(0);
    for (const label of ['service', 'schedule', 'cap', 'uploads', 'requests', 'cameras']) {
      expect(human.stdout).toMatch(new RegExp(`^${label}\\s{2,}\\S`, 'm'));
    }
    expect(human.stdout).toMatch(/^cameras\s+\d\/1 online/m);

    const json = await custody(data, ['status', '--json']);
    expect(json.code).toBe(0);
    const state = engineStateSchema.parse(JSON.parse(json.stdout));
    expect(state.dataDir).toBe(data);
    expect(state.cameras.map((c) => c.id)).toEqual(['lobby']);
  });

  it('cameras list', async () => {
    const human = await custody(data, ['cameras', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ID\s+STATE\s+NAME\s+LOCATION$/m);
    expect(human.stdout).toMatch(/^lobby\s+\S+.*Front lobby/m);
    const json = await custody(data, ['cameras', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ id: 'lobby' })]);
  });

  it('bandwidth set / show, back to the schedule, and bad rates (exit 2)', async () => {
    const set = await custody(data, ['bandwidth', 'set', '2M', '--json']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ bytesPerSecond: 2 * 1024 * 1024, source: 'override' });
    const shownJson = await custody(data, ['bandwidth', 'show', '--json']);
    expect(bandwidthShowOutputSchema.parse(JSON.parse(shownJson.stdout))).toMatchObject({
      bytesPerSecond: 2 * 1024 * 1024,
      source: 'override',
    });
    const shown = await custody(data, ['bandwidth', 'show']);
    expect(shown.stdout).toMatch(/^cap 2\.0 MiB\/s \(override\)/);
    const back = await custody(data, ['bandwidth', 'set', 'schedule']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('from the schedule');
    const off = await custody(data, ['bandwidth', 'set', 'off', '--json']);
    expect(JSON.parse(off.stdout)).toMatchObject({ bytesPerSecond: 0 });
    await custody(data, ['bandwidth', 'set', 'unlimited']);

    const bad = await custody(data, ['bandwidth', 'set', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^custody: bandwidth "fast": expected a rate/);
    const badJson = await custody(data, ['bandwidth', 'set', '12Q', '--json']);
    expect(badJson.code).toBe(2);
    expect(cliErrorSchema.parse(JSON.parse(badJson.stderr))).toMatchObject({
      error: { exitCode: 2 },
    });
    await custody(data, ['bandwidth', 'set', 'schedule']);
  });

  it('schedule show / set, and an entry it cannot read (exit 2)', async () => {
    // `* *`: every day, all day — the catch-all after the working-hours window.
    const set = await custody(data, ['schedule', 'set', 'Mon-Fri 08:00-18:00 2M; * * unlimited']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('schedule set: Mon-Fri 08:00-18:00 2M; * * unlimited');
    const shown = await custody(data, ['schedule', 'show', '--json']);
    const entries = ['Mon-Fri 08:00-18:00 2M', '* * unlimited'];
    const parsed = scheduleShowOutputSchema.parse(JSON.parse(shown.stdout));
    expect(parsed.entries).toEqual(entries);
    expect(entries).toContain(parsed.entry);
    const human = await custody(data, ['schedule']);
    expect(human.stdout).toMatch(/^1\.\s+Mon-Fri 08:00-18:00 2M/m);
    expect(human.stdout).toMatch(/^2\.\s+\* \* unlimited/m);
    expect(human.stdout).toMatch(/^now: /m);

    const bad = await custody(data, ['schedule', 'set', 'Mon-Fry 2M']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('schedule entry 1 "Mon-Fry 2M"');
    const empty = await custody(data, ['schedule', 'set', ' ; ']);
    expect(empty.code).toBe(2);
  });

  it('upload --to a tus endpoint --wait, then uploads list / pause / resume / retry / cancel', async () => {
    const file = path.join(dir.path, 'small.bin');
    writeFileSync(file, Buffer.alloc(300 * 1024, 7));
    const up = await custody(data, ['upload', file, '--to', peer.url, '--wait', '--json']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const result = uploadWaitOutputSchema.parse(JSON.parse(up.stdout));
    expect(result).toMatchObject({ ok: true, files: [{ path: file, state: 'done' }] });
    const stored = await peer.uploads();
    expect(stored.map((u) => u.sha256)).toContain(sha256(file));

    const list = await custody(data, ['uploads', 'list', '--json']);
    expect(list.code).toBe(0);
    const jobs = JSON.parse(list.stdout) as { id: string; name: string; state: string }[];
    const job = jobs.find((j) => j.name === 'small.bin');
    expect(job?.state).toBe('done');
    const human = await custody(data, ['uploads']);
    expect(human.stdout).toMatch(/^ID\s+STATE\s+NAME/m);
    expect(human.stdout).toMatch(/done\s+small\.bin/);

    for (const verb of ['pause', 'resume', 'retry', 'cancel']) {
      const all = await custody(data, ['uploads', verb, '--all', '--json']);
      expect(all.code, `${verb} --all: ${all.stderr}`).toBe(0);
      expect(JSON.parse(all.stdout)).toEqual({ changed: expect.any(Number) });
    }
    // Bad input is refused before the engine is asked: these can run side by side.
    const refusals = await Promise.all(
      ['pause', 'resume', 'retry', 'cancel'].map((verb) => custody(data, ['uploads', verb])),
    );
    for (const none of refusals) {
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('pass its ID or --all');
    }
    const unknown = await custody(data, ['uploads', 'pause', 'no-such-job']);
    expect(unknown.code).toBe(2);

    // Without --wait: queued (here: already uploaded), and the engine carries on alone.
    const queued = await custody(data, ['upload', file, '--to', peer.url]);
    expect(queued.code).toBe(0);
    expect(queued.stdout).toMatch(/already queued\s+.*small\.bin/);
    const queuedJson = await custody(data, ['upload', file, '--to', peer.url, '--json']);
    expect(uploadQueuedOutputSchema.parse(JSON.parse(queuedJson.stdout)).files).toHaveLength(1);

    const [missing, both, badUrl] = await Promise.all([
      custody(data, ['upload', path.join(dir.path, 'nope.bin')]),
      custody(data, ['upload', file, '--case', 'c1', '--no-case']),
      custody(data, ['upload', file, '--to', 'ftp://x']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no file or folder');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exclude each other');
    expect(badUrl.code).toBe(2);
  });

  it('snapshot CAMERA --name --out, and export CAMERA --from --to --out', async () => {
    // The camera needs a few seconds of archive for a clip (the earlier tests usually took them).
    const recording = Date.now() - engineStartedAt;
    if (recording < 10_000) await new Promise((resolve) => setTimeout(resolve, 10_000 - recording));
    const out = path.join(dir.path, 'lobby.jpg');
    const snap = await custody(data, [
      'snapshot',
      'lobby',
      '--name',
      'Front door',
      '--description',
      'test',
      '--no-case',
      '--out',
      out,
      '--json',
    ]);
    expect(snap.code, snap.stderr).toBe(0);
    expect(JSON.parse(snap.stdout)).toMatchObject({ path: out, width: expect.any(Number) });
    expect(readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const clip = path.join(dir.path, 'clip.mp4');
    const exported = await custody(data, [
      'export',
      'lobby',
      '--from',
      '8s',
      '--to',
      '2s',
      '--out',
      clip,
      '--json',
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const info = JSON.parse(exported.stdout) as { path: string; sha256: string; bytes: number };
    expect(info.path).toBe(clip);
    expect(info.sha256).toBe(sha256(clip));
    expect(info.bytes).toBe(statSync(clip).size);

    const badAt = await custody(data, ['snapshot', 'lobby', '--name', 'x', '--at', 'soon']);
    expect(badAt.code).toBe(2);
    const noName = await custody(data, ['snapshot', 'lobby']);
    expect(noName.code).toBe(2);
    const backwards = await custody(data, [
      'export',
      'lobby',
      '--from',
      '2s',
      '--to',
      '8s',
      '--out',
      clip,
    ]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--to is not after --from');
  });

  it('requests list / show, and bad input (exit 2)', async () => {
    const list = await custody(data, ['requests', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
    const show = await custody(data, ['requests', 'show', 'req-nope']);
    expect(show.code).toBe(2);
    expect(show.stderr).toContain('no request req-nope');
    const noReason = await custody(data, ['requests', 'deny', 'req-nope']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
  });

  it('a second engine on the same data is refused; SIGKILL leaves a socket the next one replaces', async () => {
    const second = await runCli(['engine', '--config', config, '--data', data]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('in use by custody pid');

    engine.child.kill('SIGKILL');
    await engine.done;
    const socket = path.join(data, 'engine.sock');
    expect(existsSync(socket)).toBe(true);
    const dead = await custody(data, ['status']);
    expect(dead.code).toBe(4);
    expect(dead.stderr).toMatch(
      /^custody: no engine is running on .* — start one with `custody engine`/,
    );

    engine = await startEngine(config, data);
    const status = await custody(data, ['status']);
    expect(status.code).toBe(0);
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    const stopped = await engine.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('engine stopped');
    expect(existsSync(socket)).toBe(false);
  });
});

describe('headless commands without an engine, or without the privilege', {
  timeout: 60_000,
}, () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('custody-headless-');
  });
  afterAll(() => dir?.remove());

  it('every command that needs the engine exits 4 when none runs', async () => {
    const data = path.join(dir.path, 'empty');
    const commands = [
      ['status'],
      ['cameras', 'list'],
      ['uploads', 'list'],
      ['bandwidth', 'set', '2M'],
      ['schedule', 'show'],
      ['requests', 'list'],
      ['snapshot', 'lobby', '--name', 'x'],
    ];
    const results = await Promise.all(commands.map((args) => custody(data, args)));
    results.forEach((result, i) => {
      expect(result.code, commands[i]?.join(' ')).toBe(4);
      expect(result.stderr).toContain(`no engine is running on ${data}`);
      expect(result.stderr).not.toContain('    at ');
    });
    const json = await custody(data, ['status', '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { exitCode: 4 } });
  });

  it('a viewer may look but not change anything (exit 3)', async () => {
    const data = path.join(dir.path, 'viewer');
    const config = writeEngineConfig(dir.path, {
      operator: 'guest',
      service: { mode: 'none' },
      cameras: [],
    });
    const engine = await startEngine(config, data);
    try {
      const status = await custody(data, ['status']);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^operator\s+guest \(viewer\)/m);
      const file = path.join(dir.path, 'a.bin');
      writeFileSync(file, 'evidence');
      const commands = [
        ['bandwidth', 'set', '2M'],
        ['schedule', 'set', '* 1M'],
        ['uploads', 'pause', '--all'],
        ['upload', file, '--to', 'http://127.0.0.1:9/files'],
        ['requests', 'approve', 'req-1'],
        ['requests', 'deny', 'req-1', '--reason', 'no'],
      ];
      const results = await Promise.all(commands.map((args) => custody(data, args)));
      results.forEach((result, i) => {
        expect(result.code, `${commands[i]?.join(' ')}: ${result.stderr}`).toBe(3);
        expect(result.stderr).toMatch(/^custody: .*privilege.* — /);
      });
    } finally {
      await engine.stop();
    }
  });
});

describe('custody engine --listen: loopback TCP with a token', { timeout: 60_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('custody-headless-tcp-');
  });
  afterAll(() => dir?.remove());

  it('serves the commands on the port to whoever has the 0600 token, and no one else', async () => {
    const data = path.join(dir.path, 'data');
    const config = writeEngineConfig(dir.path, { service: { mode: 'none' }, cameras: [] });
    const engine = await startEngine(config, data, ['--listen', '127.0.0.1:0']);
    try {
      const url = /attach port (ws:\/\/127\.0\.0\.1:\d+\/) \(token in (\S+)\)/.exec(engine.banner);
      expect(url).not.toBeNull();
      const [, address, tokenFile] = url as RegExpExecArray;
      expect(tokenFile).toBe(path.join(data, 'engine.token'));
      expect(statSync(tokenFile as string).mode & 0o777).toBe(0o600);
      const elsewhere = path.join(dir.path, 'elsewhere');

      const ok = await custody(elsewhere, ['status', '--json'], {
        CUSTODY_ENGINE_URL: address,
        CUSTODY_ENGINE_TOKEN_FILE: tokenFile,
      });
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ dataDir: data });

      const wrong = await custody(elsewhere, ['status'], {
        CUSTODY_ENGINE_URL: address,
        CUSTODY_ENGINE_TOKEN: 'not-the-token',
      });
      expect(wrong.code).toBe(3);
      expect(wrong.stderr).toContain('the engine refused the token');
      const none = await custody(elsewhere, ['status'], { CUSTODY_ENGINE_URL: address });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('no token for');
    } finally {
      const stopped = await engine.stop();
      expect(stopped.code).toBe(0);
    }
    expect(existsSync(path.join(data, 'engine.token'))).toBe(false);

    const bad = await runCli(['engine', '--listen', 'everywhere', '--config', config]);
    expect(bad.code).toBe(2);
    const public_ = await runCli([
      'engine',
      '--listen',
      '0.0.0.0:0',
      '--config',
      config,
      '--data',
      data,
    ]);
    expect(public_.code).toBe(2);
    expect(public_.stderr).toContain('only listen on loopback');
  });
});
