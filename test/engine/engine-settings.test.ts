import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CustodyError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers/cli.ts';
import { openTestEngine } from '../helpers/engine.ts';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process.ts';
import { until } from '../helpers/until.ts';

type TestEngine = Awaited<ReturnType<typeof openTestEngine>>;

async function refusal(work: Promise<unknown>): Promise<CustodyError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CustodyError);
  return err as CustodyError;
}

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
    expect(test.engine.state().logLevel).toBe('info');
    await test.engine.run('settings.logLevel', { level: 'debug' });
    expect(test.engine.state().logLevel).toBe('debug');
    const bad = await refusal(test.engine.run('settings.logLevel', { level: 'chatty' as 'info' }));
    expect(bad.exitCode).toBe(2);
    expect((await test.reopen()).state().logLevel).toBe('debug');
    await test.close();

    test = await openTestEngine({ ...unlinked, operator: 'guest' });
    const locked = await refusal(test.engine.run('settings.logLevel', { level: 'warn' }));
    expect(locked.exitCode).toBe(3);
    expect(locked.what).toMatch(/admin role; "guest" is viewer/);
    const importLocked = await refusal(
      test.engine.run('settings.importIntegration', { file: integrationFile }),
    );
    expect(importLocked.exitCode).toBe(3);
  });
});
