// The engine reads every page of its database before using it only after an unclean stop (a
// lock left by a dead process), when damage is likely; `custody doctor` checks on demand.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { Engine } from '../../src/engine/engine.ts';
import { StoreError } from '../../src/engine/store/database.ts';
import { LOCK_FILE } from '../../src/engine/store/lock.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { writeEngineConfig } from '../helpers/control.ts';
import { damagedDatabase } from '../helpers/store.ts';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function setUp() {
  const dir = tempDir('custody-store-check-');
  dirs.push(dir);
  const data = path.join(dir.path, 'data');
  return { config: writeEngineConfig(dir.path), data, dbFile: damagedDatabase(data) };
}

describe('database check at start', () => {
  it('refuses a damaged database after an unclean stop, leaving it as it was', async () => {
    const { config, data, dbFile } = setUp();
    // What a killed engine leaves: a lock naming a process that no longer holds it.
    writeFileSync(
      path.join(data, LOCK_FILE),
      JSON.stringify({
        pid: process.pid,
        command: 'custody console',
        startedAt: new Date().toISOString(),
        host: hostname(),
      }),
    );
    const before = readFileSync(dbFile);
    const refused = await Engine.open({
      loaded: loadConfig(config),
      dataDir: data,
      command: 'test',
    }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).what).toMatch(
      /custody\.db is not a Custody database or is damaged/,
    );
    expect(readFileSync(dbFile).equals(before)).toBe(true);
  });

  it('is what custody doctor reports, on demand', async () => {
    const { config, data, dbFile } = setUp();
    const damaged = await runCli(['doctor', '--config', config, '--data', data]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toContain(`✗ store    ${dbFile} is damaged: `);
    expect(damaged.stdout).toContain('fix: stop the engine, move the data directory aside');

    const fresh = tempDir('custody-store-check-');
    dirs.push(fresh);
    const engine = await Engine.open({
      loaded: loadConfig(config),
      dataDir: fresh.path,
      command: 'test',
    });
    await engine.close();
    const sound = await runCli(['doctor', '--config', config, '--data', fresh.path]);
    expect(sound.stdout).toMatch(
      /^✓ store +\S+custody\.db \([\d.]+ KiB\) reads back whole in \d+ ms$/m,
    );
  });
});
