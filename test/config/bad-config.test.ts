import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, formatConfigIssues, loadConfig } from '../../src/config/load.ts';
import { ExitCode } from '../../src/core/errors.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/bad-config');
const expected: Record<string, string> = JSON.parse(
  readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'),
);
const committed = readdirSync(FIXTURES).filter(
  (name) => name.endsWith('.json') && name !== 'expected.json',
);

// Root reads any file whatever its mode, so the unreadable case only means something for others.
const isRoot = process.getuid?.() === 0;

/** Cases that cannot be committed: too big, absent, a folder, or without read permission. */
const generated: Record<string, (file: string) => void> = {
  // Sparse: the loader must refuse from the size alone, without reading 1.25 GiB.
  'huge.json': (file) => {
    writeFileSync(file, '{}');
    truncateSync(file, 1.25 * 1024 ** 3);
  },
  'missing.json': () => {},
  'directory.json': (file) => mkdirSync(file),
  'unreadable.json': (file) => {
    writeFileSync(file, '{}');
    chmodSync(file, 0o000);
  },
};

let tmp = '';
const fileFor = (name: string): string =>
  name in generated ? path.join(tmp, name) : path.join(FIXTURES, name);

function loadError(file: string): ConfigError {
  try {
    loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'custody-bad-config-'));
  for (const [name, make] of Object.entries(generated)) make(path.join(tmp, name));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('bad config fixtures', () => {
  it('has an expected path for every fixture file, and at least 30 cases', () => {
    expect(committed.filter((name) => !(name in expected))).toEqual([]);
    const listed = Object.keys(expected);
    expect(listed.filter((name) => !committed.includes(name) && !(name in generated))).toEqual([]);
    expect(listed.length).toBeGreaterThanOrEqual(30);
  });

  const cases = Object.entries(expected).filter(
    ([name]) => !(isRoot && name === 'unreadable.json'),
  );

  it.each(cases)('%s names %s', (name, want) => {
    const file = fileFor(name);
    const error = loadError(file);
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.issues.map((issue) => issue.path)).toContain(want);
    for (const issue of error.issues) {
      expect(issue.message).not.toBe('');
      expect(issue.fix).not.toBe('');
      expect(issue.value.length).toBeLessThanOrEqual(60);
    }
    const text = formatConfigIssues(error);
    expect(text).toContain(want === '(file)' ? `custody: ${file}: ` : `: ${want}: `);
    expect(text).not.toContain('    at ');
    for (const line of text.split('\n')) expect(line).toMatch(/^custody: .+ — .+/);
  });
});

describe('whole-file messages', () => {
  it('refuses a huge file by its size', () => {
    const [issue] = loadError(fileFor('huge.json')).issues;
    expect(issue?.message).toBe('config file is 1.25 GiB; a config is at most 1 MiB');
  });

  it('points at the syntax error by line and column', () => {
    const [comma] = loadError(fileFor('trailing-comma.json')).issues;
    expect(comma?.message).toBe('is not valid JSON: line 3, column 21: trailing comma before }');
    const [yaml] = loadError(fileFor('not-json.json')).issues;
    expect(yaml?.message).toMatch(/^is not valid JSON: line 1, column 1: /);
    const [missing] = loadError(fileFor('missing-comma.json')).issues;
    expect(missing?.message).toContain('line 3, column 3');
  });

  it('tells how to name another file when it is missing', () => {
    const [issue] = loadError(fileFor('missing.json')).issues;
    expect(issue?.message).toBe('file not found');
    expect(issue?.fix).toContain('--config');
  });

  it.skipIf(isRoot)('says when the file cannot be read', () => {
    const [issue] = loadError(fileFor('unreadable.json')).issues;
    expect(issue?.message).toContain('permission denied');
  });
});

describe('field messages', () => {
  it('explains the concurrency limit and the range to use', () => {
    const file = fileFor('concurrency-27.json');
    expect(formatConfigIssues(loadError(file))).toBe(
      `custody: ${file}: uploads.concurrency: must be at most 26 (one workstation runs at most 26 uploads at once) (got 27) — use 1 to 26`,
    );
  });

  it('suggests the closest known key', () => {
    const [top] = loadError(fileFor('unknown-top-key.json')).issues;
    expect(top?.fix).toContain('did you mean "uploads"?');
    const [nested] = loadError(fileFor('unknown-nested-key.json')).issues;
    expect(nested?.fix).toContain('did you mean "bandwidth"?');
  });

  it('suggests the closest allowed value', () => {
    const [issue] = loadError(fileFor('unknown-pattern.json')).issues;
    expect(issue?.fix).toContain('did you mean "testsrc"?');
  });

  it('gives the column of a bad schedule entry', () => {
    const [issue] = loadError(fileFor('bad-schedule-time.json')).issues;
    expect(issue?.message).toContain('at column 15, found "25:00"');
  });

  it('says a quoted number needs no quotes', () => {
    const [issue] = loadError(fileFor('wrong-type-concurrency-string.json')).issues;
    expect(issue?.fix).toBe('write 4 without quotes');
  });

  it('suggests a valid id made from the bad one', () => {
    const [issue] = loadError(fileFor('bad-camera-id.json')).issues;
    expect(issue?.fix).toContain('"front-lobby"');
  });

  it('refuses to move or delete a source a plain tus endpoint got, and names the way out', () => {
    const file = fileFor('delete-after-tus-upload.json');
    expect(formatConfigIssues(loadError(file))).toBe(
      `custody: ${file}: docks[0].afterUpload.policy: must be "keep" with destination "nas": a plain tus endpoint confirms the size of an upload but not its SHA-256, so the source would be deleted unchecked (got "delete") — use "keep", or send to the service or an archive, which check the hash: set docks[0].destination to "service" or "vault"`,
    );
    const [moved] = loadError(fileFor('move-after-tus-upload.json')).issues;
    expect(moved?.message).toContain('so the source would be moved unchecked');
  });

  it('lists the destinations that exist', () => {
    const [issue] = loadError(fileFor('unknown-destination.json')).issues;
    expect(issue?.fix).toContain('use "service"');
  });
});
