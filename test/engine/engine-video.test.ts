import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustodyError } from '../../src/core/errors.ts';
import { openRecordingEngine, type openTestEngine } from '../helpers/engine.ts';
import { until } from '../helpers/until.ts';
import { probe } from '../helpers/video.ts';

type TestEngine = Awaited<ReturnType<typeof openTestEngine>>;

const camera = {
  id: 'lobby',
  name: 'Front lobby',
  location: 'Ground floor',
  source: { kind: 'demo', pattern: 'testsrc2', width: 320, height: 180, fps: 10 },
  segmentSeconds: 2,
  retention: '10m',
};

describe('snapshots and clips through the engine commands', () => {
  let test: TestEngine;
  beforeAll(async () => {
    // Two whole segments, so "now" and a clip of the last few seconds have footage.
    test = await openRecordingEngine(camera);
  }, 60_000);
  afterAll(async () => {
    await test?.close();
  });

  it('files a snapshot into a new case with its name, description and camera metadata', async () => {
    const { engine } = test;
    const shot = await engine.run('snapshot.export', {
      cameraId: 'lobby',
      name: 'Person at door',
      description: 'Red jacket',
      caseChoice: { newCase: 'Lobby incident' },
    });
    expect(shot).toMatchObject({ width: 320, height: 180 });
    expect(shot.jobId).not.toBeNull();
    const row = await until('the snapshot filed', () =>
      engine.state().uploads.jobs.find((job) => job.id === shot.jobId && job.state === 'done'),
    );
    expect(row.sourceKind).toBe('snapshot');
    const caseId = row.case;
    const [evidence] = (await engine.rest?.listEvidence(caseId))?.items ?? [];
    expect(evidence).toMatchObject({
      kind: 'snapshot',
      name: 'Person at door',
      description: 'Red jacket',
      cameraId: 'lobby',
      cameraName: 'Front lobby',
      cameraLocation: 'Ground floor',
      sha256: createHash('sha256').update(readFileSync(shot.path)).digest('hex'),
    });
    expect((await engine.rest?.getCase(caseId))?.name).toBe('Lobby incident');
  });

  it('exports a clip that ffprobe reads, with its hash, and refuses a bad range by field', async () => {
    const { engine } = test;
    const to = new Date(Date.now() - 1500);
    const from = new Date(to.getTime() - 3000);
    const out = path.join(test.dir, 'clips', 'lobby.ts');
    const clip = await engine.run('clip.export', {
      cameraId: 'lobby',
      from: from.toISOString(),
      to: to.toISOString(),
      out,
    });
    expect(clip.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
    const probed = probe(out);
    expect(probed.width).toBe(320);
    expect(probed.durationS).toBeGreaterThan(2);
    const bad = await engine
      .run('clip.export', { cameraId: 'lobby', from: 'yesterday', to: to.toISOString(), out })
      .catch((err: unknown) => err);
    expect(bad).toBeInstanceOf(CustodyError);
    expect((bad as CustodyError).exitCode).toBe(2);
    expect((bad as CustodyError).what).toMatch(/^clip\.export: from /);
  });

  it('gives a thumbnail for the tile', async () => {
    const thumbnail = await test.engine.run('thumbnails.get', { cameraId: 'lobby' });
    expect(thumbnail).toMatchObject({ width: 48, height: 27 });
    expect(Buffer.from(thumbnail?.rgb ?? '', 'base64')).toHaveLength(48 * 27 * 3);
  });
});
