import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/json-schema.ts';
import { ConfigError, formatConfigIssues, loadConfig } from '../../src/config/load.ts';
import { ExitCode } from '../../src/core/errors.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const EXAMPLE = path.join(ROOT, 'config.example.json');

let tmp = '';
const startCwd = process.cwd();

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'custody-config-'));
});

afterEach(() => {
  process.chdir(startCwd);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function writeConfig(name: string, value: unknown): string {
  const file = path.join(tmp, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

function loadError(file: string): ConfigError {
  try {
    loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe('config.example.json', () => {
  it('loads cleanly as the embedded demo', () => {
    const { config, file, dir } = loadConfig(EXAMPLE);
    expect(file).toBe(EXAMPLE);
    expect(dir).toBe(ROOT);
    expect(config.service).toEqual({ mode: 'embedded', port: 0 });
    expect(config.workstation.name).toBe('Demo workstation');
    expect(config.cameras.map((camera) => camera.id)).toEqual([
      'lobby',
      'dock-door',
      'car-park',
      'corridor',
    ]);
    expect(new Set(config.cameras.map((camera) => camera.source.kind))).toEqual(new Set(['demo']));
    expect(config.cameras.every((camera) => camera.segmentSeconds === 4)).toBe(true);
    expect(config.uploads.schedule).toEqual(['Mon-Fri 08:00-18:00 8M', '* unlimited']);
    expect(config.operator).toBe('operator');
    expect(config.users.find((user) => user.name === 'guest')?.privileges).toEqual([]);
  });

  it('resolves relative paths against its own folder, whatever the working directory', () => {
    const site = path.join(tmp, 'site');
    mkdirSync(site);
    copyFileSync(EXAMPLE, path.join(site, 'config.json'));
    const elsewhere = path.join(tmp, 'elsewhere');
    mkdirSync(elsewhere);
    process.chdir(elsewhere);
    const { config, dir } = loadConfig('../site/config.json');
    expect(dir).toBe(site);
    expect(config.dataDir).toBe(path.join(site, 'data'));
    expect(config.docks[0]?.root).toBe(path.join(site, 'demo/dock'));
    expect(config.syncFolders[0]?.path).toBe(path.join(site, 'demo/sync'));
    expect(config.syncFolders[0]?.afterUpload).toEqual({
      policy: 'move',
      doneFolder: path.join(site, 'demo/sync-done'),
    });
  });
});

describe('defaults', () => {
  it('fills in every default from an empty object', () => {
    const { config } = loadConfig(writeConfig('empty-object.json', {}));
    expect(config).toEqual({
      workstation: { name: 'Workstation' },
      service: { mode: 'none' },
      cameras: [],
      destinations: [],
      docks: [],
      syncFolders: [],
      uploads: {
        concurrency: 4,
        bandwidth: 'unlimited',
        schedule: [],
        chunkSize: 64 * 1024 * 1024,
        retry: { maxAttempts: 10, baseMs: 1000, maxMs: 300_000 },
      },
      requests: { defaultExpiry: '7d', maxRange: '24h', autoApprove: [] },
      logging: { level: 'info', maxSize: '10m', maxFiles: 10 },
      users: [
        {
          name: 'operator',
          role: 'admin',
          active: true,
          privileges: ['export', 'upload', 'requests'],
        },
      ],
      operator: 'operator',
    });
  });

  it('fills in camera, dock and sync folder defaults', () => {
    const { config } = loadConfig(
      writeConfig('entries.json', {
        cameras: [{ id: 'lobby', name: 'Lobby', source: { kind: 'demo' } }],
        docks: [{ id: 'dock', name: 'Dock', root: 'dock' }],
        syncFolders: [{ id: 'sync', name: 'Sync', path: 'sync', case: 'none' }],
        users: [
          { name: 'viewer', role: 'viewer', active: false },
          { name: 'lead', role: 'operator' },
        ],
      }),
    );
    expect(config.cameras[0]).toEqual({
      id: 'lobby',
      name: 'Lobby',
      location: '',
      source: { kind: 'demo', pattern: 'testsrc2', width: 640, height: 360, fps: 10 },
      segmentSeconds: 10,
      retention: '1h',
      enabled: true,
    });
    expect(config.docks[0]).toEqual({
      id: 'dock',
      name: 'Dock',
      root: path.join(tmp, 'dock'),
      destination: 'service',
      afterUpload: { policy: 'keep' },
      enabled: true,
    });
    expect(config.syncFolders[0]?.include).toEqual(['**/*']);
    expect(config.syncFolders[0]?.case).toBe('none');
    // The first active user, since the first one is switched off.
    expect(config.operator).toBe('lead');
    expect(config.users[1]?.privileges).toEqual(['export', 'upload', 'requests']);
  });
});

describe('errors', () => {
  it('reports every problem in one file at once, in file order', () => {
    const error = loadError(
      writeConfig('many.json', {
        workstation: { name: 'Desk', colour: 'blue' },
        cameras: [
          { id: 'Lobby', name: 'Lobby', source: { kind: 'demo' } },
          { id: 'yard', name: 'Yard', source: { kind: 'url', url: 'rtsp://10.0.0.9/1' } },
          { id: 'yard', name: 'Yard 2', source: { kind: 'demo' }, segmentSeconds: 0 },
        ],
        docks: [{ id: 'dock', name: 'Dock', root: 'dock', destination: 'nas' }],
        uploads: { concurrency: 27, schedule: ['Mon-Fri 08:00-18:00 2M', 'Funday off'] },
        logging: { level: 'loud' },
        operator: 'nobody',
      }),
    );
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'workstation.colour',
      'cameras[0].id',
      'cameras[2].id',
      'cameras[2].segmentSeconds',
      'docks[0].destination',
      'uploads.concurrency',
      'uploads.schedule[1]',
      'logging.level',
      'operator',
    ]);
    expect(error.message).toBe(
      `config ${path.join(tmp, 'many.json')} has 9 problems — fix each field listed`,
    );
    expect(formatConfigIssues(error).split('\n')).toHaveLength(9);
  });

  it('puts a single problem in the error message itself', () => {
    const file = writeConfig('one.json', { uploads: { concurrency: 0 } });
    const error = loadError(file);
    expect(error.message).toBe(
      `${file}: uploads.concurrency: must be at least 1 (got 0) — use 1 to 26`,
    );
  });

  it('never shows header values, which hold credentials', () => {
    const error = loadError(
      writeConfig('secret.json', {
        destinations: [
          {
            id: 'nas',
            kind: 'tus',
            url: 'https://archive.example.org/files/',
            headers: { Authorization: ['Bearer s3cr3t'] },
          },
        ],
      }),
    );
    expect(error.issues[0]?.path).toBe('destinations[0].headers.Authorization');
    expect(formatConfigIssues(error)).not.toContain('s3cr3t');
  });

  it('cuts long values to 60 characters', () => {
    const error = loadError(
      writeConfig('long.json', { workstation: { name: 5, extra: 'x'.repeat(200) } }),
    );
    const extra = error.issues.find((issue) => issue.path === 'workstation.extra');
    expect(extra?.value).toHaveLength(60);
    expect(extra?.value.endsWith('…')).toBe(true);
  });

  it('takes a missing dock root or sync folder as fine', () => {
    const { config } = loadConfig(
      writeConfig('not-yet.json', {
        docks: [{ id: 'dock', name: 'Dock', root: 'not-plugged-in-yet' }],
        syncFolders: [{ id: 'sync', name: 'Sync', path: 'created-later' }],
      }),
    );
    expect(config.docks).toHaveLength(1);
  });
});

describe('config.schema.json', () => {
  // After a schema change, `npx vitest run test/config -u` rewrites the committed file.
  it('is the committed output of configJsonSchema()', async () => {
    await expect(`${JSON.stringify(configJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(
      path.join(ROOT, 'config.schema.json'),
    );
  });

  it('describes the input side: defaulted fields are optional, unknown keys refused', () => {
    const schema = configJsonSchema() as {
      required?: string[];
      additionalProperties: boolean;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.required ?? []).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.uploads?.description).toBeTruthy();
  });
});
