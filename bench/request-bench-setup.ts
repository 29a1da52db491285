// Shared by the request benches: a real Evidence service on loopback with a case and two
// cameras, five minutes of footage per camera made by ffmpeg and indexed as if recorded live,
// and the engine's request side (buffer, upload queue, RequestManager) over a fresh data dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BufferStore } from '../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../src/engine/crypto/key-store.ts';
import { EventLog } from '../src/engine/events/event-log.ts';
import { RequestManager } from '../src/engine/requests/request-manager.ts';
import { ServiceRestClient } from '../src/engine/service/rest-client.ts';
import { openStore } from '../src/engine/store/database.ts';
import { UploadQueue } from '../src/engine/uploads/upload-queue.ts';
import { ClipExporter } from '../src/engine/video/clip-export.ts';
import { SegmentRepo } from '../src/engine/video/segment-repo.ts';
import type { RequestView } from '../src/protocol/engine-state.ts';
import { createAccount } from '../src/server/keys.ts';
import { createServer } from '../src/server/server.ts';
import { makeFootage } from '../test/helpers/footage.ts';
import { envNumber, ffmpegPath } from './video-bench-setup.ts';

export const CAMERAS = [
  { id: 'cam-1', name: 'Front door', location: 'Lobby' },
  { id: 'cam-2', name: 'Car park', location: 'Yard' },
];

export { envNumber, ffmpegPath };

export async function requestBench() {
  const minutes = envNumber('REQUEST_MINUTES', 5);
  const seconds = Math.round(minutes * 60);
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-bench-request-'));
  const server = await createServer({ dataDir: path.join(dir, 'service'), port: 0 });
  const account = (input: Parameters<typeof createAccount>[1]) => {
    const { key } = createAccount(server.repository, input);
    return { key, client: new ServiceRestClient({ url: server.url, apiKey: key }) };
  };
  const investigator = account({ kind: 'user', name: 'Ivy Investigator', role: 'investigator' });
  const system = account({ kind: 'system', name: 'Station 1', role: null });
  const systemId = (await system.client.me()).id;
  const found = await investigator.client.createCase({ name: 'Bench case' });
  await system.client.putCameras({
    cameras: CAMERAS.map((c) => ({ ...c, status: 'recording' as const })),
  });

  const dataDir = path.join(dir, 'engine');
  const store = openStore(dataDir);
  const segments = new SegmentRepo(store);
  const anchorMs = Date.now() - seconds * 1000;
  let footageBytes = 0;
  for (const camera of CAMERAS) {
    const footage = { seconds, anchorMs, segmentSeconds: 4, size: '640x360' };
    footageBytes += makeFootage(segments, dataDir, camera.id, footage).bytes;
  }
  const events = new EventLog(store);
  const keys = new KeyStore(store);
  const buffer = new BufferStore({ dir: path.join(dataDir, 'buffer'), keys });
  const clips = new ClipExporter({ ffmpegPath, segments });
  const manager = new RequestManager({
    store,
    events,
    buffer,
    clips,
    queue: new UploadQueue(store, events),
    cameras: () => CAMERAS,
    rules: { defaultExpiry: '7d', maxRange: '24h', autoApprove: [] },
    service: {
      async report(id, state, reason) {
        await system.client.reportState(id, reason === undefined ? { state } : { state, reason });
      },
      decide: (id, decision, reason) =>
        system.client.decide(id, reason === undefined ? { decision } : { decision, reason }),
    },
  });
  manager.start();

  const range = { fromMs: anchorMs, toMs: anchorMs + seconds * 1000 };
  return {
    minutes,
    footageBytes,
    buffer,
    clips,
    manager,
    range,
    /** A new request for both cameras over the whole footage, as the service pushes it. */
    async newRequest() {
      return investigator.client.createRequest({
        systemId,
        cameras: CAMERAS.map((c) => c.id),
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        caseId: found.id,
        reason: 'bench',
      });
    },
    /** Resolves with the view once the request reaches `state`. */
    until(id: string, state: RequestView['state']): Promise<RequestView> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const view = manager.get(id);
          if (view?.state === state) {
            clearInterval(timer);
            resolve(view);
          } else if (view?.state === 'failed') {
            clearInterval(timer);
            reject(new Error(`request ${id} failed: ${view.failureReason}`));
          }
        };
        const timer = setInterval(check, 2);
      });
    },
    async close() {
      await manager.close();
      store.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
