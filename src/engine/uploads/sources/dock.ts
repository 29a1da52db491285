import { existsSync } from 'node:fs';
import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Config } from '../../../config/schema.ts';
import type { EventLog } from '../../events/event-log.ts';
import type { UploadJob } from '../upload-job.ts';
import type { UploadQueue } from '../upload-queue.ts';
import { applyAfterUpload } from './after-upload.ts';

export type DockConfig = Config['docks'][number];

export type DockedCamera = { dockId: string; camera: string; path: string; connectedAt: Date };

/** How long a file must stay the same size before it is queued. */
const DEFAULT_STABLE_MS = 2000;

const unpluggedReason = (camera: string) => `camera ${camera} was unplugged`;

/**
 * A body-worn camera dock: one subfolder of `root` per connected camera. A camera's files
 * queue once they stop growing; unplugging it pauses its jobs, plugging it back resumes them.
 */
export class DockSource {
  readonly #dock: DockConfig;
  readonly #root: string;
  readonly #queue: UploadQueue;
  readonly #events: EventLog;
  readonly #stableMs: number;
  readonly #verifiesHash: (destinationId: string) => boolean;
  readonly #onChange: (cameras: DockedCamera[]) => void;
  readonly #cameras = new Map<string, DockedCamera>();
  #watcher: FSWatcher | undefined;
  #stopAfterUpload: (() => Promise<void>) | undefined;

  constructor(options: {
    dock: DockConfig;
    queue: UploadQueue;
    events: EventLog;
    /** Whether a destination confirms the SHA-256, which moving or deleting a source needs. */
    verifiesHash: (destinationId: string) => boolean;
    stableMs?: number;
    /** Hears every plug and unplug, for Connected devices. */
    onChange?: (cameras: DockedCamera[]) => void;
  }) {
    this.#dock = options.dock;
    this.#root = path.resolve(options.dock.root);
    this.#queue = options.queue;
    this.#events = options.events;
    this.#stableMs = options.stableMs ?? DEFAULT_STABLE_MS;
    this.#verifiesHash = options.verifiesHash;
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** Connected cameras, by name. */
  cameras(): DockedCamera[] {
    return [...this.#cameras.values()].sort((a, b) => a.camera.localeCompare(b.camera));
  }

  /**
   * The unplug reason when `job` is one of this dock's and its camera's folder is gone now. The
   * runner asks when a job fails, since its file can vanish before the watcher tells.
   */
  unplugged(job: UploadJob): string | undefined {
    const camera = this.#cameraOf(job);
    if (camera === undefined || existsSync(path.join(this.#root, camera))) return undefined;
    return unpluggedReason(camera);
  }

  /** Resolves once the cameras docked now have been seen. */
  async start(): Promise<void> {
    const root = this.#root;
    this.#stopAfterUpload = applyAfterUpload({
      queue: this.#queue,
      events: this.#events,
      policy: this.#dock.afterUpload,
      owns: (job) => this.#cameraOf(job) !== undefined,
      root,
      verifiesHash: this.#verifiesHash,
    });
    const watcher = watch(root, {
      awaitWriteFinish: { stabilityThreshold: this.#stableMs, pollInterval: 100 },
    });
    this.#watcher = watcher;
    watcher.on('addDir', (dir) => {
      if (path.dirname(dir) === root) this.#plugged(path.basename(dir), dir);
    });
    watcher.on('unlinkDir', (dir) => {
      if (path.dirname(dir) === root) this.#unplugged(path.basename(dir));
    });
    watcher.on('add', (file) => {
      // Only files inside a camera's folder; stray files in the dock root are no camera's.
      const [camera, ...below] = path.relative(root, file).split(path.sep);
      if (camera !== undefined && below.length > 0) this.#queueFile(camera, file);
    });
    watcher.on('error', (err) => this.#warn(`watching ${root} failed: ${(err as Error).message}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.#watcher?.close();
    await this.#stopAfterUpload?.();
  }

  #ownedBy(camera: string): (job: UploadJob) => boolean {
    return (job) => this.#cameraOf(job) === camera;
  }

  /** The camera a job of this dock came from; undefined for any other job. */
  #cameraOf(job: UploadJob): string | undefined {
    const prefix = `${this.#dock.id}/`;
    if (job.sourceKind !== 'dock' || !job.sourceId?.startsWith(prefix)) return undefined;
    return job.sourceId.slice(prefix.length);
  }

  #plugged(camera: string, dir: string): void {
    this.#cameras.set(camera, {
      dockId: this.#dock.id,
      camera,
      path: dir,
      connectedAt: new Date(),
    });
    const owned = this.#ownedBy(camera);
    this.#queue.resumeAll((job) => owned(job) && job.pauseReason === unpluggedReason(camera));
    this.#onChange(this.cameras());
  }

  #unplugged(camera: string): void {
    this.#cameras.delete(camera);
    this.#queue.pauseAll(unpluggedReason(camera), this.#ownedBy(camera));
    this.#onChange(this.cameras());
  }

  #queueFile(camera: string, file: string): void {
    try {
      this.#queue.enqueue({
        sourceKind: 'dock',
        sourceId: `${this.#dock.id}/${camera}`,
        path: file,
        destinationId: this.#dock.destination,
        metadata: { dock: this.#dock.name, camera },
      });
    } catch (err) {
      this.#warn(`could not queue ${file}: ${(err as Error).message}`);
    }
  }

  #warn(message: string): void {
    this.#events.append({
      level: 'warn',
      kind: 'upload.source_error',
      subject: this.#dock.id,
      message,
    });
  }
}
