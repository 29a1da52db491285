// Export speed of a 5-minute clip in × real time (target ≥ 50×). The five minutes are made
// beforehand at full speed with the recorder's own encoder settings and indexed as if recorded
// live. Baseline: reading the same segment files with node, the I/O floor under any export.
// Then the same export straight into the encrypted request buffer against the plain export to
// a file (target ≥ 0.8×), alternating rounds so disk cache and noise treat both alike.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BufferStore } from '../src/engine/crypto/buffer-store.ts';
import { KeyStore } from '../src/engine/crypto/key-store.ts';
import { ClipExporter } from '../src/engine/video/clip-export.ts';
import { makeFootage } from '../test/helpers/footage.ts';
import { benchArchive, envNumber, ffmpegPath, percentile } from './video-bench-setup.ts';

const minutes = envNumber('CLIP_MINUTES', 5);
const seconds = Math.round(minutes * 60);
const archive = benchArchive();

try {
  let start = performance.now();
  const anchor = Date.now() - seconds * 1000;
  const footage = makeFootage(archive.recorder.segments, archive.dir, 'lobby', {
    seconds,
    anchorMs: anchor,
    segmentSeconds: 4,
    size: '640x360',
  });
  const totalBytes = footage.bytes;
  const makeMs = performance.now() - start;
  const range = { fromMs: anchor, toMs: anchor + seconds * 1000 };
  const exporter = new ClipExporter({ ffmpegPath, segments: archive.recorder.segments });
  const nullSink = () => new Writable({ write: (_chunk, _enc, done) => done() });

  start = performance.now();
  const info = await exporter.toWritable('lobby', range, nullSink());
  const streamMs = performance.now() - start;

  start = performance.now();
  await exporter.toFile('lobby', range, path.join(archive.dir, 'clip.ts'));
  const fileMs = performance.now() - start;

  start = performance.now();
  for (const segment of archive.recorder.segments.inRange('lobby', range)) {
    await pipeline(createReadStream(segment.path), nullSink());
  }
  const readMs = performance.now() - start;

  const speed = (ms: number) => `${(info.durationMs / ms).toFixed(0)}x real time`;
  console.log(
    `footage              ${minutes} min, ${info.segments} segments, ${(totalBytes / 1048576).toFixed(1)} MiB (made in ${(makeMs / 1000).toFixed(1)} s)`,
  );
  console.log(`export to a stream   ${streamMs.toFixed(0)} ms  (${speed(streamMs)}; target ≥ 50x)`);
  console.log(`export to a file     ${fileMs.toFixed(0)} ms  (${speed(fileMs)})`);
  console.log(`baseline plain read  ${readMs.toFixed(0)} ms  (${speed(readMs)})`);
  console.log(`stream vs baseline   ${(readMs / streamMs).toFixed(2)}x`);

  const buffer = new BufferStore({
    dir: path.join(archive.dir, 'buffer'),
    keys: new KeyStore(archive.store),
  });
  const rounds = envNumber('CLIP_ROUNDS', 5);
  const plain: number[] = [];
  const sealed: number[] = [];
  for (let round = 0; round < rounds; round++) {
    start = performance.now();
    await exporter.toFile('lobby', range, path.join(archive.dir, `plain-${round}.ts`));
    plain.push(performance.now() - start);
    start = performance.now();
    await buffer.write(`bench-${round}`, exporter.stream('lobby', range).stream);
    sealed.push(performance.now() - start);
  }
  const plainMs = percentile(plain, 50);
  const sealedMs = percentile(sealed, 50);
  console.log(
    `into the buffer      ${sealedMs.toFixed(0)} ms median of ${rounds}  (${speed(sealedMs)})`,
  );
  console.log(
    `plain file, same run ${plainMs.toFixed(0)} ms median of ${rounds}  (${speed(plainMs)})`,
  );
  console.log(`buffer vs plain      ${(plainMs / sealedMs).toFixed(2)}x  (target ≥ 0.8x)`);
} finally {
  await archive.close();
}
