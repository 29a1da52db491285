// The upload engine's parts wired together on a real store, as the engine does.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventLog } from '../../../src/engine/events/event-log.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import { BandwidthGate } from '../../../src/engine/uploads/bandwidth-gate.ts';
import type { Destination } from '../../../src/engine/uploads/destination.ts';
import {
  JobRunner,
  type JobRunnerOptions,
  type RetryPolicy,
} from '../../../src/engine/uploads/job-runner.ts';
import { UploadScheduler } from '../../../src/engine/uploads/scheduler.ts';
import { UploadQueue } from '../../../src/engine/uploads/upload-queue.ts';

export type Rig = {
  dir: string;
  store: Store;
  events: EventLog;
  queue: UploadQueue;
  gate: BandwidthGate;
  runner: JobRunner;
  scheduler: UploadScheduler;
  close: () => Promise<void>;
};

export type RigOptions = {
  dataDir?: string;
  destinations: Destination[];
  rate?: number | null;
  concurrency?: number;
  chunkSize?: number;
  retry?: Partial<RetryPolicy>;
  unavailable?: JobRunnerOptions['unavailable'];
};

export function makeRig(options: RigOptions): Rig {
  const dir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'custody-uploads-'));
  const store = openStore(dir);
  const events = new EventLog(store);
  const queue = new UploadQueue(store, events);
  const gate = new BandwidthGate(options.rate ?? null);
  const runner = new JobRunner({
    queue,
    gate,
    chunkSize: options.chunkSize ?? 256 * 1024,
    retry: { maxAttempts: 10, baseMs: 20, maxMs: 200, ...options.retry },
    unavailable: options.unavailable,
  });
  const scheduler = new UploadScheduler({
    queue,
    runner,
    gate,
    destinations: options.destinations,
    concurrency: options.concurrency ?? 4,
  });
  return {
    dir,
    store,
    events,
    queue,
    gate,
    runner,
    scheduler,
    close: async () => {
      await scheduler.stop();
      store.close();
    },
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `custody-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A file of random bytes (random so a resumed upload that skips or repeats bytes shows). */
export function randomFile(dir: string, name: string, size: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, randomBytes(size));
  return file;
}
