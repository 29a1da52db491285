// The headless commands against a real `custody engine` process, over its control socket.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bandwidthShowOutputSchema,
  cliErrorSchema,
  scheduleShowOutputSchema,
  uploadQueuedOutputSchema,
  uploadWaitOutputSchema,
} from '../../src/protocol/cli-output.ts';
import { commandSchemas } from '../../src/protocol/control.ts';
import { engineStateSchema, uploadsStateSchema } from '../../src/protocol/engine-state.ts';
import { startTusPeer, type TusPeer } from '../engine/uploads/tus-peer.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { custody, type RunningEngine, startEngine, writeEngineConfig } from '../helpers/control.ts';
import { untilAsync } from '../helpers/until.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** What `uploads list --json` prints, checked against its schema. */
const jobsOf = (stdout: string) => uploadsStateSchema.shape.jobs.parse(JSON.parse(stdout));

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
    expect(json.code).toBe(0);
    const cameras = engineStateSchema.shape.cameras.parse(JSON.parse(json.stdout));
    expect(cameras).toEqual([expect.objectContaining({ id: 'lobby', name: 'Front lobby' })]);
  });

  it('bandwidth set / show, back to the schedule, and bad rates (exit 2)', async () => {
    const set = await custody(data, ['bandwidth', 'set', '2M', '--json']);
    expect(set.code).toBe(0);
    expect(commandSchemas['bandwidth.set'][1].parse(JSON.parse(set.stdout))).toEqual({
      bytesPerSecond: 2 * 1024 * 1024,
      source: 'override',
    });
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
    expect(commandSchemas['bandwidth.set'][1].parse(JSON.parse(off.stdout))).toMatchObject({
      bytesPerSecond: 0,
    });
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
    const setJson = await custody(data, [
      'schedule',
      'set',
      'Mon-Fri 08:00-18:00 2M; * * unlimited',
      '--json',
    ]);
    expect(setJson.code, setJson.stderr).toBe(0);
    expect(commandSchemas['schedule.set'][1].parse(JSON.parse(setJson.stdout))).toMatchObject({
      entries: ['Mon-Fri 08:00-18:00 2M', '* * unlimited'],
      summary: expect.any(String),
    });
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
    const job = jobsOf(list.stdout).find((j) => j.name === 'small.bin');
    expect(job?.state).toBe('done');
    const human = await custody(data, ['uploads']);
    expect(human.stdout).toMatch(/^ID\s+STATE\s+NAME/m);
    expect(human.stdout).toMatch(/done\s+small\.bin/);

    for (const verb of ['pause', 'resume', 'retry', 'cancel'] as const) {
      const all = await custody(data, ['uploads', verb, '--all', '--json']);
      expect(all.code, `${verb} --all: ${all.stderr}`).toBe(0);
      expect(commandSchemas[`uploads.${verb}`][1].parse(JSON.parse(all.stdout))).toEqual({
        changed: expect.any(Number),
      });
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

  it('uploads pause / resume / first / cancel / retry ONE job by its id', async () => {
    // Bandwidth off: the jobs stay queued until the test opens it again.
    expect((await custody(data, ['bandwidth', 'set', 'off'])).code).toBe(0);
    const kept = path.join(dir.path, 'one-job.bin');
    const dropped = path.join(dir.path, 'dropped.bin');
    writeFileSync(kept, Buffer.alloc(200 * 1024, 3));
    writeFileSync(dropped, Buffer.alloc(10 * 1024, 4));
    const queued = await custody(data, ['upload', kept, dropped, '--to', peer.url, '--json']);
    expect(queued.code, queued.stderr).toBe(0);
    const [keptId, droppedId] = uploadQueuedOutputSchema
      .parse(JSON.parse(queued.stdout))
      .files.map((file) => (file.ok ? file.jobId : ''));
    if (!keptId || !droppedId) throw new Error(`not queued: ${queued.stdout}`);
    const jobs = async () => {
      const list = await custody(data, ['uploads', 'list', '--json']);
      expect(list.code, list.stderr).toBe(0);
      return jobsOf(list.stdout);
    };
    const job = async (id: string) => (await jobs()).find((j) => j.id === id);
    expect((await job(keptId))?.state).toBe('queued');

    const run = async (verb: string, id: string) => {
      const result = await custody(data, ['uploads', verb, id, '--json']);
      expect(result.code, `${verb} ${id}: ${result.stderr}`).toBe(0);
      return JSON.parse(result.stdout) as unknown;
    };
    // The short id `uploads list` shows is enough.
    const paused = await run('pause', keptId.slice(0, 8));
    expect(commandSchemas['uploads.pause'][1].parse(paused)).toEqual({ changed: 1 });
    expect(await job(keptId)).toMatchObject({ state: 'paused' });
    expect(await run('pause', keptId)).toEqual({ changed: 0 });
    const human = await custody(data, ['uploads', 'resume', keptId]);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('resumed 1 upload\n');
    expect(await job(keptId)).toMatchObject({ state: 'queued' });

    const first = await run('first', droppedId);
    expect(commandSchemas['uploads.moveToFront'][1].parse(first)).toEqual({ changed: 1 });
    const [a, b] = [await job(droppedId), await job(keptId)];
    expect(a?.priority).toBeGreaterThan(b?.priority ?? Number.POSITIVE_INFINITY);
    const cancelled = await run('cancel', droppedId);
    expect(commandSchemas['uploads.cancel'][1].parse(cancelled)).toEqual({ changed: 1 });
    expect(await job(droppedId)).toMatchObject({ state: 'cancelled' });
    expect(await run('resume', droppedId)).toEqual({ changed: 0 });

    // The file goes away, so the job fails once the bandwidth opens; back again, retry sends it.
    renameSync(kept, `${kept}.away`);
    expect((await custody(data, ['bandwidth', 'set', 'unlimited'])).code).toBe(0);
    const failed = await untilAsync('the job to fail', async () => {
      const row = await job(keptId);
      return row?.state === 'failed' ? row : undefined;
    });
    expect(failed.error).toContain(kept);
    renameSync(`${kept}.away`, kept);
    const retried = await run('retry', keptId);
    expect(commandSchemas['uploads.retry'][1].parse(retried)).toEqual({ changed: 1 });
    await untilAsync('the retried job done', async () => (await job(keptId))?.state === 'done');
    expect((await peer.uploads()).map((u) => u.sha256)).toContain(sha256(kept));
    expect((await peer.uploads()).map((u) => u.sha256)).not.toContain(sha256(dropped));
    expect((await custody(data, ['bandwidth', 'set', 'schedule'])).code).toBe(0);
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
    expect(commandSchemas['snapshot.export'][1].parse(JSON.parse(snap.stdout))).toMatchObject({
      path: out,
      width: expect.any(Number),
    });
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
    const info = commandSchemas['clip.export'][1].parse(JSON.parse(exported.stdout));
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
    // A fresh engine has none; headless-requests.test.ts checks full ones against the schema.
    expect(engineStateSchema.shape.requests.parse(JSON.parse(list.stdout))).toEqual([]);
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
      ['requests', 'show', 'req-1'],
      ['requests', 'approve', 'req-1'],
      ['requests', 'deny', 'req-1', '--reason', 'no'],
      ['snapshot', 'lobby', '--name', 'x'],
      ['export', 'lobby', '--from', '8s', '--to', '2s', '--out', path.join(dir.path, 'x.mp4')],
      ['uploads', 'pause', 'job-1'],
      ['uploads', 'resume', '--all'],
      ['uploads', 'retry', 'job-1'],
      ['uploads', 'cancel', '--all'],
      ['uploads', 'first', 'job-1'],
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
        ['export', 'lobby', '--from', '8s', '--to', '2s', '--out', path.join(dir.path, 'v.mp4')],
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

  it('an operator without the Export privilege may neither take snapshots nor export (exit 3)', async () => {
    const data = path.join(dir.path, 'clerk');
    const clerkDir = path.join(dir.path, 'clerk-config');
    mkdirSync(clerkDir);
    const config = writeEngineConfig(clerkDir, {
      users: [{ name: 'clerk', role: 'operator', privileges: ['upload', 'requests'] }],
      operator: 'clerk',
      service: { mode: 'none' },
    });
    const engine = await startEngine(config, data);
    try {
      const status = await custody(data, ['status', '--json']);
      expect(engineStateSchema.parse(JSON.parse(status.stdout)).operator).toEqual({
        name: 'clerk',
        role: 'operator',
        privileges: ['upload', 'requests'],
      });
      // The privileges the clerk has still work.
      expect((await custody(data, ['bandwidth', 'set', '2M'])).code).toBe(0);
      const jpeg = path.join(dir.path, 'clerk.jpg');
      const clip = path.join(dir.path, 'clerk.mp4');
      const commands = [
        ['snapshot', 'lobby', '--name', 'Front door', '--out', jpeg],
        ['export', 'lobby', '--from', '8s', '--to', '2s', '--out', clip],
      ];
      const results = await Promise.all(commands.map((args) => custody(data, args)));
      results.forEach((result, i) => {
        expect(result.code, `${commands[i]?.join(' ')}: ${result.stderr}`).toBe(3);
        expect(result.stderr).toMatch(
          /^custody: .*needs the Export privilege.* — ask an administrator/,
        );
      });
      const json = await custody(data, [...(commands[1] ?? []), '--json']);
      expect(cliErrorSchema.parse(JSON.parse(json.stderr)).error).toMatchObject({ exitCode: 3 });
      expect(existsSync(jpeg)).toBe(false);
      expect(existsSync(clip)).toBe(false);
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
