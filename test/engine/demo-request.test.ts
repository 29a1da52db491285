import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INVESTIGATOR } from '../../src/engine/service/demo-investigator.ts';
import { SqliteRepository } from '../../src/server/sqlite-repository.ts';
import { openRecordingEngine, openTestEngine } from '../helpers/engine.ts';
import { refusal } from '../helpers/refusal.ts';
import { until } from '../helpers/until.ts';
import { siteCamera } from '../helpers/video.ts';

type TestEngine = Awaited<ReturnType<typeof openTestEngine>>;

/** `custody request demo` on the demo's embedded service, with a real camera and ffmpeg. */
describe('the demo investigator', () => {
  let test: TestEngine;

  beforeAll(async () => {
    test = await openRecordingEngine(siteCamera('lobby', 'testsrc2'));
  }, 60_000);

  afterAll(async () => {
    await test?.close();
  });

  const request = (id: string) => test.engine.state().requests.find((r) => r.id === id);

  it('asks through the service as an investigator, into one case, holding no key after', async () => {
    const { engine } = test;
    const first = await engine.run('demo.request', { seconds: 3 });
    expect(first).toMatchObject({ cameras: ['lobby'], requester: DEMO_INVESTIGATOR });
    expect(Date.parse(first.to) - Date.parse(first.from)).toBe(3000);
    // It ends before the segment being written (2 s here), which the archive does not have yet.
    expect(Date.parse(first.to)).toBeLessThanOrEqual(Date.now() - 3000);
    // Pushed to the engine like any request: exported into the buffer, then decided.
    await until('the first held', () => request(first.id)?.state === 'held', 30_000);
    await engine.run('requests.approve', { id: first.id });
    await until('the first delivered', () => request(first.id)?.state === 'delivered', 30_000);

    const second = await engine.run('demo.request', { reason: 'Second look at the lobby' });
    expect(second.caseId).toBe(first.caseId);
    await until('the second held', () => request(second.id)?.state === 'held', 30_000);
    expect(request(second.id)?.reason).toBe('Second look at the lobby');
    await engine.run('requests.deny', { id: second.id, reason: 'demo' });

    const repo = new SqliteRepository(path.join(engine.state().dataDir, 'service'));
    try {
      const investigators = repo.listPrincipals('user').filter((p) => p.name === DEMO_INVESTIGATOR);
      expect(investigators).toHaveLength(1);
      // Every key it was given was revoked right after its one call.
      expect(repo.revokeKeys(investigators[0]?.id ?? '')).toBe(0);
      const evidence = repo.listEvidence({ requestId: first.id });
      expect(evidence.map((e) => e.caseId)).toEqual([first.caseId]);
    } finally {
      repo.close();
    }
  });

  it('names the cameras it has when asked for another', async () => {
    const err = await refusal(test.engine.run('demo.request', { cameras: ['roof'] }));
    expect(err.exitCode).toBe(2);
    expect(err.what).toBe('no camera roof');
    expect(err.fix).toBe('name cameras of this engine: lobby');
  });
});

describe('the demo investigator without the embedded service', () => {
  it('is refused, saying how investigators ask on a real service', async () => {
    const test = await openTestEngine({ service: { mode: 'none' }, cameras: [], docks: [] });
    try {
      const err = await refusal(test.engine.run('demo.request', {}));
      expect(err.exitCode).toBe(2);
      expect(err.what).toMatch(/^demo requests go through the embedded evidence service/);
      expect(err.fix).toContain('custody request create');
    } finally {
      await test.close();
    }
  });
});
