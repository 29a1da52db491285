// The headless commands that file evidence into the evidence service (`upload --case`,
// `upload --new-case`, `snapshot --case | --new-case`), on a real `custody engine` linked to a
// real service on loopback, and what they say when that service does not answer (exit 4).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliErrorSchema, uploadWaitOutputSchema } from '../../src/protocol/cli-output.ts';
import { commandSchemas } from '../../src/protocol/control.ts';
import { engineStateSchema, uploadsStateSchema } from '../../src/protocol/engine-state.ts';
import { type CliResult, tempDir } from '../helpers/cli.ts';
import {
  custody,
  linkedEngineConfig,
  type RunningEngine,
  startEngine,
  writeEngineConfig,
  writeIntegration,
} from '../helpers/control.ts';
import { untilAsync } from '../helpers/until.ts';
import { type Service, startService } from '../server/service-fixture.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function jobState(data: string, id: string): Promise<string | undefined> {
  const list = await custody(data, ['uploads', 'list', '--json']);
  expect(list.code, list.stderr).toBe(0);
  return uploadsStateSchema.shape.jobs.parse(JSON.parse(list.stdout)).find((j) => j.id === id)
    ?.state;
}

/**
 * `snapshot …` once the camera has footage: right after the engine starts the camera may not
 * record yet, or its first segment holds no whole frame, which the snapshot refuses with exit 1
 * ("try again in a few seconds"); any other answer is the result.
 */
function snapshotOnceRecording(data: string, args: string[]): Promise<CliResult> {
  return untilAsync(`snapshot ${args.join(' ')}`, async () => {
    const result = await custody(data, ['snapshot', 'lobby', ...args]);
    const notYet =
      result.code === 1 &&
      /is not recording|has no footage at|has no decodable frame at/.test(result.stderr);
    return notYet ? undefined : result;
  });
}

describe('filing into the evidence service from a script', { timeout: 120_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let data: string;
  let service: Service;
  let engine: RunningEngine;
  const system = () => service.system.client;

  beforeAll(async () => {
    dir = tempDir('custody-headless-service-');
    data = path.join(dir.path, 'data');
    service = await startService();
    const config = linkedEngineConfig(dir.path, service, {
      uploads: { schedule: [], bandwidth: 'unlimited' },
    });
    engine = await startEngine(config, data);
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await service?.close();
    dir?.remove();
  });

  /** A case the investigator opens and grants this workstation `level` on. */
  const caseFor = async (name: string, level: 'view' | 'manage') => {
    const found = await service.investigator.client.createCase({ name });
    await service.investigator.client.grant(found.id, {
      principalId: service.system.principal.id,
      level,
    });
    return found;
  };

  it('upload --case ID files into that case; a view-only case is refused (3), an unknown one is bad input (2)', async () => {
    const kase = await caseFor('Burglary 12 Elm St', 'manage');
    const file = path.join(dir.path, 'statement.pdf');
    writeFileSync(file, Buffer.alloc(120 * 1024, 5));
    const up = await custody(data, ['upload', file, '--case', kase.id, '--wait', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const result = uploadWaitOutputSchema.parse(JSON.parse(up.stdout));
    expect(result).toMatchObject({ ok: true, files: [{ path: file, state: 'done' }] });
    expect(result.files[0]?.sha256).toBe(sha256(file));

    const evidence = await system().listEvidence(kase.id);
    expect(evidence.items).toEqual([
      expect.objectContaining({
        caseId: kase.id,
        kind: 'file',
        filename: 'statement.pdf',
        sha256: sha256(file),
        size: 120 * 1024,
      }),
    ]);

    const viewOnly = await caseFor('Someone else’s case', 'view');
    const other = path.join(dir.path, 'other.bin');
    writeFileSync(other, 'not for that case');
    const refused = await custody(data, ['upload', other, '--case', viewOnly.id]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^custody: no Manage permission on case .* — /);
    const unknown = await custody(data, ['upload', other, '--case', 'case-nope', '--json']);
    expect(unknown.code).toBe(2);
    expect(cliErrorSchema.parse(JSON.parse(unknown.stderr)).error.exitCode).toBe(2);
    expect((await system().listEvidence(viewOnly.id)).items).toEqual([]);
  });

  it('upload --new-case N --department D --category C opens the case and files into it', async () => {
    const department = await service.call(service.admin.key, 'POST', '/v1/departments', {
      name: 'Traffic',
    });
    const category = await service.call(service.admin.key, 'POST', '/v1/categories', {
      name: 'Collision',
    });
    const departmentId = (department.body as { id: string }).id;
    const categoryId = (category.body as { id: string }).id;
    const file = path.join(dir.path, 'dashcam.mp4');
    writeFileSync(file, Buffer.alloc(64 * 1024, 9));
    const up = await custody(data, [
      'upload',
      file,
      '--new-case',
      'Hit and run, A40',
      '--department',
      departmentId,
      '--category',
      categoryId,
      '--wait',
      '--json',
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(uploadWaitOutputSchema.parse(JSON.parse(up.stdout))).toMatchObject({
      ok: true,
      files: [{ state: 'done', sha256: sha256(file) }],
    });

    const opened = (await system().listCases()).items.filter((c) => c.name === 'Hit and run, A40');
    expect(opened).toEqual([
      expect.objectContaining({ departmentId, categoryId, access: 'manage' }),
    ]);
    const evidence = await system().listEvidence(opened[0]?.id ?? '');
    expect(evidence.items.map((e) => [e.filename, e.sha256])).toEqual([
      ['dashcam.mp4', sha256(file)],
    ]);

    const badDepartment = await custody(data, [
      'upload',
      file,
      '--new-case',
      'Nowhere',
      '--department',
      'dept-nope',
    ]);
    expect(badDepartment.code).toBe(2);
    expect(badDepartment.stderr).toMatch(/^custody: .*department.* — /);
  });

  it('snapshot --case ID and --new-case N queue the frame and file it into the case', async () => {
    const kase = await caseFor('Lobby incident', 'manage');
    const taken = await snapshotOnceRecording(data, [
      '--name',
      'Front door',
      '--description',
      'who came in',
      '--case',
      kase.id,
      '--json',
    ]);
    expect(taken.code, taken.stderr).toBe(0);
    const shot = commandSchemas['snapshot.export'][1].parse(JSON.parse(taken.stdout));
    expect(shot.jobId).not.toBeNull();
    expect(shot.path.startsWith(path.join(data, 'snapshots'))).toBe(true);
    await untilAsync('the snapshot filed', async () => {
      const state = await jobState(data, shot.jobId ?? '');
      if (state === 'failed' || state === 'cancelled') throw new Error(`snapshot upload ${state}`);
      return state === 'done';
    });
    expect((await system().listEvidence(kase.id)).items).toEqual([
      expect.objectContaining({
        kind: 'snapshot',
        name: 'Front door',
        description: 'who came in',
        cameraId: 'lobby',
        cameraName: 'Front lobby',
        from: shot.at,
        sha256: sha256(shot.path),
      }),
    ]);

    const human = await custody(data, [
      'snapshot',
      'lobby',
      '--name',
      'Reception desk',
      '--new-case',
      'Reception watch',
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^snapshot of lobby at \S+ \S+: \d+x\d+, /);
    const jobId = /^queued as upload (\S+)$/m.exec(human.stdout)?.[1] ?? '';
    expect(jobId).not.toBe('');
    await untilAsync(
      'the second snapshot filed',
      async () => (await jobState(data, jobId)) === 'done',
    );
    const opened = (await system().listCases()).items.filter((c) => c.name === 'Reception watch');
    expect(opened).toHaveLength(1);
    const evidence = await system().listEvidence(opened[0]?.id ?? '');
    expect(evidence.items.map((e) => [e.kind, e.name, e.cameraId])).toEqual([
      ['snapshot', 'Reception desk', 'lobby'],
    ]);
  });
});

describe('an engine whose evidence service does not answer', { timeout: 120_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let data: string;
  let deadUrl: string;
  let engine: RunningEngine;

  beforeAll(async () => {
    dir = tempDir('custody-headless-dead-service-');
    data = path.join(dir.path, 'data');
    // A loopback port nothing listens on any more.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    deadUrl = `http://127.0.0.1:${port}`;
    const integrationFile = writeIntegration(
      dir.path,
      { id: 'sys-station-1', name: 'Station 1', key: `cst_${'a'.repeat(32)}` },
      deadUrl,
    );
    const config = writeEngineConfig(dir.path, { service: { mode: 'remote', integrationFile } });
    engine = await startEngine(config, data);
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    dir?.remove();
  });

  it('the engine runs; commands that need the service exit 4 naming it and the fix', async () => {
    const status = await custody(data, ['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const state = engineStateSchema.parse(JSON.parse(status.stdout));
    expect(state.serviceUrl).toBe(deadUrl);
    expect(state.connection.state).not.toBe('ready');

    const file = path.join(dir.path, 'evidence.bin');
    writeFileSync(file, 'evidence');
    const commands = [
      ['upload', file, '--case', 'case-1'],
      ['upload', file, '--new-case', 'Burglary'],
      ['snapshot', 'lobby', '--name', 'Front door', '--case', 'case-1'],
    ];
    const results = await Promise.all(commands.map((args) => custody(data, args)));
    results.forEach((result, i) => {
      expect(result.code, `${commands[i]?.join(' ')}: ${result.stderr}`).toBe(4);
      expect(result.stderr).toContain(`custody: cannot reach the evidence service at ${deadUrl} (`);
      expect(result.stderr).toMatch(/ — check the URL and that the service is running/);
      expect(result.stderr).not.toContain('    at ');
    });
    const json = await custody(data, ['upload', file, '--case', 'case-1', '--json']);
    expect(json.code).toBe(4);
    expect(cliErrorSchema.parse(JSON.parse(json.stderr)).error).toMatchObject({
      exitCode: 4,
      what: expect.stringContaining(deadUrl),
    });

    // A new case is opened once the frame is taken: the camera must be recording first.
    const snapshot = await snapshotOnceRecording(data, ['--name', 'Front door', '--new-case', 'X']);
    expect(snapshot.code, snapshot.stderr).toBe(4);
    expect(snapshot.stderr).toContain(`cannot reach the evidence service at ${deadUrl}`);

    // Nothing was queued by the refused commands, and no frame was left behind.
    const list = await custody(data, ['uploads', 'list', '--json']);
    expect(uploadsStateSchema.shape.jobs.parse(JSON.parse(list.stdout))).toEqual([]);
    expect(readdirSync(path.join(data, 'snapshots'))).toEqual([]);
  });
});
