// The push socket is authenticated once, as it opens; revoking its key or disabling its system
// (here from a second connection to the files, as the `custody server` CLI does) must end it,
// or a revoked workstation would go on hearing of every request addressed to it.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SqliteRepository } from '../../src/server/sqlite-repository.ts';
import { caseWithCameras, type Service, startService, window } from './service-fixture.ts';

let service: Service;
afterEach(async () => {
  await service.close();
});

type Socket = { messages: string[]; closed: Promise<{ code: number; reason: string }> };

async function openPush(key: string): Promise<Socket> {
  const socket = new WebSocket(`${service.url.replace(/^http/, 'ws')}/v1/push`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { messages, closed };
}

/** As `custody server revoke` or `user disable` would, from another process's connection. */
function elsewhere(change: (repo: SqliteRepository) => void): void {
  const other = new SqliteRepository(service.dir.path);
  change(other);
  other.close();
}

describe('push sockets and revocation', () => {
  it('closes the socket of a revoked key at the next push, sending it nothing', async () => {
    service = await startService();
    const found = await caseWithCameras(service);
    const push = await openPush(service.system.key);
    const ask = () =>
      service.investigator.client.createRequest({
        systemId: service.system.principal.id,
        cameras: ['cam-1'],
        ...window,
        caseId: found.id,
        reason: 'Break-in reported at 08:05',
      });
    const first = await ask();
    await expect.poll(() => push.messages.some((m) => m.includes(first.id))).toBe(true);

    elsewhere((repo) => repo.revokeKeys(service.system.principal.id));
    const second = await ask();
    expect(await push.closed).toEqual({ code: 1008, reason: 'key revoked or system disabled' });
    expect(push.messages.some((m) => m.includes(second.id))).toBe(false);
  });

  it('closes the socket of a disabled system on the sweep, with nothing pushed', async () => {
    service = await startService({ pushSweepMs: 100 });
    const push = await openPush(service.system.key);
    elsewhere((repo) => repo.setActive(service.system.principal.id, false));
    expect((await push.closed).code).toBe(1008);
    // And it cannot open another.
    await expect(openPush(service.system.key)).rejects.toThrow(/403/);
  });
});
