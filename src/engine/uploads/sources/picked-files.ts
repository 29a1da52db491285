import { CustodyError } from '../../../core/errors.ts';
import type { CaseChoice, UploadJob } from '../upload-job.ts';
import type { UploadQueue } from '../upload-queue.ts';

export type PickedResult =
  | { path: string; ok: true; job: UploadJob; queued: boolean }
  | { path: string; ok: false; error: string };

/**
 * Files the operator picked, filed into one case choice. Each path succeeds or fails on its
 * own, so one missing file does not lose the rest of the selection.
 */
export function queuePickedFiles(
  queue: UploadQueue,
  paths: readonly string[],
  options: { destinationId: string; caseChoice: CaseChoice },
): PickedResult[] {
  return paths.map((path) => {
    try {
      const { job, queued } = queue.enqueue({
        sourceKind: 'picked',
        path,
        destinationId: options.destinationId,
        caseChoice: options.caseChoice,
      });
      return { path, ok: true, job, queued };
    } catch (err) {
      if (!(err instanceof CustodyError)) throw err;
      return { path, ok: false, error: err.message };
    }
  });
}
