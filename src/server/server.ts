import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import websocket from '@fastify/websocket';
import { FileStore } from '@tus/file-store';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authenticate } from './access.ts';
import { installErrorHandler } from './api-error.ts';
import type { EvidenceStore, ServiceContext } from './context.ts';
import { PushHub } from './push-hub.ts';
import type { Repository } from './repository.ts';
import { accountRoutes } from './routes/accounts.ts';
import { cameraRoutes } from './routes/cameras.ts';
import { caseRoutes } from './routes/cases.ts';
import { pushRoutes } from './routes/push.ts';
import { expireDueRequests, requestRoutes } from './routes/requests.ts';
import { SqliteRepository } from './sqlite-repository.ts';
import { createTusServer, uploadRoutes } from './uploads.ts';

const DAY_MS = 86_400_000;

export type ServerOptions = {
  /** Records in `<dataDir>/records`, evidence bytes in `<dataDir>/uploads`. */
  dataDir: string;
  /** Default 127.0.0.1: exposing the service is a deliberate choice. */
  host?: string;
  /** 0 (the default) picks a free port; read it back from `url`. */
  port?: number;
  /** PEM text of the certificate and its private key. */
  tls?: { cert: string; key: string };
  /** How long an undecided request waits for a decision; default 7 days. */
  requestExpiryMs?: number;
  /** How long an unfinished upload may sit before its partial bytes are removed; default 1 day. */
  uploadExpiryMs?: number;
  logger?: Logger;
  /** Seams for other back ends (PostgreSQL, @tus/s3-store) and for tests. */
  repository?: Repository;
  store?: EvidenceStore;
  now?: () => Date;
  /** How often open push sockets are checked for a revoked key; default 15 s. */
  pushSweepMs?: number;
};

export type RunningServer = {
  url: string;
  port: number;
  /** SHA-256 fingerprint of the TLS certificate, for integration files. */
  caFingerprint?: string;
  repository: Repository;
  app: FastifyInstance;
  close(): Promise<void>;
};

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const requestExpiryMs = options.requestExpiryMs ?? 7 * DAY_MS;
  const uploadExpiryMs = options.uploadExpiryMs ?? DAY_MS;
  const repo = options.repository ?? new SqliteRepository(options.dataDir, { now: options.now });
  const ctx: ServiceContext = {
    repo,
    hub: new PushHub({
      admits: (keyHash) => repo.principalByKeyHash(keyHash)?.active === true,
      ...(options.pushSweepMs ? { sweepMs: options.pushSweepMs } : {}),
    }),
    store:
      options.store ??
      new FileStore({
        directory: path.join(options.dataDir, 'uploads'),
        expirationPeriodInMilliseconds: uploadExpiryMs,
      }),
    requestExpiryMs,
    now: options.now ?? (() => new Date()),
  };

  // Typed as the plain HTTP instance: routes never touch the raw server, TLS or not.
  const app = Fastify({
    loggerInstance: options.logger,
    https: options.tls ? { cert: options.tls.cert, key: options.tls.key } : null,
    // Stopping must not wait for clients that hold keep-alive or upload connections open.
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  // Registered before the auth hook: its own onRequest hook marks upgrade requests so that a
  // refused upgrade's socket is destroyed; behind a throwing hook it would leak and stall close().
  await app.register(websocket);
  app.decorateRequest('principal');
  app.decorateRequest('keyHash', '');
  app.addHook('onRequest', async (request) => {
    const { principal, keyHash } = authenticate(repo, request.headers.authorization);
    request.principal = principal;
    request.keyHash = keyHash;
  });
  const tus = createTusServer(ctx);
  accountRoutes(app, ctx);
  caseRoutes(app, ctx);
  cameraRoutes(app, ctx);
  requestRoutes(app, ctx);
  pushRoutes(app, ctx);
  uploadRoutes(app, tus, ctx);

  const timers = [
    setInterval(
      () => {
        try {
          expireDueRequests(ctx);
        } catch (err) {
          // The next sweep tries again; a timer must never take the service down.
          app.log.error({ err }, 'request expiry sweep failed');
        }
      },
      clamp(requestExpiryMs / 10, 50, 60_000),
    ),
    setInterval(
      () => void tus.cleanUpExpiredUploads().catch(() => {}),
      clamp(uploadExpiryMs / 10, 1000, 3_600_000),
    ),
  ];
  for (const timer of timers) timer.unref();

  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (err) {
    for (const timer of timers) clearInterval(timer);
    if (!options.repository) repo.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    caFingerprint: options.tls ? new X509Certificate(options.tls.cert).fingerprint256 : undefined,
    repository: repo,
    app,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      ctx.hub.closeAll();
      await app.close();
      if (!options.repository) repo.close();
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
