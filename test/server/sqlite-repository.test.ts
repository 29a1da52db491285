import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '../../src/engine/store/database.ts';
import type { NewEvidence } from '../../src/server/repository.ts';
import { SqliteRepository } from '../../src/server/sqlite-repository.ts';
import { tempDir } from '../helpers/cli.ts';

describe('service records', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('custody-service-');
  });
  afterEach(() => dir.remove());

  it('upgrades records from before evidence names and keeps the evidence filed then', () => {
    const repo = new SqliteRepository(dir.path);
    const system = repo.createPrincipal({ kind: 'system', name: 'Station 1', role: null });
    const filed = repo.createCase({
      name: 'Burglary 12 Elm St',
      departmentId: repo.defaultDepartment().id,
      categoryId: null,
      description: '',
      info: {},
      createdBy: system,
    });
    const evidence = (sha256: string, name: string | null, description: string | null) =>
      ({
        caseId: filed.id,
        kind: 'snapshot',
        filename: `${sha256.slice(0, 8)}.jpg`,
        name,
        description,
        size: 100,
        sha256,
        cameraId: null,
        cameraName: null,
        cameraLocation: null,
        from: null,
        to: null,
        requestId: null,
        uploadedBy: system,
        storageId: sha256.slice(0, 16),
      }) satisfies NewEvidence;
    const old = repo.addEvidence(evidence('a'.repeat(64), null, null));
    repo.close();
    // Schema version 2 as released: the evidence table without the two columns.
    const db = new DatabaseSync(path.join(dir.path, 'records', DB_FILE));
    db.exec(`
      ALTER TABLE evidence DROP COLUMN name;
      ALTER TABLE evidence DROP COLUMN description;
      PRAGMA user_version = 2;
    `);
    db.close();

    const upgraded = new SqliteRepository(dir.path);
    try {
      expect(upgraded.getEvidence(old.id)).toEqual(old);
      const named = upgraded.addEvidence(evidence('b'.repeat(64), 'Person at door', 'Red jacket'));
      expect(upgraded.getEvidence(named.id)).toMatchObject({
        name: 'Person at door',
        description: 'Red jacket',
      });
    } finally {
      upgraded.close();
    }
  });
});
