import { createReadStream } from 'node:fs';
import type { BandwidthGate } from './bandwidth-gate.ts';

const READ_SIZE = 256 * 1024;

/**
 * Bytes [start, end) of a file, each one granted by the gate first. Ends early, without an
 * error, when the gate closes (rate off) or the file is shorter: the caller decides.
 */
export async function* readThrottled(
  filePath: string,
  start: number,
  end: number,
  gate: BandwidthGate,
  signal: AbortSignal,
  onSent: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  const stream = createReadStream(filePath, {
    start,
    end: end - 1,
    highWaterMark: READ_SIZE,
    signal,
  });
  yield* throttled(stream, end - start, gate, signal, onSent);
}

/**
 * The first `length` bytes of `stream`, each granted by the gate first; the stream is destroyed
 * when the caller stops early. Same early-end rules as `readThrottled`.
 */
export async function* throttled(
  stream: AsyncIterable<Buffer> & { destroy(): void },
  length: number,
  gate: BandwidthGate,
  signal: AbortSignal,
  onSent: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  let left = length;
  try {
    for await (const piece of stream) {
      signal.throwIfAborted();
      const chunk = piece.length > left ? piece.subarray(0, left) : piece;
      let at = 0;
      while (at < chunk.length) {
        const grant = await gate.acquire(chunk.length - at, signal);
        if (grant === 0) return;
        yield chunk.subarray(at, at + grant);
        onSent(grant);
        at += grant;
      }
      left -= chunk.length;
      if (left <= 0) return;
    }
  } finally {
    stream.destroy();
  }
}
