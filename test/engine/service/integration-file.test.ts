import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/core/errors.ts';
import { readIntegrationFile } from '../../../src/engine/service/integration-file.ts';
import { tempDir } from '../../helpers/cli.ts';

const good = {
  version: 1,
  url: 'https://evidence.example.org:8740',
  systemId: 'sys_0123456789abcdef',
  systemName: 'Station 1',
  apiKey: 'cst_abcdefghijklmnopqrstuvwxyz0123456789',
};

describe('readIntegrationFile', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const write = (content: string) => {
    const file = path.join(dir.path, 'integration.json');
    writeFileSync(file, content);
    return file;
  };
  const failure = (file: string) => {
    try {
      readIntegrationFile(file);
    } catch (err) {
      return err as { message: string; exitCode: number };
    }
    throw new Error('expected a failure');
  };

  it('reads a valid file', () => {
    expect(readIntegrationFile(write(JSON.stringify(good)))).toEqual(good);
  });

  it('names the missing file, the JSON error and each bad field, never the key', () => {
    expect(failure(path.join(dir.path, 'nope.json')).message).toMatch(
      /cannot read .*nope\.json \(ENOENT\)/,
    );
    expect(failure(write('{"version": 1,')).message).toMatch(/is not JSON at line 1/);
    const bad = failure(
      write(JSON.stringify({ ...good, url: 'ftp://x', apiKey: 'secret-123', extra: 1 })),
    );
    expect(bad.exitCode).toBe(ExitCode.badInput);
    expect(bad.message).toContain('url: an http:// or https:// URL');
    expect(bad.message).toContain('apiKey: a key starting with cst_');
    expect(bad.message).toContain('unknown field extra');
    expect(bad.message).not.toContain('secret-123');
    expect(bad.message).toContain('custody server associate');
    const missing = failure(write(JSON.stringify({ ...good, systemId: undefined })));
    expect(missing.message).toContain('systemId:');
  });

  it('reads a certificate pin, and refuses one on plain HTTP, where it would protect nothing', () => {
    const caFingerprint = Array.from({ length: 32 }, () => 'AB').join(':');
    const pinned = { ...good, caFingerprint };
    expect(readIntegrationFile(write(JSON.stringify(pinned)))).toEqual(pinned);
    const plain = failure(write(JSON.stringify({ ...pinned, url: 'http://127.0.0.1:8740' })));
    expect(plain.exitCode).toBe(ExitCode.badInput);
    expect(plain.message).toContain(
      'caFingerprint: pins a TLS certificate, so url must be https://',
    );
  });
});
