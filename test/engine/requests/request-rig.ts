// The video request flow on real parts: the reference Evidence service on loopback, an archive
// made by ffmpeg and indexed as the recorder would, the encrypted buffer, and the real upload
// queue, runner and scheduler delivering over tus.
import path from 'node:path';
import { CustodyError, ExitCode } from '../../../src/core/errors.ts';
import { BufferStore, type BufferStoreOptions } from '../../../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../../../src/engine/crypto/key-store.ts';
import { EventLog } from '../../../src/engine/events/event-log.ts';
import { RequestManager } from '../../../src/engine/requests/request-manager.ts';
import type { RequestRules } from '../../../src/engine/requests/rules.ts';
import { ServiceConnection } from '../../../src/engine/service/connection.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import { SettingsRepo } from '../../../src/engine/store/settings-repo.ts';
import { BandwidthGate } from '../../../src/engine/uploads/bandwidth-gate.ts';
import { CaseResolver } from '../../../src/engine/uploads/case-resolver.ts';
import { JobRunner } from '../../../src/engine/uploads/job-runner.ts';
import { DefaultJobSources } from '../../../src/engine/uploads/job-source.ts';
import { UploadScheduler } from '../../../src/engine/uploads/scheduler.ts';
import { ServiceDestination } from '../../../src/engine/uploads/service-destination.ts';
import { UploadQueue } from '../../../src/engine/uploads/upload-queue.ts';
import { ClipExporter } from '../../../src/engine/video/clip-export.ts';
import { SegmentRepo } from '../../../src/engine/video/segment-repo.ts';
import type { ReportedState, VideoRequest } from '../../../src/protocol/service.ts';
import { tempDir } from '../../helpers/cli.ts';
import { type FootageOptions, makeFootage as makeSharedFootage } from '../../helpers/footage.ts';
import { ffmpegPath } from '../../helpers/video.ts';
import { type Service, startService } from '../../server/service-fixture.ts';

export const CAMERAS = [
  { id: 'cam-1', name: 'Front door', location: 'Lobby' },
  { id: 'cam-2', name: 'Car park', location: '' },
  { id: 'cam-3', name: 'Vault', location: 'Basement' },
];

export type Footage = { anchorMs: number; seconds: number };

/** 2-second segments per camera, ending where told; cam-1 and the others get different pictures. */
export function makeFootage(
  store: Store,
  dir: string,
  cameraId: string,
  options: Omit<FootageOptions, 'segmentSeconds'>,
): void {
  // Identical clips would be one evidence in the case.
  const pattern = options.pattern ?? (cameraId === 'cam-1' ? 'testsrc2' : 'testsrc');
  makeSharedFootage(new SegmentRepo(store), dir, cameraId, { ...options, pattern });
}

export function rules(overrides: Partial<RequestRules> = {}): RequestRules {
  return { defaultExpiry: '7d', maxRange: '24h', autoApprove: [], ...overrides };
}

export type EngineSide = {
  dataDir: string;
  store: Store;
  events: EventLog;
  keys: KeyStore;
  buffer: BufferStore;
  bufferDir: string;
  queue: UploadQueue;
  gate: BandwidthGate;
  scheduler: UploadScheduler;
  manager: RequestManager;
  connection: ServiceConnection;
  /** Stops everything in order and closes the store (the data directory stays). */
  stop(): Promise<void>;
};

export type EngineOptions = {
  rules?: RequestRules;
  rate?: number | null;
  chunkSize?: number;
  now?: () => Date;
  /** Feed requests over the real push + catch-up connection (default true). */
  connect?: boolean;
  /** As when ffmpeg is missing: no clip exporter. */
  noFfmpeg?: boolean;
  /** While `offline.now` is true, calls to the service fail as when it is unreachable. */
  offline?: { now: boolean };
  /** A buffer of the test's own, e.g. one that watches clips go in. */
  buffer?: (options: BufferStoreOptions) => BufferStore;
};

function unreachable(): CustodyError {
  return new CustodyError(
    'cannot reach the evidence service (ECONNREFUSED)',
    'check the URL and that the service is running, then try again',
    ExitCode.unreachable,
  );
}

/** The engine's request side over `dataDir`, wired as the engine wires it. */
export function engineSide(
  service: Service,
  dataDir: string,
  options: EngineOptions = {},
): EngineSide {
  const store = openStore(dataDir);
  const events = new EventLog(store);
  const keys = new KeyStore(store);
  const bufferDir = path.join(dataDir, 'buffer');
  const buffer = (options.buffer ?? ((o) => new BufferStore(o)))({ dir: bufferDir, keys });
  const queue = new UploadQueue(store, events);
  const gate = new BandwidthGate(options.rate ?? null);
  const runner = new JobRunner({
    queue,
    gate,
    chunkSize: options.chunkSize ?? 256 * 1024,
    retry: { maxAttempts: 5, baseMs: 20, maxMs: 200 },
    sources: new DefaultJobSources({ buffer }),
  });
  const scheduler = new UploadScheduler({
    queue,
    runner,
    gate,
    // The engine's own service destination: verified means the service filed the evidence.
    destinations: [
      new ServiceDestination({
        url: service.url,
        apiKey: service.system.key,
        rest: service.system.client,
        cases: new CaseResolver({
          rest: service.system.client,
          settings: new SettingsRepo(store),
          workstation: 'test station',
        }),
        events,
      }),
    ],
    concurrency: 4,
  });
  const { client } = service.system;
  const manager = new RequestManager({
    store,
    events,
    buffer,
    clips: options.noFfmpeg
      ? null
      : new ClipExporter({ ffmpegPath, segments: new SegmentRepo(store) }),
    queue,
    cameras: () => CAMERAS,
    rules: options.rules ?? rules(),
    service: {
      async report(id: string, state: ReportedState, reason?: string) {
        if (options.offline?.now) throw unreachable();
        await client.reportState(id, reason === undefined ? { state } : { state, reason });
      },
      async decide(id: string, decision: 'approve' | 'deny', reason?: string) {
        if (options.offline?.now) throw unreachable();
        return client.decide(id, reason === undefined ? { decision } : { decision, reason });
      },
    },
    ...(options.now ? { now: options.now } : {}),
  });
  const connection = new ServiceConnection({
    integration: { url: service.url, apiKey: service.system.key },
    cursor: manager.cursor,
    backoff: { baseMs: 50, maxMs: 200 },
  });
  connection.on('request', (request) => manager.receive(request));
  manager.start();
  scheduler.start();
  if (options.connect !== false) connection.start();
  return {
    dataDir,
    store,
    events,
    keys,
    buffer,
    bufferDir,
    queue,
    gate,
    scheduler,
    manager,
    connection,
    async stop() {
      await connection.stop();
      await scheduler.stop();
      await manager.close();
      store.close();
    },
  };
}

/** A service with a case and cam-1..3 registered by the system. */
export async function serviceWithCase(options: Parameters<typeof startService>[0] = {}) {
  const service = await startService(options);
  const found = await service.investigator.client.createCase({ name: 'Burglary 12 Elm St' });
  await service.system.client.putCameras({
    cameras: CAMERAS.map((c) => ({
      id: c.id,
      name: c.name,
      ...(c.location ? { location: c.location } : {}),
      status: 'recording' as const,
    })),
  });
  return { service, caseId: found.id };
}

export async function createRequest(
  service: Service,
  caseId: string,
  cameras: string[],
  fromMs: number,
  toMs: number,
): Promise<VideoRequest> {
  return service.investigator.client.createRequest({
    systemId: service.system.principal.id,
    cameras,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    caseId,
    reason: 'burglary at 08:05, suspect seen at the door',
  });
}

export { tempDir };
