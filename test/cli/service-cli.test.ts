import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIntegrationFile } from '../../src/engine/service/integration-file.ts';
import { ServiceRestClient } from '../../src/engine/service/rest-client.ts';
import type { Integration } from '../../src/protocol/service.ts';
import { collect, runCli, startCli, tempDir, waitForOutput } from '../helpers/cli.ts';

describe('custody server and custody request', () => {
  const dir = tempDir();
  const data = path.join(dir.path, 'service');
  const file = path.join(dir.path, 'integration.json');
  let serverProcess: ReturnType<typeof startCli>;
  let url: string;
  let integration: Integration;
  let investigatorKey: string;
  let caseId: string;

  beforeAll(async () => {
    const associate = await runCli([
      'server',
      'associate',
      '--name',
      'Station 1',
      '--out',
      file,
      '--data',
      data,
    ]);
    expect(associate.code, associate.stderr).toBe(0);
    integration = readIntegrationFile(file);

    const user = await runCli([
      'server',
      'user',
      'add',
      '--name',
      'Ivy',
      '--role',
      'investigator',
      '--data',
      data,
      '--json',
    ]);
    expect(user.code, user.stderr).toBe(0);
    const investigator = JSON.parse(user.stdout) as { id: string; key: string };
    investigatorKey = investigator.key;

    const kase = await runCli([
      'server',
      'case',
      'add',
      '--name',
      'Burglary',
      '--owner',
      investigator.id,
      '--grant-system',
      integration.systemId,
      '--data',
      data,
      '--json',
    ]);
    expect(kase.code, kase.stderr).toBe(0);
    caseId = (JSON.parse(kase.stdout) as { id: string }).id;

    serverProcess = startCli(['server', '--port', '0', '--data', data]);
    const banner = await waitForOutput(serverProcess, 'listening on');
    url = /listening on (\S+)/.exec(banner)?.[1] ?? '';
    await new ServiceRestClient({ url, apiKey: integration.apiKey }).putCameras({
      cameras: [{ id: 'cam-1', name: 'Front door', status: 'recording' }],
    });
  });

  afterAll(async () => {
    serverProcess.kill('SIGTERM');
    const exit = await collect(serverProcess);
    expect(exit.code).toBe(0);
    dir.remove();
  });

  const env = () => ({ CUSTODY_SERVICE_URL: url, CUSTODY_SERVICE_KEY: investigatorKey });
  const createArgs = (overrides: Record<string, string> = {}) => {
    const values = {
      '--system': integration.systemId,
      '--cameras': 'cam-1',
      '--from': '2026-11-24T08:00:00Z',
      '--to': '2026-11-24T08:15:00Z',
      '--case': caseId,
      '--reason': 'Break-in at 08:05',
      ...overrides,
    };
    return ['request', 'create', ...Object.entries(values).flat()];
  };

  it('writes a private integration file the engine can import', () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(integration).toMatchObject({
      version: 1,
      systemName: 'Station 1',
      url: 'http://127.0.0.1:8740',
    });
    expect(integration.apiKey).toMatch(/^cst_/);
  });

  it('refuses to overwrite an integration file and a made-up role (exit 2)', async () => {
    const again = await runCli([
      'server',
      'associate',
      '--name',
      'Station 2',
      '--out',
      file,
      '--data',
      data,
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists — choose another --out/);
    const role = await runCli([
      'server',
      'user',
      'add',
      '--name',
      'X',
      '--role',
      'chief',
      '--data',
      data,
    ]);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('use investigator, supervisor, admin');
  });

  it('creates a request and shows its status and the list', async () => {
    const created = await runCli([...createArgs(), '--json'], { env: env() });
    expect(created.code, created.stderr).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string }).id;

    const status = await runCli(['request', 'status', id], { env: env() });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^state\s+received$/m);
    expect(status.stdout).toMatch(/^cameras\s+cam-1$/m);

    const list = await runCli(['request', 'list', '--json'], { env: env() });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id)).toContain(id);
  });

  it('lets a supervisor decide: approve, deny with a reason; an investigator may not', async () => {
    const user = await runCli(
      ['server', 'user', 'add', '--name', 'Sam', '--role', 'supervisor', '--data', data, '--json'],
      {},
    );
    expect(user.code, user.stderr).toBe(0);
    const supervisor = {
      ...env(),
      CUSTODY_SERVICE_KEY: (JSON.parse(user.stdout) as { key: string }).key,
    };
    const ask = async () => {
      const created = await runCli([...createArgs(), '--json'], { env: env() });
      expect(created.code, created.stderr).toBe(0);
      return (JSON.parse(created.stdout) as { id: string }).id;
    };

    const first = await ask();
    const notAllowed = await runCli(['request', 'decide', first, '--approve'], { env: env() });
    expect(notAllowed.code).toBe(3);
    expect(notAllowed.stderr).toContain('only supervisors and admins can decide requests');

    const approved = await runCli(['request', 'decide', first, '--approve'], { env: supervisor });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toBe(`Request ${first}: approved\n`);
    const again = await runCli(['request', 'decide', first, '--deny', '--reason', 'no'], {
      env: supervisor,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a decision is final');

    const second = await ask();
    const noReason = await runCli(['request', 'decide', second, '--deny'], { env: supervisor });
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('a denial needs a --reason');
    const both = await runCli(['request', 'decide', second, '--approve', '--deny'], {
      env: supervisor,
    });
    expect(both.code).toBe(2);
    const denied = await runCli(
      ['request', 'decide', second, '--deny', '--reason', 'outside the case', '--json'],
      { env: supervisor },
    );
    expect(denied.code, denied.stderr).toBe(0);
    expect(JSON.parse(denied.stdout)).toMatchObject({
      id: second,
      state: 'denied',
      decision: { decision: 'deny', reason: 'outside the case', by: { name: 'Sam' } },
    });
  });

  it('exits 2 for bad input, 3 when not permitted and 4 when unreachable', async () => {
    const badTime = await runCli(createArgs({ '--from': 'yesterday' }), { env: env() });
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/^custody: invalid request — from: an ISO 8601 time/);

    const unknown = await runCli(['request', 'status', 'req_nope'], { env: env() });
    expect(unknown.code).toBe(2);

    const noService = await runCli(['request', 'list'], {
      env: { CUSTODY_SERVICE_URL: '', CUSTODY_SERVICE_KEY: '' },
    });
    expect(noService.code).toBe(2);
    expect(noService.stderr).toContain('pass --service URL or set CUSTODY_SERVICE_URL');

    const wrongKey = await runCli(
      ['request', 'list', '--key', 'cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      { env: env() },
    );
    expect(wrongKey.code).toBe(3);
    expect(wrongKey.stderr).toContain('wrong or has been revoked');
    expect(wrongKey.stderr).not.toContain('cst_AAAA');

    const down = await runCli(['request', 'list', '--service', 'http://127.0.0.1:1'], {
      env: env(),
    });
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(
      /cannot reach the evidence service at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    );
  });

  it('disables and re-enables a user (exit 3 while inactive)', async () => {
    const me = await new ServiceRestClient({ url, apiKey: investigatorKey }).me();
    expect((await runCli(['server', 'user', 'disable', me.id, '--data', data])).code).toBe(0);
    const refused = await runCli(['request', 'list'], { env: env() });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('is inactive');
    expect((await runCli(['server', 'user', 'enable', me.id, '--data', data])).code).toBe(0);
    expect((await runCli(['request', 'list'], { env: env() })).code).toBe(0);
  });

  it('revokes a key at once (exit 3 afterwards)', async () => {
    const user = await runCli([
      'server',
      'user',
      'add',
      '--name',
      'Temp',
      '--role',
      'investigator',
      '--data',
      data,
      '--json',
    ]);
    const temp = JSON.parse(user.stdout) as { id: string; key: string };
    const before = await runCli(['request', 'list', '--key', temp.key], { env: env() });
    expect(before.code).toBe(0);
    const revoke = await runCli(['server', 'revoke', temp.id, '--data', data]);
    expect(revoke.stdout).toContain('Revoked 1 key');
    const after = await runCli(['request', 'list', '--key', temp.key], { env: env() });
    expect(after.code).toBe(3);
  });
});
