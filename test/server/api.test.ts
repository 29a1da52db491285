import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/protocol/service.ts';
import { SqliteRepository } from '../../src/server/sqlite-repository.ts';
import { caseWithCameras, type Service, startService, window } from './service-fixture.ts';

const errorOf = (body: unknown) => (body as ApiErrorBody).error;

describe('service REST API', () => {
  let service: Service;
  beforeEach(async () => {
    service = await startService();
  });
  afterEach(() => service.close());

  async function openRequest() {
    const found = await caseWithCameras(service);
    const request = await service.investigator.client.createRequest({
      systemId: service.system.principal.id,
      cameras: ['cam-1'],
      ...window,
      caseId: found.id,
      reason: 'Assault in the lobby',
    });
    return { found, request };
  }

  it('answers every bad body with 400 and the fields to fix', async () => {
    const { found, request } = await openRequest();
    const { admin, investigator, supervisor, system } = service;
    const cases: [string, string, string, unknown, string[]][] = [
      [admin.key, 'POST', '/v1/departments', { name: '' }, ['name']],
      [admin.key, 'POST', '/v1/categories', { name: 7 }, ['name']],
      [
        investigator.key,
        'POST',
        '/v1/cases',
        { name: 'x', info: { a: 1 }, colour: 'red' },
        ['info.a', '(body)'],
      ],
      [
        investigator.key,
        'POST',
        '/v1/cases',
        { name: 'x', departmentId: 'dep_nope' },
        ['departmentId'],
      ],
      [
        investigator.key,
        'POST',
        `/v1/cases/${found.id}/permissions`,
        { principalId: 'usr_x', level: 'own' },
        ['level'],
      ],
      [
        investigator.key,
        'POST',
        `/v1/cases/${found.id}/permissions`,
        { principalId: 'usr_nope', level: 'view' },
        ['principalId'],
      ],
      [
        system.key,
        'PUT',
        '/v1/cameras',
        { cameras: [{ id: 'a', name: 'A', status: 'on fire' }] },
        ['cameras.0.status'],
      ],
      [
        investigator.key,
        'POST',
        '/v1/requests',
        {
          systemId: system.principal.id,
          cameras: [],
          from: 'yesterday',
          to: window.to,
          caseId: found.id,
          reason: '',
        },
        ['cameras', 'from', 'reason'],
      ],
      [
        investigator.key,
        'POST',
        '/v1/requests',
        {
          systemId: system.principal.id,
          cameras: ['cam-9'],
          ...window,
          caseId: found.id,
          reason: 'r',
        },
        ['cameras'],
      ],
      [
        investigator.key,
        'POST',
        '/v1/requests',
        { systemId: 'sys_nope', cameras: ['cam-1'], ...window, caseId: found.id, reason: 'r' },
        ['systemId'],
      ],
      [
        investigator.key,
        'POST',
        '/v1/requests',
        {
          systemId: system.principal.id,
          cameras: ['cam-1'],
          from: window.to,
          to: window.from,
          caseId: found.id,
          reason: 'r',
        },
        ['to'],
      ],
      [system.key, 'POST', `/v1/requests/${request.id}/state`, { state: 'approved' }, ['state']],
      [system.key, 'POST', `/v1/requests/${request.id}/state`, { state: 'failed' }, ['reason']],
      [
        supervisor.key,
        'POST',
        `/v1/requests/${request.id}/decision`,
        { decision: 'deny' },
        ['reason'],
      ],
      [
        supervisor.key,
        'POST',
        `/v1/requests/${request.id}/decision`,
        { decision: 'maybe' },
        ['decision'],
      ],
      [system.key, 'GET', '/v1/requests?after=-1', undefined, ['after']],
      [investigator.key, 'POST', '/v1/cases', '{"name": ', ['(body)']],
    ];
    for (const [key, method, path, body, fields] of cases) {
      const response = await service.call(key, method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      const error = errorOf(response.body);
      expect(error.code).toBe('bad_request');
      expect(error.fields?.map((f) => f.path)).toEqual(expect.arrayContaining(fields));
      expect(error.message.length).toBeGreaterThan(10);
    }
  });

  it('refuses a missing or wrong key with 401 on every route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/me'],
      ['GET', '/v1/cases'],
      ['POST', '/v1/requests'],
      ['PUT', '/v1/cameras'],
      ['GET', '/v1/push'],
      ['POST', '/v1/uploads'],
    ]) {
      const missing = await service.call(undefined, method ?? '', path ?? '');
      expect(missing.status).toBe(401);
      expect(errorOf(missing.body).message).toContain('Authorization: Bearer');
      const wrong = await service.call(
        'cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        method ?? '',
        path ?? '',
      );
      expect(wrong.status).toBe(401);
    }
  });

  it('refuses a revoked key at once, even when another process revoked it', async () => {
    expect((await service.call(service.investigator.key, 'GET', '/v1/me')).status).toBe(200);
    // A second connection to the same files, as `custody server` CLI commands open it.
    const other = new SqliteRepository(service.dir.path);
    other.revokeKeys(service.investigator.principal.id);
    other.close();
    const after = await service.call(service.investigator.key, 'GET', '/v1/me');
    expect(after.status).toBe(401);
    expect(errorOf(after.body).message).toContain('revoked');
  });

  it('refuses an inactive account with 403 saying so', async () => {
    service.server.repository.setActive(service.investigator.principal.id, false);
    const response = await service.call(service.investigator.key, 'GET', '/v1/cases');
    expect(response.status).toBe(403);
    expect(errorOf(response.body).message).toMatch(
      /user "Ivy Investigator" is inactive — ask the service admin/,
    );
  });

  it('refuses a missing role or case permission with 403 naming it', async () => {
    const { found, request } = await openRequest();
    const other = service.account({ kind: 'user', name: 'Olga Other', role: 'investigator' });

    const decide = await service.call(
      service.investigator.key,
      'POST',
      `/v1/requests/${request.id}/decision`,
      {
        decision: 'approve',
      },
    );
    expect(decide.status).toBe(403);
    expect(errorOf(decide.body).message).toContain(
      'only supervisors and admins can decide requests; you are investigator',
    );

    const ask = await service.call(other.key, 'POST', '/v1/requests', {
      systemId: service.system.principal.id,
      cameras: ['cam-1'],
      ...window,
      caseId: found.id,
      reason: 'r',
    });
    expect(ask.status).toBe(403);
    expect(errorOf(ask.body).message).toContain(`manage permission on case ${found.id} is needed`);

    expect((await service.call(other.key, 'GET', `/v1/cases/${found.id}`)).status).toBe(403);
    await service.investigator.client.grant(found.id, {
      principalId: other.principal.id,
      level: 'view',
    });
    expect((await service.call(other.key, 'GET', `/v1/cases/${found.id}`)).status).toBe(200);
    expect((await service.call(other.key, 'GET', `/v1/cases/${found.id}/audit`)).status).toBe(200);

    const cameras = await service.call(service.investigator.key, 'PUT', '/v1/cameras', {
      cameras: [],
    });
    expect(cameras.status).toBe(403);
    const push = await service.call(service.investigator.key, 'GET', '/v1/push');
    expect(push.status).toBe(403);
    const report = await service.call(
      service.investigator.key,
      'POST',
      `/v1/requests/${request.id}/state`,
      {
        state: 'held',
      },
    );
    expect(report.status).toBe(403);
    const department = await service.call(service.supervisor.key, 'POST', '/v1/departments', {
      name: 'Traffic',
    });
    expect(department.status).toBe(403);
  });

  it('refuses impossible state changes with 409', async () => {
    const { request } = await openRequest();
    await service.supervisor.client.decide(request.id, { decision: 'deny', reason: 'no grounds' });
    const again = await service.call(
      service.supervisor.key,
      'POST',
      `/v1/requests/${request.id}/decision`,
      {
        decision: 'approve',
      },
    );
    expect(again.status).toBe(409);
    const deliver = await service.call(
      service.system.key,
      'POST',
      `/v1/requests/${request.id}/state`,
      {
        state: 'delivering',
      },
    );
    expect(deliver.status).toBe(409);
    expect(errorOf(deliver.body).message).toContain('is denied and cannot become delivering');
  });

  it('lists cases, cameras, systems and the audit trail', async () => {
    const { found, request } = await openRequest();
    const { investigator } = service;
    expect((await investigator.client.listCases()).items.map((c) => c.id)).toEqual([found.id]);
    expect(
      (await investigator.client.listCameras()).items.map((c) => [c.id, c.systemName]),
    ).toEqual([
      ['cam-1', 'Station 1'],
      ['cam-2', 'Station 1'],
    ]);
    expect((await investigator.client.listSystems()).items).toEqual([
      { id: service.system.principal.id, name: 'Station 1', active: true },
    ]);
    const audit = await investigator.client.listAudit(found.id);
    expect(audit.items.map((a) => a.action)).toEqual(['case.created', 'request.created']);
    expect(audit.items[1]?.detail).toMatchObject({ requestId: request.id });
    expect((await investigator.client.getCase(found.id)).departmentId).toMatch(/^dep_/);
  });

  it('expires undecided requests after the configured time and puts the expiry on the feed', async () => {
    await service.close();
    service = await startService({ requestExpiryMs: 150 });
    const { request } = await openRequest();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const seen = await service.investigator.client.getRequest(request.id);
    expect(seen.state).toBe('expired');
    const page = await service.system.client.listRequests(request.cursor);
    expect(page.items.map((r) => r.state)).toEqual(['expired']);
  });
});
