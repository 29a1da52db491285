import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceConnection } from '../../../src/engine/service/connection.ts';
import type { ServiceStatus, VideoRequest } from '../../../src/protocol/service.ts';
import {
  caseWithCameras,
  type Service,
  startService,
  window,
} from '../../server/service-fixture.ts';

function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('service connection (ws push + catch-up)', () => {
  let service: Service;
  const connections: ServiceConnection[] = [];

  beforeEach(async () => {
    service = await startService();
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) await connection.stop();
    await service.close();
  });

  function connect(cursor = 0) {
    const connection = new ServiceConnection({
      integration: { url: service.url, apiKey: service.system.key },
      cursor,
      backoff: { baseMs: 20, maxMs: 100 },
    });
    connections.push(connection);
    const received: VideoRequest[] = [];
    const statuses: ServiceStatus[] = [];
    connection.on('request', (request) => received.push(request));
    connection.subscribe((status) => statuses.push(status));
    connection.start();
    return { connection, received, statuses };
  }

  it('is not configured without an integration', () => {
    const connection = new ServiceConnection({});
    connection.start();
    expect(connection.status.state).toBe('not-configured');
  });

  it('carries a request round trip: create → push → held → approve → investigator sees it', async () => {
    const found = await caseWithCameras(service);
    const { connection, received, statuses } = connect();
    await waitFor(() => (connection.status.state === 'ready' ? true : undefined));
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'ready']);

    const created = await service.investigator.client.createRequest({
      systemId: service.system.principal.id,
      cameras: ['cam-1', 'cam-2'],
      ...window,
      caseId: found.id,
      reason: 'Break-in reported at 08:05',
    });
    const pushed = await waitFor(() => received.find((r) => r.id === created.id));
    expect(pushed).toMatchObject({
      state: 'received',
      cameras: ['cam-1', 'cam-2'],
      caseId: found.id,
    });

    const system = service.system.client;
    await system.reportState(created.id, { state: 'exporting' });
    await system.reportState(created.id, { state: 'held' });
    const approved = await system.decide(created.id, { decision: 'approve' });
    expect(approved.decision?.by).toMatchObject({
      id: service.system.principal.id,
      kind: 'system',
    });

    const seen = await service.investigator.client.getRequest(created.id);
    expect(seen.state).toBe('approved');
    expect(seen.decision).toMatchObject({ decision: 'approve', by: { name: 'Station 1' } });
    // The system's own changes come back on the feed too, once each, in cursor order.
    await waitFor(() => (received.at(-1)?.state === 'approved' ? true : undefined));
    expect(received.map((r) => r.state)).toEqual(['received', 'exporting', 'held', 'approved']);
    expect(connection.cursor).toBe(approved.cursor);
  });

  it('pushes a supervisor decision to the system', async () => {
    const found = await caseWithCameras(service);
    const { connection, received } = connect();
    await waitFor(() => (connection.status.state === 'ready' ? true : undefined));
    const created = await service.investigator.client.createRequest({
      systemId: service.system.principal.id,
      cameras: ['cam-1'],
      ...window,
      caseId: found.id,
      reason: 'Witness statement',
    });
    await service.supervisor.client.decide(created.id, {
      decision: 'deny',
      reason: 'No legal basis',
    });
    const denied = await waitFor(() => received.find((r) => r.state === 'denied'));
    expect(denied.decision).toMatchObject({
      reason: 'No legal basis',
      by: { name: 'Sam Supervisor' },
    });
  });

  it('catches up after being offline: nothing missed, nothing twice', async () => {
    const found = await caseWithCameras(service);
    const create = (reason: string) =>
      service.investigator.client.createRequest({
        systemId: service.system.principal.id,
        cameras: ['cam-1'],
        ...window,
        caseId: found.id,
        reason,
      });
    const first = connect();
    await waitFor(() => (first.connection.status.state === 'ready' ? true : undefined));
    const seenOnline = await create('while online');
    await waitFor(() => first.received.find((r) => r.id === seenOnline.id));
    const cursor = first.connection.cursor;
    await first.connection.stop();

    // Offline: three new requests, and a decision on the one already seen.
    const missed = [
      await create('offline 1'),
      await create('offline 2'),
      await create('offline 3'),
    ];
    await service.supervisor.client.decide(seenOnline.id, { decision: 'approve' });

    const second = connect(cursor);
    await waitFor(() => (second.connection.status.state === 'ready' ? true : undefined));
    const live = await create('after reconnect');
    await waitFor(() => second.received.find((r) => r.id === live.id));

    expect(second.received.map((r) => [r.reason, r.state])).toEqual([
      ['offline 1', 'received'],
      ['offline 2', 'received'],
      ['offline 3', 'received'],
      ['while online', 'approved'],
      ['after reconnect', 'received'],
    ]);
    const cursors = second.received.map((r) => r.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(missed.every((m) => second.received.some((r) => r.id === m.id))).toBe(true);
  });

  it('goes offline with the reason when the service stops, and reconnects when it returns', async () => {
    const { connection, statuses } = connect();
    await waitFor(() => (connection.status.state === 'ready' ? true : undefined));
    const port = service.server.port;
    await service.server.close();
    const offline = await waitFor(() => statuses.find((s) => s.state === 'offline'));
    expect(offline.reason).toBeTruthy();

    const { createServer } = await import('../../../src/server/server.ts');
    const again = await createServer({ dataDir: service.dir.path, port });
    try {
      await waitFor(() => (connection.status.state === 'ready' ? true : undefined));
    } finally {
      await connection.stop();
      await again.close();
    }
    // The fixture's close() must not close the first server twice.
    service.server.close = async () => {};
  });

  it('reports a revoked key as offline with the reason', async () => {
    service.server.repository.revokeKeys(service.system.principal.id);
    const { statuses } = connect();
    const offline = await waitFor(() => statuses.find((s) => s.state === 'offline'));
    expect(offline.reason).toContain('401');
  });
});
