// `custody request` against a service with a self-signed certificate, trusted by its
// fingerprint as the workstations trust it through their integration file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { otherTls, serviceTls } from '../helpers/tls.ts';
import { type Service, startService } from '../server/service-fixture.ts';

describe('custody request --ca-fingerprint', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ tls: { cert: serviceTls.cert, key: serviceTls.key } });
  });
  afterAll(async () => {
    await service.close();
  });

  const list = (...flags: string[]) =>
    runCli(['request', 'list', '--service', service.url, ...flags], {
      env: { CUSTODY_SERVICE_KEY: service.investigator.key },
    });

  it('reaches the self-signed service with its fingerprint, from the flag or the environment', async () => {
    const flag = await list('--ca-fingerprint', serviceTls.fingerprint);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toBe('No requests.\n');
    const fromEnv = await runCli(['request', 'list', '--service', service.url], {
      env: {
        CUSTODY_SERVICE_KEY: service.investigator.key,
        CUSTODY_SERVICE_FINGERPRINT: serviceTls.fingerprint.toLowerCase(),
      },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
  });

  it('refuses another certificate (exit 4), and one without a pin as before', async () => {
    const other = await list('--ca-fingerprint', otherTls.fingerprint);
    expect(other.code).toBe(4);
    expect(other.stderr).toContain(`not the pinned ${otherTls.fingerprint}; nothing was sent`);
    const unpinned = await list();
    expect(unpinned.code).toBe(4);
    expect(unpinned.stderr).toContain('a TLS certificate this machine does not trust');
    expect(unpinned.stderr).toContain('--ca-fingerprint');
  });

  it('says what a fingerprint looks like, and that http has none (exit 2)', async () => {
    const bad = await list('--ca-fingerprint', 'AB:CD');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('32 hex pairs joined by colons');
    const plain = await runCli(
      [
        'request',
        'list',
        '--service',
        'http://127.0.0.1:1',
        '--ca-fingerprint',
        serviceTls.fingerprint,
      ],
      { env: { CUSTODY_SERVICE_KEY: service.investigator.key } },
    );
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('is plain http');
  });
});
