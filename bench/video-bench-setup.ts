// Shared by the video benches: a throwaway data dir with a store, an event log and the four
// demo cameras of config.example.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { EventLog } from '../src/engine/events/event-log.ts';
import { openStore } from '../src/engine/store/database.ts';
import { requireFfmpeg } from '../src/engine/video/ffmpeg-binary.ts';
import { Recorder } from '../src/engine/video/recorder.ts';

export const ffmpegPath = requireFfmpeg().path;

export function benchArchive() {
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-bench-video-'));
  const store = openStore(dir);
  const events = new EventLog(store);
  const { config } = loadConfig(path.join(import.meta.dirname, '..', 'config.example.json'));
  const recorder = new Recorder({
    store,
    events,
    archiveDir: path.join(dir, 'archive'),
    ffmpegPath,
    cameras: config.cameras,
  });
  return {
    dir,
    store,
    recorder,
    cameras: config.cameras,
    async close() {
      await recorder.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function until(check: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
