import { open } from 'node:fs/promises';
import { type BandwidthGate, MAX_GRANT } from './bandwidth-gate.ts';

// The gate grants no more at a time, so larger reads would only hold more memory.
const READ_SIZE = MAX_GRANT;

/**
 * Bytes [start, end) of a file, each one granted by the gate first. Ends early, without an
 * error, when the gate closes (rate off) or the file is shorter: the caller decides.
 *
 * Reads alternate between two buffers, the next read running while the caller sends the
 * last, so a chunk is only valid until the caller asks for the next (got and the archive
 * writer both finish with a chunk before they do). A read stream instead allocates a fresh
 * buffer per read: with 26 capped uploads those pile up until a full garbage collection, and
 * the engine's resident memory grows by tens of megabytes the allocator seldom gives back.
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
  const file = await open(filePath, 'r');
  const size = Math.min(READ_SIZE, end - start);
  let reading = Buffer.allocUnsafe(size);
  let spare = Buffer.allocUnsafe(size);
  const readInto = async (buffer: Buffer, position: number) =>
    position < end
      ? (await file.read(buffer, 0, Math.min(size, end - position), position)).bytesRead
      : 0;
  let position = start;
  let next = readInto(reading, position);
  try {
    for (;;) {
      const bytesRead = await next;
      if (bytesRead === 0) return;
      const filled = reading;
      [reading, spare] = [spare, reading];
      position += bytesRead;
      next = readInto(reading, position);
      for (let at = 0; at < bytesRead; ) {
        const grant = await gate.acquire(bytesRead - at, signal);
        if (grant === 0) return;
        signal.throwIfAborted();
        yield filled.subarray(at, at + grant);
        onSent(grant);
        at += grant;
      }
    }
  } finally {
    await next.catch(() => 0);
    await file.close();
  }
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
