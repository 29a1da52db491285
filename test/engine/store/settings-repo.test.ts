import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import { type SettingProblem, SettingsRepo } from '../../../src/engine/store/settings-repo.ts';

let dir: string;
let store: Store;
let problems: SettingProblem[];
let repo: SettingsRepo;
const now = () => new Date('2026-11-25T12:00:00.000Z');

const bandwidthSchema = z.object({ bps: z.number().int().positive() });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'custody-settings-'));
  store = openStore(dir);
  problems = [];
  repo = new SettingsRepo(store, { now, onInvalid: (problem) => problems.push(problem) });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SettingsRepo', () => {
  it('stores, reads, overwrites and deletes typed values', () => {
    expect(repo.get('bandwidth', bandwidthSchema)).toBeUndefined();
    repo.set('bandwidth', { bps: 2_000_000 });
    expect(repo.get('bandwidth', bandwidthSchema)).toEqual({ bps: 2_000_000 });
    repo.set('bandwidth', { bps: 500_000 });
    expect(repo.get('bandwidth', bandwidthSchema)).toEqual({ bps: 500_000 });
    repo.set('paused', false);
    expect(repo.get('paused', z.boolean())).toBe(false);

    expect(repo.delete('bandwidth')).toBe(true);
    expect(repo.delete('bandwidth')).toBe(false);
    expect(repo.get('bandwidth', bandwidthSchema)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('lists every setting with its time of change', () => {
    repo.set('b', [1, 2]);
    repo.set('a', { nested: { ok: true } });
    expect(repo.all()).toEqual([
      { key: 'a', value: { nested: { ok: true } }, updatedAt: '2026-11-25T12:00:00.000Z' },
      { key: 'b', value: [1, 2], updatedAt: '2026-11-25T12:00:00.000Z' },
    ]);
  });

  it('keeps values across a reopen', () => {
    repo.set('theme', 'mono');
    store.close();
    store = openStore(dir);
    expect(new SettingsRepo(store).get('theme', z.string())).toBe('mono');
  });

  it('reports a stored value that no longer fits its schema instead of crashing', () => {
    repo.set('bandwidth', { bps: -5 });
    expect(repo.get('bandwidth', bandwidthSchema)).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]?.key).toBe('bandwidth');
    expect(problems[0]?.reason).toContain('bps');
  });

  it('reports a stored value that is not JSON, and all() leaves it out', () => {
    store.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)')
      .run('broken', '{not json', '2026-11-25T12:00:00.000Z');
    repo.set('fine', 1);
    expect(repo.get('broken', z.unknown())).toBeUndefined();
    expect(repo.all()).toEqual([{ key: 'fine', value: 1, updatedAt: '2026-11-25T12:00:00.000Z' }]);
    expect(problems.map((problem) => problem.key)).toEqual(['broken', 'broken']);
    expect(problems[0]?.reason).toContain('not JSON');
  });

  it('refuses a value JSON cannot hold', () => {
    expect(() => repo.set('nothing', undefined)).toThrow(TypeError);
    expect(repo.all()).toEqual([]);
  });
});
