import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Config } from '../../../config/schema.ts';
import type { EventLog } from '../../events/event-log.ts';
import type { UploadQueue } from '../upload-queue.ts';
import { applyAfterUpload } from './after-upload.ts';

export type SyncFolderConfig = Config['syncFolders'][number];

/** How long a file must stay the same size before it is queued. */
const DEFAULT_STABLE_MS = 2000;

/**
 * Queues every file in a watched folder that the include globs take and the exclude globs do
 * not, once it stopped growing; the queue skips files it already has.
 */
export class SyncFolderSource {
  readonly #folder: SyncFolderConfig;
  readonly #queue: UploadQueue;
  readonly #events: EventLog;
  readonly #stableMs: number;
  readonly #verifiesHash: (destinationId: string) => boolean;
  #watcher: FSWatcher | undefined;
  #stopAfterUpload: (() => Promise<void>) | undefined;

  constructor(options: {
    folder: SyncFolderConfig;
    queue: UploadQueue;
    events: EventLog;
    /** Whether a destination confirms the SHA-256, which moving or deleting a source needs. */
    verifiesHash: (destinationId: string) => boolean;
    stableMs?: number;
  }) {
    this.#folder = options.folder;
    this.#queue = options.queue;
    this.#events = options.events;
    this.#stableMs = options.stableMs ?? DEFAULT_STABLE_MS;
    this.#verifiesHash = options.verifiesHash;
  }

  /** Resolves once the folder's current files have been seen. */
  async start(): Promise<void> {
    const folder = this.#folder;
    const root = path.resolve(folder.path);
    const doneFolder =
      folder.afterUpload.policy === 'move' ? path.resolve(folder.afterUpload.doneFolder) : null;
    this.#stopAfterUpload = applyAfterUpload({
      queue: this.#queue,
      events: this.#events,
      policy: folder.afterUpload,
      owns: (job) => job.sourceKind === 'sync' && job.sourceId === folder.id,
      root,
      verifiesHash: this.#verifiesHash,
    });
    const watcher = watch(root, {
      awaitWriteFinish: { stabilityThreshold: this.#stableMs, pollInterval: 100 },
      // A done folder inside the watched one must not be uploaded again.
      ignored: (file) => doneFolder !== null && isInside(path.resolve(file), doneFolder),
    });
    this.#watcher = watcher;
    const queueFile = (file: string): void => {
      const relative = path.relative(root, file).split(path.sep).join('/');
      if (!folder.include.some((glob) => path.matchesGlob(relative, glob))) return;
      if (folder.exclude.some((glob) => path.matchesGlob(relative, glob))) return;
      try {
        this.#queue.enqueue({
          sourceKind: 'sync',
          sourceId: folder.id,
          path: file,
          destinationId: folder.destination,
          caseChoice: folder.case ?? 'none',
          metadata: { syncFolder: folder.name, relativePath: relative },
        });
      } catch (err) {
        this.#warn(`could not queue ${file}: ${(err as Error).message}`);
      }
    };
    watcher.on('add', queueFile);
    watcher.on('change', queueFile);
    watcher.on('error', (err) => this.#warn(`watching ${root} failed: ${(err as Error).message}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.#watcher?.close();
    await this.#stopAfterUpload?.();
  }

  #warn(message: string): void {
    this.#events.append({
      level: 'warn',
      kind: 'upload.source_error',
      subject: this.#folder.id,
      message,
    });
  }
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
