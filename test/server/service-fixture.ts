import { ServiceRestClient } from '../../src/engine/service/rest-client.ts';
import type { Principal } from '../../src/protocol/service.ts';
import { createAccount } from '../../src/server/keys.ts';
import type { NewPrincipal } from '../../src/server/repository.ts';
import { createServer, type RunningServer, type ServerOptions } from '../../src/server/server.ts';
import { tempDir } from '../helpers/cli.ts';

export type Account = { principal: Principal; key: string; client: ServiceRestClient };

export type RawResponse = { status: number; body: unknown };

/** A real service on a loopback port over a fresh data directory, with one account per role. */
export async function startService(options: Partial<ServerOptions> = {}) {
  const dir = tempDir('custody-service-');
  const server: RunningServer = await createServer({ dataDir: dir.path, port: 0, ...options });
  const account = (input: NewPrincipal): Account => {
    const { principal, key } = createAccount(server.repository, input);
    // Pinned to the service's certificate when it serves TLS (test certificates are self-signed).
    const client = new ServiceRestClient({
      url: server.url,
      apiKey: key,
      caFingerprint: server.caFingerprint,
    });
    return { principal, key, client };
  };
  const accounts = {
    admin: account({ kind: 'user', name: 'Ada Admin', role: 'admin' }),
    investigator: account({ kind: 'user', name: 'Ivy Investigator', role: 'investigator' }),
    supervisor: account({ kind: 'user', name: 'Sam Supervisor', role: 'supervisor' }),
    system: account({ kind: 'system', name: 'Station 1', role: null }),
  };

  /** Plain fetch, for asserting exact statuses and error bodies. */
  async function call(
    key: string | undefined,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<RawResponse> {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  return {
    dir,
    server,
    url: server.url,
    ...accounts,
    account,
    call,
    async close() {
      await server.close();
      dir.remove();
    },
  };
}

export type Service = Awaited<ReturnType<typeof startService>>;

/** A case the investigator manages, with cameras cam-1 and cam-2 registered by the system. */
export async function caseWithCameras(service: Service) {
  const found = await service.investigator.client.createCase({ name: 'Burglary 12 Elm St' });
  await service.system.client.putCameras({
    cameras: [
      { id: 'cam-1', name: 'Front door', location: 'Lobby', status: 'recording' },
      { id: 'cam-2', name: 'Car park', status: 'online' },
    ],
  });
  return found;
}

export const window = { from: '2026-11-24T08:00:00Z', to: '2026-11-24T08:15:00Z' };
