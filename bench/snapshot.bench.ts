// Snapshot latency, request to JPEG on disk, with the four demo cameras recording (target:
// p95 ≤ 300 ms). Baseline: the same ffmpeg extraction run directly on a finished segment, so
// the difference is what the exporter adds (privilege and status checks, choosing the segment,
// the live edge, reading back the size).
import path from 'node:path';
import { runFfmpeg } from '../src/engine/video/ffmpeg-process.ts';
import { SnapshotExporter, snapshotArgs } from '../src/engine/video/snapshot.ts';
import { benchArchive, envNumber, ffmpegPath, percentile, until } from './video-bench-setup.ts';

const count = envNumber('SNAPSHOT_COUNT', 40);
const archive = benchArchive();
const { recorder, cameras } = archive;
recorder.start();
try {
  await until(
    () => cameras.every((c) => recorder.segments.latest(c.id) !== undefined),
    'a finished segment from every camera',
  );
  const exporter = new SnapshotExporter({ ffmpegPath, recorder });
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const camera = cameras[i % cameras.length]?.id ?? '';
    const start = performance.now();
    await exporter.export({
      cameraId: camera,
      outPath: path.join(archive.dir, `snap-${i}.jpg`),
      privileges: ['export'],
    });
    latencies.push(performance.now() - start);
  }

  const segment = recorder.segments.latest(cameras[0]?.id ?? '');
  const direct: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await runFfmpeg(
      ffmpegPath,
      snapshotArgs(segment?.path ?? '', 2000, path.join(archive.dir, 'direct.jpg')),
      { what: 'baseline' },
    );
    direct.push(performance.now() - start);
  }

  const ms = (v: number) => `${v.toFixed(0)} ms`;
  console.log(`snapshots            ${count}, 4 demo cameras recording`);
  console.log(
    `snapshot p50 / p95   ${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 95))}  (target p95 ≤ 300 ms)`,
  );
  console.log(
    `baseline p50 / p95   ${ms(percentile(direct, 50))} / ${ms(percentile(direct, 95))}  (same ffmpeg command on a segment)`,
  );
  console.log(
    `p95 vs baseline      ${(percentile(latencies, 95) / percentile(direct, 95)).toFixed(2)}x`,
  );
} finally {
  await archive.close();
}
