import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/engine/store/database.ts';
import { tempDir } from '../helpers/cli.ts';
import { openTestEngine } from '../helpers/engine.ts';
import { refusal } from '../helpers/refusal.ts';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process.ts';
import { until } from '../helpers/until.ts';

type TestEngine = Awaited<ReturnType<typeof openTestEngine>>;

const unlinked = { service: { mode: 'none' }, cameras: [], docks: [], syncFolders: [] };

describe('settings applied at the console', () => {
  const service = tempDir('custody-settings-service-');
  let site: ServiceProcess;
  let integrationFile: string;
  let test: TestEngine | undefined;

  beforeAll(async () => {
    site = await startServiceProcess(service.path, { workstation: 'Station 7' });
    integrationFile = site.integrationFile;
  });

  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  afterAll(async () => {
    await site?.stop();
    service.remove();
  });

  it('links a workstation with no service by importing an integration file, for good', async () => {
    test = await openTestEngine(unlinked);
    expect(test.engine.state().connection).toMatchObject({
      state: 'not-configured',
      reason: expect.stringMatching(/import an integration file in Settings/),
    });

    const bad = path.join(test.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, url: 'http://x' }));
    const refused = await refusal(test.engine.run('settings.importIntegration', { file: bad }));
    expect(refused.exitCode).toBe(2);
    expect(refused.what).toMatch(/integration file .* is invalid — .*apiKey/);

    const linked = await test.engine.run('settings.importIntegration', { file: integrationFile });
    expect(linked.systemName).toBe('Station 7');
    await until('the link ready', () => test?.engine.state().connection.state === 'ready');
    expect(test.engine.state().serviceUrl).toBe(linked.url);
    // The key stays private in the data directory.
    expect(statSync(path.join(test.dir, 'data', 'integration.json')).mode & 0o777).toBe(0o600);
    expect(test.engine.events.list({ kinds: ['service.imported'] })).toHaveLength(1);

    const again = await refusal(
      test.engine.run('settings.importIntegration', { file: integrationFile }),
    );
    expect(again.exitCode).toBe(2);
    expect(again.what).toMatch(/already uses http/);

    const reopened = await test.reopen();
    await until(
      'the link ready after a restart',
      () => reopened.state().connection.state === 'ready',
    );
  });

  it('sets the log level live and keeps it; settings need the admin role', async () => {
    test = await openTestEngine(unlinked);
    expect(test.engine.state().logging.level).toBe('info');
    await test.engine.run('settings.logging', { level: 'debug' });
    expect(test.engine.state().logging.level).toBe('debug');
    const bad = await refusal(test.engine.run('settings.logging', { level: 'chatty' }));
    expect(bad.exitCode).toBe(2);
    expect((await test.reopen()).state().logging.level).toBe('debug');
    await test.close();

    test = await openTestEngine({ ...unlinked, operator: 'guest' });
    const locked = await refusal(test.engine.run('settings.logging', { level: 'warn' }));
    expect(locked.exitCode).toBe(3);
    expect(locked.what).toMatch(/admin role; "guest" is viewer/);
    const importLocked = await refusal(
      test.engine.run('settings.importIntegration', { file: integrationFile }),
    );
    expect(importLocked.exitCode).toBe(3);
    const foldersLocked = await refusal(
      test.engine.run('settings.syncFolders', { syncFolders: [] }),
    );
    expect(foldersLocked.exitCode).toBe(3);
  });
});

describe('log settings set at the console', () => {
  let test: TestEngine | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  /** What this process has open, as the kernel names it. */
  const openFiles = () =>
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });

  it('moves the log to another file live, closes the old one, and keeps it', async () => {
    test = await openTestEngine(unlinked);
    const { engine } = test;
    const before = engine.state().paths.logFile;
    expect(before).toBe(path.join(realpathSync(test.dir), 'data', 'logs', 'custody.log'));
    expect(engine.state().logging).toEqual({
      level: 'info',
      file: before,
      maxSize: '10m',
      maxFiles: 10,
    });
    await until('the first log line', () => read(before).includes('engine started'));
    expect(openFiles()).toContain(before);

    // Relative to the config file's folder, as in the config.
    const result = await engine.run('settings.logging', { file: 'elsewhere/app.log' });
    const moved = path.join(realpathSync(test.dir), 'elsewhere', 'app.log');
    expect(result).toEqual({ level: 'info', file: moved, maxSize: '10m', maxFiles: 10 });
    expect(engine.state().paths.logFile).toBe(moved);
    expect(engine.state().logging.file).toBe(moved);
    await until('the line after the move', () => read(moved).includes('log settings changed'));
    expect(openFiles()).not.toContain(before);
    expect(openFiles()).toContain(moved);
    expect(read(before)).not.toContain('log settings changed');
    const [event] = engine.events.list({ kinds: ['logging.settings_set'] });
    expect(event?.message).toBe(`log settings set by operator: file ${moved}`);
    expect(event?.data).toEqual({ file: moved, by: 'operator' });

    // Kept over the config's: the next start writes there from its first line.
    const reopened = await test.reopen();
    expect(reopened.state().paths.logFile).toBe(moved);
    await until('the restart logged', () => read(moved).includes('engine started'));
    expect(read(before).match(/engine started/g)).toHaveLength(1);
  });

  it('reports a stored log setting that no longer parses in the log, once, and uses the config', async () => {
    test = await openTestEngine(unlinked);
    const dataDir = test.engine.state().dataDir;
    await test.engine.close();
    // As a hand edit (or an older version) would leave it.
    const store = openStore(dataDir);
    store.db
      .prepare(
        "INSERT INTO settings (key, value, updated_at) VALUES ('logging.level', '\"chatty\"', '2026-01-01T00:00:00Z')",
      )
      .run();
    store.close();
    const engine = await test.reopen();
    expect(engine.state().logging.level).toBe('info');
    const file = engine.state().logging.file;
    const warned = await until('the warning in the log', () =>
      read(file)
        .split('\n')
        .filter((line) => line.includes('stored setting ignored')),
    );
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('"setting":"logging.level"');
  });

  it('rotates at the size set, keeping the number of files set', async () => {
    test = await openTestEngine(unlinked);
    const { engine } = test;
    const logs = path.dirname(engine.state().paths.logFile);
    await engine.run('settings.logging', { maxSize: '1k', maxFiles: 2 });
    expect(engine.state().logging).toMatchObject({ maxSize: '1k', maxFiles: 2 });
    // Each change logs a line of some 200 bytes: enough of them fill several 1 KiB files.
    for (let i = 0; i < 24; i++) {
      await engine.run('settings.logging', { level: i % 2 ? 'info' : 'debug' });
    }
    await until('two rotations', () => readdirSync(logs).length === 3);
    expect(readdirSync(logs).sort()).toEqual(['custody.log', 'custody.log.1', 'custody.log.2']);
    for (const file of readdirSync(logs)) {
      expect(statSync(path.join(logs, file)).size).toBeLessThan(1024 + 512);
    }
  });

  it('refuses a bad value naming the field and the fix, and changes nothing', async () => {
    test = await openTestEngine(unlinked);
    const { engine } = test;
    const before = engine.state().logging;
    const refused = async (change: Parameters<typeof engine.run<'settings.logging'>>[1]) => {
      const err = await refusal(engine.run('settings.logging', change));
      expect(err.exitCode).toBe(2);
      return `${err.what} — ${err.fix}`;
    };
    expect(await refused({ maxSize: '10q' })).toBe(
      'logging.maxSize: must be a size such as 10m, 512k or 1g (got "10q") — write a size such as "10m" (10 MiB), "512k" or "1g"',
    );
    expect(await refused({ maxFiles: 0 })).toBe(
      'logging.maxFiles: must be at least 1 (got 0) — use 1 to 1000',
    );
    expect(await refused({ maxSize: '20m', maxFiles: 1001 })).toBe(
      'logging.maxFiles: must be at most 1000 (got 1001) — use 1 to 1000',
    );
    expect(await refused({ level: 'chatty' })).toMatch(
      /^logging\.level: must be "trace", .* or "fatal" \(got "chatty"\) — use one of/,
    );
    expect(await refused({ file: '' })).toMatch(/^logging\.file: must not be empty/);
    expect(await refused({ file: '.' })).toMatch(
      /^logging\.file: is a folder, not a file: .* — point it at the file inside the folder/,
    );
    expect(await refused({ file: path.join(unwritableDir(test.dir), 'custody.log') })).toMatch(
      /^logging\.file: cannot write log files in .* \(E[A-Z]+\) — fix its permissions or set the log file to another path/,
    );

    expect(engine.state().logging).toEqual(before);
    expect(engine.state().paths.logFile).toBe(before.file);
    expect(engine.events.list({ kinds: ['logging.settings_set'] })).toHaveLength(0);
    expect(openFiles()).toContain(before.file);
    expect((await test.reopen()).state().logging).toEqual(before);
  });
});

/** A folder no log can be written in, even by root (as tests often run in containers). */
function unwritableDir(base: string): string {
  if (process.getuid?.() === 0) return '/sys/custody-no-logs';
  const dir = path.join(base, 'read-only');
  mkdirSync(dir);
  chmodSync(dir, 0o500);
  return dir;
}

describe('sync folders set at the console', () => {
  let test: TestEngine | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  const jobFor = (file: string) => test?.engine.state().uploads.jobs.find((j) => j.path === file);

  it('watches a new folder at once, stops on switching it off, and keeps the list', async () => {
    test = await openTestEngine({ cameras: [], docks: [], syncFolders: [] });
    const { engine } = test;
    await until('the service link', () => engine.state().connection.state === 'ready');
    const drop = path.join(test.dir, 'drop');
    // Relative to the config file's folder, as in the config; the engine creates the folder.
    const saved = await engine.run('settings.syncFolders', {
      syncFolders: [{ id: 'drop', name: 'Drop box', path: 'drop', exclude: ['*.tmp'] }],
    });
    expect(saved.syncFolders).toMatchObject([{ id: 'drop', path: drop, enabled: true }]);
    expect(existsSync(drop)).toBe(true);
    expect(engine.state().syncFolders).toMatchObject([
      {
        id: 'drop',
        enabled: true,
        include: ['**/*'],
        exclude: ['*.tmp'],
        afterUpload: { policy: 'keep' },
      },
    ]);
    const [event] = engine.events.list({ kinds: ['settings.sync_folders'] });
    expect(event?.data).toMatchObject({
      changes: [{ id: 'drop', change: 'added' }],
      by: 'operator',
    });

    const first = path.join(drop, 'statement-1.mp4');
    writeFileSync(first, Buffer.alloc(40_000, 1));
    await until('the dropped file uploaded', () => jobFor(first)?.state === 'done');

    // Switched off, with a second folder switched on: once the second one's file is queued, a
    // file in the first would have been too.
    const other = path.join(test.dir, 'other');
    await engine.run('settings.syncFolders', {
      syncFolders: [
        { id: 'drop', name: 'Drop box', path: drop, exclude: ['*.tmp'], enabled: false },
        { id: 'other', name: 'Other', path: other },
      ],
    });
    const ignored = path.join(drop, 'statement-2.mp4');
    const watched = path.join(other, 'statement-3.mp4');
    writeFileSync(ignored, Buffer.alloc(40_000, 2));
    writeFileSync(watched, Buffer.alloc(40_000, 3));
    await until('the other folder queued its file', () => jobFor(watched));
    expect(jobFor(ignored)).toBeUndefined();
    expect(engine.state().syncFolders.map((f) => [f.id, f.enabled])).toEqual([
      ['drop', false],
      ['other', true],
    ]);

    // Kept in the data directory: the config's empty list no longer counts.
    const reopened = await test.reopen();
    expect(reopened.state().syncFolders.map((f) => [f.id, f.enabled])).toEqual([
      ['drop', false],
      ['other', true],
    ]);
  });

  it('refuses a list the config would refuse, naming the field, and changes nothing', async () => {
    test = await openTestEngine({
      cameras: [],
      docks: [],
      syncFolders: [{ id: 'drop', name: 'Drop box', path: './drop' }],
      destinations: [{ id: 'peer', kind: 'tus', url: 'http://127.0.0.1:9/files/' }],
    });
    const { engine } = test;
    const before = engine.state().syncFolders;
    writeFileSync(path.join(test.dir, 'a-file'), 'not a folder');
    const drop = { id: 'drop', name: 'Drop box', path: './drop' };
    const refused = async (
      syncFolders: Parameters<typeof engine.run<'settings.syncFolders'>>[1]['syncFolders'],
    ) => {
      const err = await refusal(engine.run('settings.syncFolders', { syncFolders }));
      expect(err.exitCode).toBe(2);
      return `${err.what} — ${err.fix}`;
    };

    expect(await refused([{ id: 'new', name: 'New', path: 'a-file' }])).toMatch(
      /^syncFolders\[0\]\.path: is a file, not a folder: .*a-file .* — point it at a folder/,
    );
    expect(await refused([{ id: 'Bad Id', name: 'New', path: 'new' }])).toMatch(
      /syncFolders\.0\.id must be 1 to 32 lowercase letters, digits or dashes/,
    );
    expect(await refused([drop, { id: 'drop', name: 'Again', path: 'again' }])).toMatch(
      /^syncFolders\[1\]\.id: sync folder "drop" is already used by syncFolders\[0\] .* — give each sync folder a different id/,
    );
    expect(
      await refused([{ ...drop, destination: 'peer', afterUpload: { policy: 'delete' } }]),
    ).toMatch(
      /^syncFolders\[0\]\.afterUpload\.policy: must be "keep" with destination "peer".* — use "keep"/,
    );
    expect(await refused([{ ...drop, destination: 'nowhere' }])).toMatch(
      /^syncFolders\[0\]\.destination: names destination "nowhere", which is not defined/,
    );
    expect(engine.state().syncFolders).toEqual(before);
    expect(engine.events.list({ kinds: ['settings.sync_folders'] })).toHaveLength(0);
  });
});
