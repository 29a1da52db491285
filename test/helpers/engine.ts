import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { Engine } from '../../src/engine/engine.ts';
import { repoRoot, tempDir } from './cli.ts';
import { until } from './until.ts';

/** A real engine on a temp data dir, from the demo config with optional top-level overrides. */
export async function openTestEngine(overrides: Record<string, unknown> = {}) {
  const dir = tempDir('custody-engine-');
  const example = JSON.parse(readFileSync(path.join(repoRoot, 'config.example.json'), 'utf8'));
  delete example.$schema;
  const file = path.join(dir.path, 'config.json');
  writeFileSync(file, JSON.stringify({ ...example, ...overrides, dataDir: './data' }));
  const open = () =>
    Engine.open({
      loaded: loadConfig(file),
      dataDir: path.join(dir.path, 'data'),
      command: 'test',
    });
  const test = {
    engine: await open(),
    dir: dir.path,
    configFile: file,
    /** Closes the engine and opens a new one on the same config and data. */
    reopen: async () => {
      await test.engine.close();
      test.engine = await open();
      return test.engine;
    },
    close: async () => {
      await test.engine.close();
      dir.remove();
    },
  };
  return test;
}

/**
 * An engine recording one camera and linked to its embedded service, with a few seconds of
 * footage in the archive: for tests of snapshots, clips and requests.
 */
export async function openRecordingEngine(camera: Record<string, unknown>, footageMs = 5000) {
  const test = await openTestEngine({
    cameras: [camera],
    docks: [],
    syncFolders: [],
    uploads: { schedule: [], bandwidth: 'unlimited' },
  });
  await until('the camera recording and the service ready', () => {
    const state = test.engine.state();
    return state.connection.state === 'ready' && state.cameras[0]?.state === 'recording';
  });
  await new Promise((resolve) => setTimeout(resolve, footageMs));
  return test;
}
