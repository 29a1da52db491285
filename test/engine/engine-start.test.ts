// Opening the engine waits for neither the embedded service nor the scan of what the sync
// folders hold: both go on behind the console's panes. The service link says Connecting
// meanwhile and commands that need it wait for it; a service that cannot start is named.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { CustodyError, ExitCode } from '../../src/core/errors.ts';
import { Engine } from '../../src/engine/engine.ts';
import { tempDir } from '../helpers/cli.ts';
import { writeEngineConfig } from '../helpers/control.ts';
import { until } from '../helpers/until.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openEngine(overrides: Record<string, unknown>, startServiceAfter?: Promise<void>) {
  const dir = tempDir('custody-service-start-');
  cleanups.push(() => dir.remove());
  const engine = await Engine.open({
    loaded: loadConfig(writeEngineConfig(dir.path, overrides)),
    dataDir: path.join(dir.path, 'data'),
    command: 'test',
    ...(startServiceAfter ? { startServiceAfter } : {}),
  });
  cleanups.push(() => engine.close());
  return engine;
}

describe('embedded service start', () => {
  it('opens the engine first, says Connecting, and lets commands wait for the link', async () => {
    let panesDrawn = () => {};
    const panes = new Promise<void>((resolve) => {
      panesDrawn = resolve;
    });
    const engine = await openEngine({}, panes);
    expect(engine.state().connection).toEqual({
      state: 'connecting',
      reason: 'starting the embedded service',
    });
    // Asked before the service is up: answered once it is, not refused.
    const cases = engine.run('cases.list', {});
    let answered = false;
    void cases.then(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    expect(engine.state().connection.state).toBe('connecting');

    panesDrawn();
    expect((await cases).cases).toEqual([]);
    await until('the link ready', () => engine.state().connection.state === 'ready');
  });

  it('runs on without a service that cannot start, naming why and the fix', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;

    const engine = await openEngine({ service: { mode: 'embedded', port } });
    const connection = await until('the start to fail', () => {
      const now = engine.state().connection;
      return now.state === 'offline' && now;
    });
    expect(connection.reason).toMatch(/^the embedded service could not start: .*EADDRINUSE/);
    const [event] = await engine.run('events.list', { kinds: ['service.start_failed'] });
    expect(event).toMatchObject({ level: 'error', data: { port } });

    const refused = await engine.run('cases.list', {}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(CustodyError);
    expect(refused).toMatchObject({ exitCode: ExitCode.unreachable });
    expect((refused as CustodyError).fix).toMatch(/service\.port/);
    // Everything else goes on: the cameras record.
    await until('the camera recording', () => engine.state().cameras[0]?.state === 'recording');
  });
});

describe('sync folder scan at start', () => {
  it('queues what the folders hold behind the open, not before it returns', async () => {
    const dir = tempDir('custody-scan-start-');
    cleanups.push(() => dir.remove());
    const folder = path.join(dir.path, 'exports');
    mkdirSync(folder);
    const files = 150;
    for (let i = 0; i < files; i++) writeFileSync(path.join(folder, `clip-${i}.mp4`), `clip ${i}`);
    const engine = await openEngine({
      syncFolders: [{ id: 'exports', name: 'Exports', path: folder }],
      uploads: { bandwidth: 'off', schedule: [] },
    });
    const queued = () => engine.state().uploads.jobs.filter((j) => j.source === 'Exports').length;
    // Open returned before any file system answer could queue a file.
    expect(queued()).toBe(0);
    await engine.uploads.scanned;
    await until('every file queued', () => queued() === files);
  });
});
