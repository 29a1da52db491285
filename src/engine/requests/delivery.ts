import type { VideoRequest } from '../../protocol/service.ts';
import type { BufferStore } from '../crypto/buffer-store.ts';
import type { UploadJob } from '../uploads/upload-job.ts';
import type { UploadQueue } from '../uploads/upload-queue.ts';
import type { StoredClip } from './request-record.ts';

/** The evidence file name of a request clip. */
export function clipFileName(requestId: string, cameraId: string): string {
  return `${requestId}-${cameraId}.ts`;
}

/**
 * Queues one held clip for upload into the request's case, ahead of other uploads. Size and
 * SHA-256 are the ones taken while the clip was encrypted, so nothing is hashed again; the
 * queue returns the existing job when this clip was queued before (a restart between enqueue
 * and recording the job id), so a clip is never queued twice.
 */
export function enqueueDelivery(
  queue: UploadQueue,
  buffer: BufferStore,
  request: VideoRequest,
  clip: StoredClip,
  destinationId: string,
): UploadJob {
  if (clip.sha256 === null) throw new Error(`clip ${clip.fileId} has no hash; it is not held`);
  const metadata: Record<string, string> = {
    kind: 'clip',
    filename: clipFileName(request.id, clip.cameraId),
    cameraId: clip.cameraId,
    cameraName: clip.cameraName,
    from: request.from,
    to: request.to,
    requestId: request.id,
  };
  if (clip.cameraLocation !== '') metadata.cameraLocation = clip.cameraLocation;
  return queue.enqueue({
    sourceKind: 'request',
    sourceId: request.id,
    path: buffer.pathOf(clip.fileId),
    destinationId,
    caseChoice: { id: request.caseId },
    metadata,
    known: { size: clip.bytes, sha256: clip.sha256 },
    first: true,
  }).job;
}
