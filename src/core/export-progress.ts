import type { RequestCameraView } from '../protocol/engine-state.ts';
import { formatBytes } from './format.ts';

export type ExportTotal = {
  /** Plaintext bytes in the buffer so far, all cameras with footage. */
  bytes: number;
  /** Expected sizes of the cameras still exporting, exact sizes of the ones held. */
  expectedBytes: number;
  fraction: number;
  /** Cameras whose export is through, of `cameras` that have footage to export. */
  done: number;
  cameras: number;
};

/**
 * A request's export over all its cameras, or undefined once none is pending or exporting.
 * Each camera's progress counts by its size, so a small camera that is done does not make
 * a large one still running look half finished.
 */
export function exportTotal(cameras: readonly RequestCameraView[]): ExportTotal | undefined {
  if (!cameras.some((c) => c.state === 'pending' || c.state === 'exporting')) return undefined;
  const counted = cameras.filter((c) => c.progress !== null);
  let bytes = 0;
  let expectedBytes = 0;
  let doneBytes = 0;
  for (const camera of counted) {
    const size = camera.expectedBytes ?? camera.bytes;
    bytes += camera.bytes;
    expectedBytes += size;
    doneBytes += (camera.progress ?? 0) * size;
  }
  return {
    bytes,
    expectedBytes,
    fraction: expectedBytes > 0 ? doneBytes / expectedBytes : 0,
    done: counted.filter((c) => c.progress === 1).length,
    cameras: counted.length,
  };
}

/** `12.0 MiB`, or `3.1 MiB of ~12.0 MiB` while the size is only expected. */
export function exportSize(bytes: number, expectedBytes: number | null): string {
  return expectedBytes === null
    ? formatBytes(bytes)
    : `${formatBytes(bytes)} of ~${formatBytes(expectedBytes)}`;
}
