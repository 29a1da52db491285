import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

// As fast as 1 MiB reads (1.19 s against 1.15 s for 1 GiB), at a quarter of the memory for each
// of the 26 docked cameras hashed at once.
const READ_SIZE = 256 * 1024;

/**
 * SHA-256 (lowercase hex) of a whole file. Reads into one buffer it reuses: 26 docked cameras
 * hashed at once through read streams would leave gigabytes of spent buffers for the garbage
 * collector, and the engine's memory would balloon with them.
 */
export async function sha256File(filePath: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  const file = await open(filePath, 'r');
  try {
    for (let position = 0; ; ) {
      signal?.throwIfAborted();
      const { bytesRead } = await file.read(buffer, 0, READ_SIZE, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
