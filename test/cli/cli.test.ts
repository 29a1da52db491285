import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { custodyEventSchema } from '../../src/protocol/events.ts';
import {
  cliPath,
  collect,
  repoRoot,
  runCli,
  startCli,
  tempDir,
  waitForOutput,
} from '../helpers/cli.ts';

const example = path.join(repoRoot, 'config.example.json');

/** The program under a Node that reports `version`, as an older system node would. */
function asNode(version: string, args: string[]) {
  const pretend = `Object.defineProperty(process.versions, 'node', { value: '${version}' })`;
  return new Promise<{ code: number; stderr: string; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(pretend)}`, cliPath, ...args],
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

describe('custody CLI', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('lists only working commands and the exit codes in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['console', 'config', 'events', 'doctor']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(result.stdout).toContain('4  engine or service unreachable');
  });

  it('rejects an unknown command with exit 2', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('frobnicate');
  });

  it('says the Node is too old before anything loads, without a stack', async () => {
    for (const version of ['20.19.0', '22.12.0']) {
      const old = await asNode(version, ['status']);
      expect(old.code).toBe(1);
      expect(old.stderr).toBe(
        `custody: Node ${version} is too old; custody needs Node 22.13 or newer (for node:sqlite) — run it through npm (npm start, npm run custody -- …), which uses the Node 24 the project pins, or put node_modules/.bin first on PATH\n`,
      );
    }
    const enough = await asNode('22.13.0', ['--version']);
    expect(enough).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('says how to fix a missing default config', async () => {
    const result = await runCli([], { cwd: dir.path, env: { CUSTODY_CONFIG: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^custody: no config file at .*config\.json — pass --config FILE/,
    );
    expect(result.stderr).not.toContain('    at ');
  });

  it('checks the example config and prints the JSON schema', async () => {
    const check = await runCli(['config', 'check', example]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('ok — 4 cameras');
    const schema = await runCli(['config', 'schema']);
    expect(schema.code).toBe(0);
    expect(JSON.parse(schema.stdout)).toHaveProperty('properties.uploads');
  });

  it('exits 2 naming the field for a bad config, as JSON with --json', async () => {
    const file = path.join(dir.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ uploads: { concurrency: 27 } }));
    const human = await runCli(['config', 'check', file]);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('uploads.concurrency');
    const json = await runCli(['config', 'check', file, '--json']);
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stderr) as { error: { issues: { path: string }[] } };
    expect(parsed.error.issues.map((i) => i.path)).toContain('uploads.concurrency');
  });

  it('runs the engine until SIGINT, refuses a second one, and logs both in the events', async () => {
    const data = path.join(dir.path, 'data');
    const first = startCli(['--config', example, '--data', data]);
    const done = collect(first);
    const banner = await waitForOutput(first, 'engine ready');
    expect(banner).toContain('Custody');
    expect(banner).toMatch(/cameras\s+4 \(lobby/);

    const second = await runCli(['--config', example, '--data', data]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`in use by custody pid ${first.pid}`);

    first.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);

    const events = await runCli(['events', '--data', data, '--json']);
    expect(events.code).toBe(0);
    // JSON lines: each line one event of the log's own schema.
    const kinds = events.stdout
      .trim()
      .split('\n')
      .map((line) => custodyEventSchema.parse(JSON.parse(line)).kind);
    expect(kinds).toEqual(expect.arrayContaining(['engine.started', 'engine.stopped']));

    const verify = await runCli(['events', 'verify', '--data', data]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/event log intact: \d+ events/);
  });

  it('follows new events as another engine writes them', async () => {
    const data = path.join(dir.path, 'data');
    const once = startCli(['--config', example, '--data', data]);
    await waitForOutput(once, 'engine ready');
    once.kill('SIGINT');
    await collect(once);

    const follower = startCli(['events', '--follow', '--data', data, '--kind', 'engine']);
    const followed = collect(follower);
    await waitForOutput(follower, 'engine.stopped');
    const engine = startCli(['--config', example, '--data', data]);
    await waitForOutput(engine, 'engine ready');
    engine.kill('SIGINT');
    await collect(engine);
    // The second stop must arrive through polling, after the engine wrote it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    follower.kill('SIGINT');
    const out = await followed;
    expect(out.stdout.match(/engine\.stopped/g)?.length).toBe(2);
  });

  it('rejects a bad --since with exit 2', async () => {
    const result = await runCli(['events', '--since', 'yesterday-ish', '--data', dir.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--since');
  });

  it('doctor prints one line per check and passes on the demo', async () => {
    const result = await runCli([
      'doctor',
      '--config',
      example,
      '--data',
      path.join(dir.path, 'd'),
    ]);
    expect(result.stdout).toMatch(/^✓ node/m);
    expect(result.stdout).toMatch(/^✓ ffmpeg/m);
    expect(result.stdout).toMatch(/^✓ config/m);
    expect(result.stdout).toMatch(/^✓ data/m);
    expect(result.code).toBe(0);
  });

  it('doctor flags a configured ffmpeg that does not run, and names the fallback', async () => {
    const bad = path.join(dir.path, 'bad-ffmpeg.json');
    writeFileSync(bad, JSON.stringify({ ffmpegPath: '/nonexistent/ffmpeg' }));
    const result = await runCli(['doctor', '--config', bad, '--data', path.join(dir.path, 'd')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^✗ ffmpeg +config \(\/nonexistent\/ffmpeg\): not found; using .* instead/m,
    );
    expect(result.stdout).toContain('fix: correct or remove "ffmpegPath"');
  });

  it('doctor says when a remote service cannot be reached', async () => {
    const integration = path.join(dir.path, 'integration.json');
    writeFileSync(
      integration,
      JSON.stringify({
        version: 1,
        url: 'http://127.0.0.1:1',
        systemId: 'sys_1',
        systemName: 'Station 1',
        apiKey: `cst_${'a'.repeat(24)}`,
      }),
    );
    const config = path.join(dir.path, 'remote.json');
    writeFileSync(
      config,
      JSON.stringify({ service: { mode: 'remote', integrationFile: integration } }),
    );
    const result = await runCli(['doctor', '--config', config, '--data', path.join(dir.path, 'd')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^✗ service +cannot reach the evidence service at http:\/\/127\.0\.0\.1:1/m,
    );
    expect(result.stdout).not.toContain('cst_');
  });
});
