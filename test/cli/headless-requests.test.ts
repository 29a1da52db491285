// `custody requests list|show|approve|deny` on a real engine linked to a real service:
// an investigator asks for footage, the engine holds it, the operator decides from a script.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestDecisionOutputSchema } from '../../src/protocol/cli-output.ts';
import {
  engineStateSchema,
  type RequestView,
  requestViewSchema,
} from '../../src/protocol/engine-state.ts';
import { tempDir } from '../helpers/cli.ts';
import {
  custody,
  linkedEngineConfig,
  type RunningEngine,
  startEngine,
} from '../helpers/control.ts';
import { untilAsync } from '../helpers/until.ts';
import { type Service, startService } from '../server/service-fixture.ts';

describe('requests from a script', { timeout: 120_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let data: string;
  let service: Service;
  let engine: RunningEngine;

  beforeAll(async () => {
    dir = tempDir('custody-requests-');
    data = path.join(dir.path, 'data');
    service = await startService();
    const config = linkedEngineConfig(dir.path, service);
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
    return engineStateSchema.shape.requests.parse(JSON.parse(result.stdout));
  };

  it('lists, shows, approves one request and denies two', async () => {
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
    const third = await ask('Another look');
    for (const id of [first.id, second.id, third.id]) {
      await untilAsync(
        `request ${id} held`,
        async () => (await list()).find((r) => r.id === id)?.state === 'held',
      );
    }

    const human = await custody(data, ['requests', 'list']);
    expect(human.stdout).toMatch(/^ID\s+STATE\s+REQUESTER\s+CASE/m);
    expect(human.stdout).toMatch(new RegExp(`^${first.id}\\s+held\\s`, 'm'));
    // Held: nothing left to export, so no percentage.
    expect(human.stdout).toMatch(/CAMERAS\s+EXPORTED\s+FOOTAGE/);
    expect(human.stdout).toMatch(new RegExp(`^${first.id}\\s+held\\s.*\\slobby\\s+—\\s`, 'm'));
    const show = await custody(data, ['requests', 'show', first.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^reason\s+Fight in the lobby$/m);
    expect(show.stdout).toMatch(/^camera\s+lobby \(Front lobby\): held/m);
    const shown = await custody(data, ['requests', 'show', first.id, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(requestViewSchema.parse(JSON.parse(shown.stdout))).toMatchObject({
      id: first.id,
      state: 'held',
      reason: 'Fight in the lobby',
      caseId: found.id,
      cameras: [{ id: 'lobby', state: 'held', sha256: expect.any(String) }],
      decision: null,
    });
    const status = await custody(data, ['status']);
    expect(status.stdout).toMatch(/^requests\s+3 open/m);

    const approved = await custody(data, ['requests', 'approve', first.id, '--json']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(requestDecisionOutputSchema.parse(JSON.parse(approved.stdout))).toEqual({
      id: first.id,
      state: expect.any(String),
    });

    const denied = await custody(data, ['requests', 'deny', second.id, '--reason', 'No grounds']);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toMatch(new RegExp(`^request ${second.id} denied: `));
    const deniedJson = await custody(data, [
      'requests',
      'deny',
      third.id,
      '--reason',
      'Out of scope',
      '--json',
    ]);
    expect(deniedJson.code, deniedJson.stderr).toBe(0);
    expect(requestDecisionOutputSchema.parse(JSON.parse(deniedJson.stdout))).toEqual({
      id: third.id,
      state: expect.any(String),
    });

    const again = await custody(data, ['requests', 'deny', second.id, '--reason', 'twice']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^custody: .* — /);

    // Both decisions reached the service, with the operator's reason.
    const seen = await service.investigator.client.getRequest(first.id);
    expect(seen.decision).toMatchObject({ decision: 'approve' });
    const refused = await service.investigator.client.getRequest(second.id);
    expect(refused.decision).toMatchObject({ decision: 'deny', reason: 'No grounds' });
    const refusedToo = await service.investigator.client.getRequest(third.id);
    expect(refusedToo.decision).toMatchObject({ decision: 'deny', reason: 'Out of scope' });
    const decided = await list();
    expect(decided.find((r) => r.id === third.id)?.decision).toMatchObject({
      decision: 'deny',
      reason: 'Out of scope',
    });
  });
});
