import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceConnection } from '../../../src/engine/service/connection.ts';
import { ServiceRestClient } from '../../../src/engine/service/rest-client.ts';
import { CertificateMismatchError, pinnedAgent } from '../../../src/engine/service/tls-pin.ts';
import { SettingsRepo } from '../../../src/engine/store/settings-repo.ts';
import { CaseResolver } from '../../../src/engine/uploads/case-resolver.ts';
import { ServiceDestination } from '../../../src/engine/uploads/service-destination.ts';
import { TusClient } from '../../../src/engine/uploads/tus-client.ts';
import type { CaseChoice } from '../../../src/engine/uploads/upload-job.ts';
import { openTestEngine } from '../../helpers/engine.ts';
import { otherTls, serviceTls } from '../../helpers/tls.ts';
import { until, untilAsync } from '../../helpers/until.ts';
import { type Service, startService } from '../../server/service-fixture.ts';
import { makeRig, type Rig, randomFile, removeDir, tempDir } from '../uploads/rig.ts';

/** The three ways the workstation reaches a service, each with the given pin (or none). */
function clients(url: string, apiKey: string, caFingerprint: string | undefined) {
  const integration = { url, apiKey, caFingerprint };
  const rest = new ServiceRestClient(integration);
  const push = new ServiceConnection({ integration, backoff: { baseMs: 20, maxMs: 100 } });
  return { rest, push };
}

describe('certificate pinning (caFingerprint) against real TLS on loopback', () => {
  let service: Service;
  /** Every HTTP request and ws upgrade the service's server parsed. */
  let seen: string[];
  /** TCP connections the service accepted: proof that a client did try. */
  let connections: number;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeEach(async () => {
    service = await startService({ tls: { cert: serviceTls.cert, key: serviceTls.key } });
    seen = [];
    connections = 0;
    const server = service.server.app.server;
    server.on('request', (request) => seen.push(`${request.method} ${request.url}`));
    server.on('upgrade', (request) => seen.push(`upgrade ${request.url}`));
    server.on('connection', () => connections++);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await service.close();
  });

  function started(push: ServiceConnection): ServiceConnection {
    cleanups.push(() => push.stop());
    push.start();
    return push;
  }

  /** The engine's service destination over an upload rig; runs one file to its end. */
  async function upload(
    rest: ServiceRestClient,
    caFingerprint: string | undefined,
    caseChoice: CaseChoice,
  ) {
    const rig: Rig = makeRig({ destinations: [], retry: { maxAttempts: 1 } });
    const files = tempDir('tls-upload');
    cleanups.push(async () => {
      await rig.close();
      removeDir(rig.dir);
      removeDir(files);
    });
    rig.scheduler.setDestination(
      new ServiceDestination({
        url: service.url,
        apiKey: service.system.key,
        caFingerprint,
        rest,
        events: rig.events,
        cases: new CaseResolver({
          rest,
          settings: new SettingsRepo(rig.store),
          workstation: 'Station 1',
        }),
      }),
    );
    const { job } = rig.queue.enqueue({
      sourceKind: 'picked',
      path: randomFile(files, 'bwc.mp4', 300 * 1024),
      destinationId: 'service',
      caseChoice,
      metadata: {},
    });
    rig.scheduler.start();
    await rig.scheduler.whenIdle();
    return { job: rig.queue.get(job.id), events: rig.events.list({ subject: job.id }) };
  }

  it('talks REST, push and tus to a self-signed service whose certificate it pins', async () => {
    const { rest, push } = clients(service.url, service.system.key, serviceTls.fingerprint);
    expect(await rest.me()).toMatchObject({ name: 'Station 1' });

    started(push);
    await until('the push socket to be ready', () => push.status.state === 'ready');

    // "No case": the destination creates the workstation's unfiled case over REST, then tus.
    const { job, events } = await upload(rest, serviceTls.fingerprint, 'none');
    expect(job?.error).toBeNull();
    expect(job?.state).toBe('done');
    expect(events.find((event) => event.kind === 'upload.filed')?.data).toMatchObject({
      sha256: job?.sha256,
    });
    expect(seen).toContain('upgrade /v1/push');
    expect(seen).toContain('POST /v1/uploads');
  });

  it('refuses a service with another certificate, naming both fingerprints, before sending a byte', async () => {
    const { rest, push } = clients(service.url, service.system.key, otherTls.fingerprint);

    const refused = await rest.me().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(CertificateMismatchError);
    const message = (refused as Error).message;
    expect(message).toContain(service.url);
    expect(message).toContain(
      `presented a certificate with SHA-256 fingerprint ${serviceTls.fingerprint}`,
    );
    expect(message).toContain(`not the pinned ${otherTls.fingerprint}`);
    expect(message).toContain('custody server associate --cert FILE');
    expect(message).toContain('import the new integration file');

    started(push);
    await until('the push socket to be refused', () =>
      push.status.reason?.includes('not the pinned'),
    );
    expect(push.status).toEqual({ state: 'offline', reason: message });

    // A case id of its own: tus, not the case lookup over REST, is the first to connect.
    const { job } = await upload(rest, otherTls.fingerprint, { id: 'case_0123456789abcdef' });
    expect(job?.state).toBe('failed');
    expect(job?.error).toContain(`not the pinned ${otherTls.fingerprint}`);

    // Each client reached the service, and none of them sent it a request.
    expect(connections).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([]);
  });

  it('catches a certificate the service changed after the first connection', async () => {
    const { rest } = clients(service.url, service.system.key, serviceTls.fingerprint);
    await rest.me();
    const server = service.server.app.server as unknown as TlsServer & {
      closeAllConnections(): void;
    };
    server.setSecureContext({ cert: otherTls.cert, key: otherTls.key });
    // The kept-alive connection goes too; the first call may still meet it closing (ECONNRESET).
    server.closeAllConnections();

    const refused = await untilAsync('the new certificate to be refused', () =>
      rest.me().then(
        () => undefined,
        (err: unknown) => (err instanceof CertificateMismatchError ? err : undefined),
      ),
    );
    expect(refused.message).toContain(
      `presented a certificate with SHA-256 fingerprint ${otherTls.fingerprint}, not the pinned ${serviceTls.fingerprint}`,
    );
    expect(seen).toEqual(['GET /v1/me']);
  });

  it('links an engine through a pinned integration file: push Ready, REST through its client', async () => {
    const integrationFile = path.join(service.dir.path, 'integration.json');
    writeFileSync(
      integrationFile,
      JSON.stringify({
        version: 1,
        url: service.url,
        systemId: service.system.principal.id,
        systemName: service.system.principal.name,
        apiKey: service.system.key,
        caFingerprint: serviceTls.fingerprint,
      }),
    );
    const test = await openTestEngine({
      service: { mode: 'remote', integrationFile },
      cameras: [],
      docks: [],
      syncFolders: [],
    });
    cleanups.push(() => test.close());
    await until('the engine to be ready', () => test.engine.state().connection.state === 'ready');
    expect(await (await test.engine.serviceClient())?.me()).toMatchObject({ name: 'Station 1' });
  });

  it('without a pin verifies as before: a self-signed service is refused', async () => {
    const { rest, push } = clients(service.url, service.system.key, undefined);

    await expect(rest.me()).rejects.toThrow(
      new RegExp(
        `service at ${service.url} presented a TLS certificate this machine does not trust \\(\\w*SELF_SIGNED`,
      ),
    );
    started(push);
    await until('the push socket to be refused', () => push.status.reason?.includes('SELF_SIGNED'));
    // Every client names it alike, with how to pin the certificate.
    const untrusted =
      /presented a TLS certificate this machine does not trust \(\w*SELF_SIGNED\w*\)/;
    expect(push.status.reason).toMatch(untrusted);
    expect(push.status.reason).toContain('custody server associate --cert FILE');
    const { job } = await upload(rest, undefined, { id: 'case_0123456789abcdef' });
    expect(job?.state).toBe('failed');
    expect(job?.error).toMatch(untrusted);
    expect(seen).toEqual([]);
  });
});

describe('certificate pinning against an impostor that records every byte', () => {
  let impostor: TlsServer;
  let url: string;
  let received: number;
  /** One per TCP connection, settled when it closes. */
  const closed: Promise<unknown>[] = [];

  beforeEach(async () => {
    received = 0;
    // Application data could only arrive on a finished handshake (the callback's socket).
    impostor = createTlsServer({ cert: otherTls.cert, key: otherTls.key }, (socket) => {
      socket.on('data', (bytes: Buffer) => {
        received += bytes.length;
      });
    });
    impostor.on('connection', (tcp) => closed.push(once(tcp, 'close')));
    impostor.on('tlsClientError', () => {});
    impostor.listen(0, '127.0.0.1');
    await once(impostor, 'listening');
    url = `https://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    impostor.close();
    closed.length = 0;
  });

  it('gets no application data from any client, the API key least of all', async () => {
    const apiKey = `cst_${'k'.repeat(24)}`;
    const { rest, push } = clients(url, apiKey, serviceTls.fingerprint);
    await expect(rest.me()).rejects.toBeInstanceOf(CertificateMismatchError);
    push.start();
    await until('the push socket to be refused', () =>
      push.status.reason?.includes('not the pinned'),
    );
    await push.stop();
    const tus = new TusClient({
      headers: () => ({ Authorization: `Bearer ${apiKey}` }),
      agent: pinnedAgent(url, serviceTls.fingerprint),
    });
    await expect(tus.create(`${url}/v1/uploads`, 10, {})).rejects.toThrow('not the pinned');

    expect(closed.length).toBeGreaterThanOrEqual(3);
    await Promise.all(closed);
    expect(received).toBe(0);
  });
});

describe('pinnedAgent', () => {
  it('leaves verification alone without a pin, and refuses a pin on plain HTTP', () => {
    expect(pinnedAgent('https://evidence.example.org', undefined)).toBeUndefined();
    expect(() => pinnedAgent('http://127.0.0.1:8740', serviceTls.fingerprint)).toThrow(
      'needs an https URL',
    );
  });
});
