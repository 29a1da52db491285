import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.ts';
import { otherTls, serviceTls } from '../helpers/tls.ts';
import { type Service, startService } from '../server/service-fixture.ts';

const certFile = (name: string) => path.join(repoRoot, 'test/fixtures/tls', `${name}-cert.pem`);

describe('custody doctor against a TLS service pinned by `custody server associate --cert`', () => {
  let dir: ReturnType<typeof tempDir>;
  let service: Service;
  beforeEach(async () => {
    dir = tempDir();
    service = await startService({ tls: { cert: serviceTls.cert, key: serviceTls.key } });
  });
  afterEach(async () => {
    await service.close();
    dir.remove();
  });

  /** Associates a workstation with the running service, pinning `cert`; runs doctor on it. */
  async function associateThenDoctor(cert: string) {
    const integration = path.join(dir.path, 'integration.json');
    const associate = await runCli([
      'server',
      'associate',
      '--name',
      'Station 2',
      '--out',
      integration,
      '--url',
      service.url,
      '--cert',
      cert,
      '--data',
      service.dir.path,
    ]);
    expect(associate.code, associate.stderr).toBe(0);
    const config = path.join(dir.path, 'remote.json');
    writeFileSync(
      config,
      JSON.stringify({ service: { mode: 'remote', integrationFile: integration } }),
    );
    return runCli(['doctor', '--config', config, '--data', path.join(dir.path, 'd')]);
  }

  it('says the self-signed service accepts the workstation when the pin matches', async () => {
    const result = await associateThenDoctor(certFile('service'));
    expect(result.stdout).toMatch(
      new RegExp(
        `^✓ service +${service.url} accepts this workstation as Station 2 \\(its certificate matches the pinned fingerprint\\)$`,
        'm',
      ),
    );
  });

  it('names both fingerprints and the fix when the service presents another certificate', async () => {
    const result = await associateThenDoctor(certFile('other'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ service  the evidence service at ${service.url} presented a certificate with SHA-256 fingerprint ${serviceTls.fingerprint}, not the pinned ${otherTls.fingerprint}`,
    );
    expect(result.stdout).toMatch(/^ {2}fix: .*custody server associate --cert FILE/m);
    expect(result.stdout).not.toContain('cst_');
  });

  it('refuses to pin a certificate on a plain-HTTP URL (exit 2)', async () => {
    const result = await runCli([
      'server',
      'associate',
      '--name',
      'Station 3',
      '--out',
      path.join(dir.path, 'plain.json'),
      '--url',
      'http://127.0.0.1:8740',
      '--cert',
      certFile('service'),
      '--data',
      service.dir.path,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--url http://127.0.0.1:8740 is plain HTTP');
  });
});
