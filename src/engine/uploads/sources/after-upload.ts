import { copyFile, mkdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../../config/schema.ts';
import type { EventLog } from '../../events/event-log.ts';
import type { UploadJob } from '../upload-job.ts';
import type { UploadQueue } from '../upload-queue.ts';

export type AfterUpload = Config['docks'][number]['afterUpload'];

/**
 * Keeps, moves or deletes the sources of one dock or sync folder once their jobs are done:
 * `done` comes only after the destination confirmed the whole file, and a source is moved or
 * deleted only when that destination also confirmed its hash.
 * Returns the stop, which waits for moves and deletes under way.
 */
export function applyAfterUpload(options: {
  queue: UploadQueue;
  events: EventLog;
  policy: AfterUpload;
  /** Which jobs this source owns. */
  owns: (job: UploadJob) => boolean;
  /** Folder the source paths are relative to, kept below doneFolder. */
  root: string;
  /** Whether the destination with this id confirms the SHA-256 when it verifies a job. */
  verifiesHash: (destinationId: string) => boolean;
}): () => Promise<void> {
  const { queue, events, policy, owns, root, verifiesHash } = options;
  if (policy.policy === 'keep') return async () => undefined;
  const pending = new Set<Promise<unknown>>();
  const unsubscribe = queue.subscribe((job) => {
    if (job.state !== 'done' || !owns(job)) return;
    // The config refuses this pairing, but a job keeps the destination it was queued with,
    // so one queued before the config changed can still end at a plain tus endpoint.
    if (!verifiesHash(job.destinationId)) {
      keepUnverified(events, job, policy.policy);
      return;
    }
    const data = { path: job.path, sha256: job.sha256, case: job.caseChoice };
    const act =
      policy.policy === 'delete'
        ? unlink(job.path).then(() =>
            events.append({
              level: 'info',
              kind: 'upload.source_deleted',
              subject: job.id,
              message: `${path.basename(job.path)} deleted after upload`,
              data,
            }),
          )
        : moveInto(job.path, path.join(policy.doneFolder, path.relative(root, job.path))).then(
            (to) =>
              events.append({
                level: 'info',
                kind: 'upload.source_moved',
                subject: job.id,
                message: `${path.basename(job.path)} moved to ${to} after upload`,
                data: { ...data, to },
              }),
          );
    const settled = act
      .catch((err: unknown) =>
        events.append({
          level: 'warn',
          kind: 'upload.source_kept',
          subject: job.id,
          message: `${path.basename(job.path)} uploaded but could not be ${policy.policy === 'delete' ? 'deleted' : 'moved'}: ${(err as Error).message}`,
          data,
        }),
      )
      .finally(() => pending.delete(settled));
    pending.add(settled);
  });
  return async () => {
    unsubscribe();
    await Promise.all(pending);
  };
}

function keepUnverified(events: EventLog, job: UploadJob, policy: 'move' | 'delete'): void {
  events.append({
    level: 'warn',
    kind: 'upload.source_kept',
    subject: job.id,
    message: `${path.basename(job.path)} kept, not ${policy === 'delete' ? 'deleted' : 'moved'}: destination ${job.destinationId} confirmed its size but not its SHA-256 (send to the service or an archive destination to ${policy} sources after upload)`,
    data: { path: job.path, sha256: job.sha256, destination: job.destinationId },
  });
}

async function moveInto(from: string, to: string): Promise<string> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    // A done folder on another disk: copy, then remove the source.
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
  return to;
}
