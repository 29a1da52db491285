import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type Config, syncFolderListSchema } from '../../config/schema.ts';
import { type EntryChange, entryChanges } from '../../core/entry-changes.ts';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { parseRate } from '../../core/format.ts';
import { parseSchedule, type Schedule } from '../../core/schedule.ts';
import { runningStates, uploadStates } from '../../core/upload-state.ts';
import type { CaseChoice } from '../../protocol/control.ts';
import type { Device, UploadRow, UploadsState } from '../../protocol/engine-state.ts';
import type { BufferStore } from '../crypto/buffer-store.ts';
import type { EventLog } from '../events/event-log.ts';
import type { Store } from '../store/database.ts';
import type { SettingsRepo } from '../store/settings-repo.ts';
import { ArchiveDestination } from './archive-destination.ts';
import { BandwidthGate } from './bandwidth-gate.ts';
import type { Destination } from './destination.ts';
import { JobRunner } from './job-runner.ts';
import { DefaultJobSources } from './job-source.ts';
import { RateControl } from './rate-control.ts';
import { type UploadFigures, UploadScheduler } from './scheduler.ts';
import { DockSource } from './sources/dock.ts';
import { queuePickedFiles } from './sources/picked-files.ts';
import { type SyncFolderConfig, SyncFolderSource } from './sources/sync-folder.ts';
import { TusDestination } from './tus-destination.ts';
import type { UploadJob } from './upload-job.ts';
import { UploadQueue } from './upload-queue.ts';

/** Rows the console gets: every unfinished job up to this many, then the latest finished. */
const ROW_LIMIT = 200;

const SETTING = {
  schedule: 'uploads.schedule',
  override: 'uploads.bandwidthOverride',
  concurrency: 'uploads.concurrency',
  syncFolders: 'uploads.syncFolders',
} as const;

export type JobTarget = { id: string } | { all: true };

export type AddedFile =
  | { path: string; ok: true; jobId: string; queued: boolean }
  | { path: string; ok: false; error: string };

/**
 * Everything upload: the queue, the one bandwidth gate and its schedule, the scheduler, the
 * destinations and the sources (docks, sync folders, picked files). Operator changes to the
 * schedule, the cap, the concurrency and the sync folders are kept in the store, so they
 * outlive a restart.
 */
export class UploadEngine {
  readonly queue: UploadQueue;
  readonly gate: BandwidthGate;
  readonly #config: Config;
  readonly #settings: SettingsRepo;
  readonly #events: EventLog;
  readonly #store: Store;
  readonly #rate: RateControl;
  readonly #scheduler: UploadScheduler;
  readonly #destinations = new Map<string, Destination>();
  readonly #docks: DockSource[];
  /** The watched ones, by folder id: the enabled folders once started. */
  readonly #syncSources = new Map<string, SyncFolderSource>();
  readonly #onChange: () => void;
  /** Every sync folder, switched off ones too. */
  #syncFolders: SyncFolderConfig[];
  /** Changes to the sync folders run one after another, so no folder is watched twice. */
  #syncChange: Promise<unknown> = Promise.resolve();
  /** Asked when a job is done: the service destination only arrives once linked. */
  readonly #verifiesHash = (id: string): boolean =>
    this.#destinations.get(id)?.verifiesHash === true;
  #scheduleEntries: string[];
  #override: number | null | undefined;
  #figures: UploadFigures = emptyFigures();
  #rows: UploadRow[] | null = null;
  #started = false;
  /** Settles once the files the docks and sync folders held at start have been seen. */
  scanned: Promise<void> = Promise.resolve();

  constructor(options: {
    store: Store;
    events: EventLog;
    settings: SettingsRepo;
    config: Config;
    /** Request clips are uploaded from here, decrypted on the way. */
    buffer: BufferStore;
    onChange: () => void;
    /** While true, queued jobs wait to start (see UploadScheduler). */
    holdNewJobs?: () => boolean;
    clock?: () => Date;
  }) {
    const { config, settings } = options;
    this.#config = config;
    this.#settings = settings;
    this.#events = options.events;
    this.#store = options.store;
    this.#onChange = options.onChange;
    this.queue = new UploadQueue(options.store, options.events);
    this.#scheduleEntries = settings.get(SETTING.schedule, z.array(z.string())) ?? [
      ...config.uploads.schedule,
    ];
    const stored = settings.get(
      SETTING.override,
      z.object({ bytesPerSecond: z.number().nullable() }),
    );
    this.#override = stored?.bytesPerSecond;
    this.gate = new BandwidthGate(0);
    this.#rate = new RateControl({
      gate: this.gate,
      schedule: parseEntries(this.#scheduleEntries),
      fallback: this.#fallback(),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    if (this.#override !== undefined) this.#rate.setOverride(this.#override);
    for (const destination of config.destinations) {
      // A "service" entry is the evidence service, which the engine adds once it is linked.
      if (destination.kind === 'service') continue;
      this.#destinations.set(
        destination.id,
        destination.kind === 'archive'
          ? new ArchiveDestination({ id: destination.id, path: destination.path })
          : new TusDestination({
              id: destination.id,
              endpoint: destination.url,
              ...(destination.headers ? { headers: () => destination.headers ?? {} } : {}),
            }),
      );
    }
    // Jobs sent to a tus URL given on the command line find their destination after a restart.
    for (const row of options.store.db
      .prepare(
        `SELECT DISTINCT destination_id FROM uploads WHERE state NOT IN ('done', 'cancelled')`,
      )
      .all()) {
      const id = String(row.destination_id);
      if (isUrl(id) && !this.#destinations.has(id)) this.#destinations.set(id, urlDestination(id));
    }
    this.#scheduler = new UploadScheduler({
      queue: this.queue,
      runner: new JobRunner({
        queue: this.queue,
        gate: this.gate,
        chunkSize: config.uploads.chunkSize,
        retry: config.uploads.retry,
        sources: new DefaultJobSources({ buffer: options.buffer }),
        // The docks are made below; the runner asks only once jobs run.
        unavailable: (job) => this.#docks.map((dock) => dock.unplugged(job)).find(Boolean),
      }),
      gate: this.gate,
      destinations: this.#destinations.values(),
      holdNewJobs: options.holdNewJobs,
      concurrency:
        settings.get(SETTING.concurrency, z.number().int().min(1).max(26)) ??
        config.uploads.concurrency,
    });
    this.#docks = config.docks
      .filter((dock) => dock.enabled)
      .map(
        (dock) =>
          new DockSource({
            dock,
            queue: this.queue,
            events: options.events,
            verifiesHash: this.#verifiesHash,
            onChange: () => this.#changed(),
          }),
      );
    // A kept list the config no longer allows (a destination removed since) is reported by
    // the settings repo and the config's list is used.
    this.#syncFolders =
      settings.get(SETTING.syncFolders, syncFolderListSchema(config))?.syncFolders ??
      config.syncFolders;
    this.queue.subscribe(() => this.#changed());
  }

  /** The schedule as the status bar evaluates it: the entries, then the cap everywhere else. */
  get schedule(): Schedule {
    return parseEntries([...this.#scheduleEntries, `* ${this.#config.uploads.bandwidth}`]);
  }

  get scheduleEntries(): string[] {
    return [...this.#scheduleEntries];
  }

  /**
   * Watches the sources and starts uploading. What the docks and sync folders already hold is
   * queued behind the caller (`scanned` settles then): ten thousand files take seconds, which
   * opening the engine, and the console's first panes, must not wait for.
   */
  start(): void {
    this.#started = true;
    this.#rate.start();
    this.#scheduler.start();
    for (const dock of this.#config.docks.filter((d) => d.enabled)) {
      mkdirSync(dock.root, { recursive: true });
    }
    const folders = this.#syncFolders.filter((folder) => folder.enabled);
    this.#makeFolders(folders);
    this.scanned = Promise.all([...this.#docks.map((dock) => dock.start()), this.#watch(folders)])
      .then(() => undefined)
      .catch((err: unknown) => {
        this.#events.append({
          level: 'error',
          kind: 'upload.source_error',
          subject: null,
          message: `scanning the docks and sync folders failed: ${(err as Error).message}`,
        });
      });
  }

  get syncFolders(): SyncFolderConfig[] {
    return [...this.#syncFolders];
  }

  /**
   * Replaces the sync folders with a checked list and keeps it: folders removed, switched off
   * or changed stop being watched, new and switched on ones start, the rest watch on. Files
   * already queued from a folder go on uploading.
   */
  setSyncFolders(folders: SyncFolderConfig[]): Promise<EntryChange[]> {
    const change = this.#syncChange.then(() => this.#applySyncFolders(folders));
    this.#syncChange = change.catch(() => undefined);
    return change;
  }

  async #applySyncFolders(folders: SyncFolderConfig[]): Promise<EntryChange[]> {
    const changes = entryChanges(this.#syncFolders, folders);
    const changed = new Set(changes.map((c) => c.id));
    const starting = folders.filter((folder) => folder.enabled && changed.has(folder.id));
    // Before anything stops: a folder that cannot be made refuses the list, nothing changed.
    if (this.#started) this.#makeFolders(starting, folders);
    await Promise.all(
      [...changed].map((id) => {
        const source = this.#syncSources.get(id);
        this.#syncSources.delete(id);
        return source?.close();
      }),
    );
    this.#syncFolders = folders;
    this.#settings.set(SETTING.syncFolders, { syncFolders: folders });
    if (this.#started) await this.#watch(starting);
    this.#changed();
    return changes;
  }

  /** `list` is where the folders stand, for naming the field of one that fails. */
  #makeFolders(folders: SyncFolderConfig[], list: SyncFolderConfig[] = this.#syncFolders): void {
    for (const folder of folders) {
      try {
        mkdirSync(folder.path, { recursive: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new CustodyError(
          `syncFolders[${list.indexOf(folder)}].path: cannot create ${folder.path} (${code})`,
          'choose a folder custody may create, or create it first',
          ExitCode.badInput,
        );
      }
    }
  }

  async #watch(folders: SyncFolderConfig[]): Promise<void> {
    await Promise.all(
      folders.map((folder) => {
        const source = new SyncFolderSource({
          folder,
          queue: this.queue,
          events: this.#events,
          verifiesHash: this.#verifiesHash,
        });
        this.#syncSources.set(folder.id, source);
        return source.start();
      }),
    );
  }

  /** The service destination arrives once the engine is linked to a service. */
  setDestination(destination: Destination): void {
    this.#destinations.set(destination.id, destination);
    this.#scheduler.setDestination(destination);
  }

  /**
   * Refreshes the live figures on the engine's tick; true when they moved: jobs run, or the last
   * one just stopped (its final rate would otherwise stay on screen until the next change).
   */
  refresh(): boolean {
    const before = this.#figures.totals.active;
    this.#figures = this.#scheduler.figures();
    this.#rows = null;
    return this.#figures.totals.active > 0 || before > 0;
  }

  state(): UploadsState {
    const rate = this.#rate.apply();
    const figures = this.#figures;
    const counts = Object.fromEntries(uploadStates.map((s) => [s, 0])) as UploadsState['counts'];
    let bytesLeft = 0;
    for (const row of this.#store.db
      .prepare(
        'SELECT state, count(*) AS n, sum(size - offset) AS left FROM uploads GROUP BY state',
      )
      .all()) {
      counts[row.state as keyof typeof counts] = Number(row.n);
      if (row.state !== 'done' && row.state !== 'cancelled') bytesLeft += Number(row.left ?? 0);
    }
    return {
      concurrency: this.#scheduler.concurrency,
      schedule: this.scheduleEntries,
      cap: rate.bytesPerSecond,
      capSource: rate.source === 'override' ? 'override' : 'schedule',
      rate: figures.totals.rate,
      counts,
      bytesLeft,
      etaMs:
        Number.isFinite(figures.totals.etaMs) && figures.totals.active > 0
          ? figures.totals.etaMs
          : null,
      jobs: this.#rowsNow(),
    };
  }

  devices(): Device[] {
    const left = new Map<string, { files: number; bytes: number }>();
    for (const row of this.#store.db
      .prepare(
        `SELECT source_id, count(*) AS n, sum(size - offset) AS left FROM uploads
         WHERE source_kind = 'dock' AND state NOT IN ('done', 'cancelled') GROUP BY source_id`,
      )
      .all()) {
      left.set(String(row.source_id), { files: Number(row.n), bytes: Number(row.left ?? 0) });
    }
    return this.#docks.flatMap((dock, index) => {
      const config = this.#config.docks.filter((d) => d.enabled)[index];
      return dock.cameras().map((camera) => {
        const pending = left.get(`${camera.dockId}/${camera.camera}`);
        return {
          dockId: camera.dockId,
          dock: config?.name ?? camera.dockId,
          camera: camera.camera,
          connectedAt: camera.connectedAt.toISOString(),
          files: pending?.files ?? 0,
          bytesLeft: pending?.bytes ?? 0,
        };
      });
    });
  }

  /** Files and folders (every file below them) into one case choice. */
  add(paths: readonly string[], caseChoice: CaseChoice, destination = 'service'): AddedFile[] {
    if (isUrl(destination)) this.#urlDestination(destination);
    else if (destination !== 'service' && !this.#destinations.has(destination)) {
      throw new CustodyError(
        `no upload destination "${destination}"`,
        `use "service", a destinations id from the config (${[...this.#destinations.keys()].join(', ') || 'none configured'}) or a tus URL`,
        ExitCode.badInput,
      );
    }
    const files = paths.flatMap((p) => expand(path.resolve(p)));
    return queuePickedFiles(this.queue, files, { destinationId: destination, caseChoice }).map(
      (result) =>
        result.ok
          ? { path: result.path, ok: true, jobId: result.job.id, queued: result.queued }
          : { path: result.path, ok: false, error: result.error },
    );
  }

  pause(target: JobTarget): number {
    if ('all' in target) return this.queue.pauseAll().length;
    return this.queue.pause(target.id) ? 1 : 0;
  }

  resume(target: JobTarget): number {
    if ('all' in target) return this.queue.resumeAll().length;
    return this.queue.resume(target.id) ? 1 : 0;
  }

  retry(target: JobTarget): number {
    if ('all' in target) return this.queue.retryAll().length;
    return this.queue.retry(target.id) ? 1 : 0;
  }

  cancel(target: JobTarget): number {
    const cancelled =
      'all' in target ? this.queue.cancelAll() : [this.queue.cancel(target.id) ?? []].flat();
    for (const job of cancelled) this.#discard(job);
    return cancelled.length;
  }

  /** A cancelled job's partial upload is dropped at the destination, in the background. */
  #discard(job: UploadJob): void {
    const destination = this.#destinations.get(job.destinationId);
    if (job.uploadUrl === null || !destination?.discard) return;
    destination.discard(job).catch((err: unknown) => {
      this.#events.append({
        level: 'warn',
        kind: 'upload.discard_failed',
        subject: job.id,
        message: `${path.basename(job.path)}: the partial upload could not be removed at ${job.destinationId} (${(err as Error).message}); the destination expires it`,
        data: { path: job.path, destination: job.destinationId },
      });
    });
  }

  moveToFront(id: string): void {
    this.queue.moveToFront(id);
    this.#changed();
  }

  /** null = unlimited, 0 = off, 'schedule' = back to the schedule. */
  setBandwidth(bytesPerSecond: number | null | 'schedule'): {
    bytesPerSecond: number | null;
    source: 'override' | 'schedule';
  } {
    this.#override = bytesPerSecond === 'schedule' ? undefined : bytesPerSecond;
    if (this.#override === undefined) this.#settings.delete(SETTING.override);
    else this.#settings.set(SETTING.override, { bytesPerSecond: this.#override });
    const rate = this.#rate.setOverride(this.#override);
    this.#changed();
    return {
      bytesPerSecond: rate.bytesPerSecond,
      source: rate.source === 'override' ? 'override' : 'schedule',
    };
  }

  /** Replaces the schedule after checking every entry; a bad entry changes nothing. */
  setSchedule(entries: readonly string[]): string[] {
    const cleaned = entries.map((e) => e.trim()).filter((e) => e !== '');
    const parsed = parseSchedule(cleaned);
    if (!parsed.ok) {
      const [first] = parsed.errors;
      throw new CustodyError(
        `schedule entry ${(first?.index ?? 0) + 1} "${first?.entry}": ${first?.message} (column ${first?.column})`,
        'write entries like "Mon-Fri 08:00-18:00 2M", "Sat-Sun off" or "* unlimited"',
        ExitCode.badInput,
      );
    }
    this.#scheduleEntries = cleaned;
    this.#settings.set(SETTING.schedule, cleaned);
    this.#rate.setSchedule(parsed.schedule, this.#fallback());
    this.#changed();
    return this.scheduleEntries;
  }

  setConcurrency(concurrency: number): number {
    this.#scheduler.setConcurrency(concurrency);
    this.#settings.set(SETTING.concurrency, concurrency);
    this.#changed();
    return concurrency;
  }

  /** Resolves once nothing runs and nothing startable waits. */
  whenIdle(): Promise<void> {
    return this.#scheduler.whenIdle();
  }

  async close(): Promise<void> {
    this.#rate.stop();
    await this.#syncChange;
    await Promise.all(
      [...this.#docks, ...this.#syncSources.values()].map((source) => source.close()),
    );
    if (this.#started) await this.#scheduler.stop();
  }

  #fallback(): number | null {
    const rate = parseRate(this.#config.uploads.bandwidth);
    // The loader validated the config's cap.
    return rate.ok ? rate.bytesPerSecond : null;
  }

  #changed(): void {
    this.#rows = null;
    this.#onChange();
  }

  #urlDestination(url: string): void {
    if (!this.#destinations.has(url)) this.setDestination(urlDestination(url));
  }

  #rowsNow(): UploadRow[] {
    if (this.#rows) return this.#rows;
    const ids = this.#store.db
      .prepare(
        `SELECT id FROM (SELECT id, 0 AS grp, priority, seq FROM uploads
           WHERE state NOT IN ('done', 'cancelled') ORDER BY priority DESC, seq LIMIT ${ROW_LIMIT})
         UNION ALL SELECT id FROM (SELECT id, 1 AS grp, 0 AS priority, seq FROM uploads
           WHERE state IN ('done', 'cancelled') ORDER BY seq DESC LIMIT ${ROW_LIMIT})`,
      )
      .all()
      .slice(0, ROW_LIMIT)
      .map((row) => String(row.id));
    const live = new Map(this.#figures.jobs.map((job) => [job.id, job]));
    this.#rows = ids.flatMap((id) => {
      const job = this.queue.get(id);
      if (!job) return [];
      // Live figures are sampled each second: a job that stopped since reads from the queue.
      return [toRow(job, runningStates.includes(job.state) ? live.get(id) : undefined)];
    });
    return this.#rows;
  }
}

function toRow(job: UploadJob, live: UploadFigures['jobs'][number] | undefined): UploadRow {
  return {
    id: job.id,
    name: path.basename(job.path),
    path: job.path,
    sourceKind: job.sourceKind,
    source: sourceLabel(job),
    case: caseLabel(job.caseChoice),
    destination: job.destinationId,
    size: job.size,
    bytes: live?.bytes ?? (job.state === 'done' ? job.size : job.offset),
    rate: live?.rate ?? 0,
    etaMs: live && Number.isFinite(live.etaMs) ? live.etaMs : null,
    state: job.state,
    error: job.error,
    pauseReason: job.pauseReason,
    priority: job.priority,
    updatedAt: job.updatedAt,
  };
}

function sourceLabel(job: UploadJob): string {
  if (job.sourceKind === 'picked') return 'picked';
  if (job.sourceKind === 'sync') return job.metadata.syncFolder ?? job.sourceId ?? 'sync';
  if (job.sourceKind === 'snapshot') return `snapshot ${job.metadata.cameraId ?? ''}`.trim();
  if (job.sourceKind === 'request') return `request ${job.metadata.cameraId ?? ''}`.trim();
  return job.sourceId ?? job.sourceKind;
}

export function caseLabel(choice: CaseChoice): string {
  if (choice === 'none') return 'none';
  return 'id' in choice ? choice.id : `new: ${choice.newCase}`;
}

function parseEntries(entries: readonly string[]): Schedule {
  const parsed = parseSchedule([...entries]);
  // Entries come from the validated config or from setSchedule, which checks them first.
  if (!parsed.ok)
    throw new Error(`schedule rejected after validation: ${parsed.errors[0]?.message}`);
  return parsed.schedule;
}

function urlDestination(url: string): TusDestination {
  return new TusDestination({ id: url, endpoint: url });
}

function isUrl(text: string): boolean {
  return /^https?:\/\//.test(text);
}

/** A folder stands for every file below it, in name order; anything else is queued as given. */
function expand(target: string): string[] {
  let entries: string[];
  try {
    if (!statSync(target).isDirectory()) return [target];
    entries = readdirSync(target).sort();
  } catch {
    return [target]; // the queue reports why it cannot take it
  }
  return entries.flatMap((name) => expand(path.join(target, name)));
}

function emptyFigures(): UploadFigures {
  return { jobs: [], totals: { active: 0, bytes: 0, size: 0, rate: 0, etaMs: 0 } };
}
