// `custody requests list|show|approve|deny` on a real engine linked to a real service:
// an investigator asks for footage, the engine holds it, the operator decides from a script.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/protocol/engine-state.ts';
import { tempDir } from '../helpers/cli.ts';
import { custody, type RunningEngine, startEngine, writeEngineConfig } from '../helpers/control.ts';
import { type Service, startService } from '../server/service-fixture.ts';

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('requests from a script', { timeout: 120_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let data: string;
  let service: Service;
  let engine: RunningEngine;

  beforeAll(async () => {
    dir = tempDir('custody-requests-');
    data = path.join(dir.path, 'data');
    service = await startService();
    const integrationFile = path.join(dir.path, 'integration.json');
    writeFileSync(
      integrationFile,
      JSON.stringify({
        version: 1,
        url: service.url,
        systemId: service.system.principal.id,
        systemName: service.system.principal.name,
        apiKey: service.system.key,
      }),
      { mode: 0o600 },
    );
    const config = writeEngineConfig(dir.path, {
      service: { mode: 'remote', integrationFile },
    });
    engine = await startEngine(config, data);
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await service?.close();
    dir?.remove();
  });

  const list = async (): Promise<RequestView[]> => {
    const result = await custody(data, ['requests', 'list', '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as RequestView[];
  };

  it('lists, shows, approves one request and denies another', async () => {
    // A few seconds of footage in the archive, and the camera in the service's registry.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const found = await service.investigator.client.createCase({ name: 'Lobby incident' });
    const ask = async (reason: string) => {
      const now = Date.now();
      return service.investigator.client.createRequest({
        systemId: service.system.principal.id,
        cameras: ['lobby'],
        from: new Date(now - 7000).toISOString(),
        to: new Date(now - 3000).toISOString(),
        caseId: found.id,
        reason,
      });
    };
    const first = await ask('Fight in the lobby');
    const second = await ask('Just curious');
    for (const id of [first.id, second.id]) {
      await waitFor(async () =>
        (await list()).find((r) => r.id === id)?.state === 'held' ? true : undefined,
      );
    }

    const human = await custody(data, ['requests', 'list']);
    expect(human.stdout).toMatch(/^ID\s+STATE\s+REQUESTER\s+CASE/m);
    expect(human.stdout).toMatch(new RegExp(`^${first.id}\\s+held\\s`, 'm'));
    const show = await custody(data, ['requests', 'show', first.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^reason\s+Fight in the lobby$/m);
    expect(show.stdout).toMatch(/^camera\s+lobby \(Front lobby\): held/m);
    const status = await custody(data, ['status']);
    expect(status.stdout).toMatch(/^requests\s+2 open/m);

    const approved = await custody(data, ['requests', 'approve', first.id, '--json']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ id: first.id, state: expect.any(String) });

    const denied = await custody(data, ['requests', 'deny', second.id, '--reason', 'No grounds']);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toMatch(new RegExp(`^request ${second.id} denied: `));

    const again = await custody(data, ['requests', 'deny', second.id, '--reason', 'twice']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^custody: .* — /);

    // Both decisions reached the service, with the operator's reason.
    const seen = await service.investigator.client.getRequest(first.id);
    expect(seen.decision).toMatchObject({ decision: 'approve' });
    const refused = await service.investigator.client.getRequest(second.id);
    expect(refused.decision).toMatchObject({ decision: 'deny', reason: 'No grounds' });
  });
});
