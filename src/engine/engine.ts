import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { LoadedConfig } from '../config/load.ts';
import { checkLogging, type LogSettings } from '../config/logging.ts';
import { checkSyncFolders } from '../config/sync-folders.ts';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { evaluateSchedule, formatScheduleWindow } from '../core/schedule.ts';
import type { CommandInput, CommandName, CommandOutput } from '../protocol/control.ts';
import type { EngineState, ScheduleState, UploadsState } from '../protocol/engine-state.ts';
import type { Integration, ServiceStatus } from '../protocol/service.ts';
import { version } from '../version.ts';
import type { EngineApi } from './api.ts';
import { ChangeNotifier } from './change-notifier.ts';
import { type CommandHandlers, type ParsedInput, runCommand } from './commands.ts';
import { BufferStore } from './crypto/buffer-store.ts';
import { KeyStore } from './crypto/key-store.ts';
import { engineCommands } from './engine-commands.ts';
import { EventLog } from './events/event-log.ts';
import { type AppLogger, createLogger } from './events/logger.ts';
import { keepLogSettings, logSettingsOf } from './log-settings.ts';
import { RequestManager } from './requests/request-manager.ts';
import { ServiceConnection } from './service/connection.ts';
import type { EmbeddedService } from './service/embedded.ts';
import { readIntegrationFile } from './service/integration-file.ts';
import { ServiceRestClient } from './service/rest-client.ts';
import { openStore, type Store } from './store/database.ts';
import { acquireLock, type DataDirLock } from './store/lock.ts';
import { type SettingProblem, SettingsRepo } from './store/settings-repo.ts';
import { CaseResolver } from './uploads/case-resolver.ts';
import { ServiceDestination } from './uploads/service-destination.ts';
import { UploadEngine } from './uploads/upload-engine.ts';
import { ClipExporter } from './video/clip-export.ts';
import { describeFfmpegFailure, ffmpegFix, probeFfmpeg } from './video/ffmpeg-binary.ts';
import { Recorder } from './video/recorder.ts';
import { SnapshotExporter } from './video/snapshot.ts';
import { Thumbnails } from './video/thumbnails.ts';

export type EngineVideo = {
  snapshots: SnapshotExporter;
  clips: ClipExporter;
  thumbnails: Thumbnails;
};

export type EngineOptions = {
  loaded: LoadedConfig;
  dataDir: string;
  /** Recorded in the lock file so a refused second start can say who holds the data. */
  command: string;
  now?: () => Date;
  /**
   * An embedded service starts once this settles. The console passes "panes drawn": the
   * service's start (fastify, tus, its store: about 200 ms of one thread) then follows them.
   */
  startServiceAfter?: Promise<unknown>;
};

const SETTING_INTEGRATION = 'service.integrationFile';

const serviceStartFix =
  'a port in use: free it or set service.port in the config (0 picks a free one); a folder: check service.dataDir is writable; then restart';

type EmbeddedServiceConfig = Extract<LoadedConfig['config']['service'], { mode: 'embedded' }>;

/** As `setting`, not `key`: the logger masks fields named key, as it would an API key. */
function reportIgnoredSetting(log: AppLogger, problem: SettingProblem): void {
  log.logger.warn({ setting: problem.key, reason: problem.reason }, 'stored setting ignored');
}

/** Longest single wait for the next schedule boundary; re-checks guard against clock jumps. */
const scheduleRecheckMs = 60_000;

/**
 * The composition root: owns the data directory lock, the store, the event log and the
 * logger, and exposes the surface the console and `custody attach` use (DESIGN.md, Engine API).
 */
export class Engine implements EngineApi {
  readonly events: EventLog;
  readonly uploads: UploadEngine;
  private readonly settings: SettingsRepo;
  /** The encrypted request buffer: clips held for a decision. */
  private readonly buffer: BufferStore;
  /**
   * Where the engine writes, resolved once (the About pane reads them on every state), and
   * again for the log file when an admin moves it.
   */
  private paths: EngineState['paths'];
  private readonly notifier = new ChangeNotifier(100);
  private readonly handlers: CommandHandlers;
  private scheduleState: ScheduleState;
  private tick: NodeJS.Timeout | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private recorder: Recorder | null = null;
  /** Null without ffmpeg or cameras: snapshot and export commands say why. */
  video: EngineVideo | null = null;
  private embedded: EmbeddedService | null = null;
  private service: ServiceConnection | null = null;
  private serviceUrl: string | null = null;
  private requests: RequestManager | null = null;
  /** From linking a service until its first catch-up is through (or it cannot be reached). */
  private awaitingCatchUp = false;
  /** Settles once the embedded service is linked or has failed: commands needing it wait. */
  private linking: Promise<void> = Promise.resolve();
  private embeddedStarting = false;
  /** Why the embedded service could not start, shown as the link's state. */
  private serviceProblem: string | null = null;
  /** The service's REST client once a service is configured. */
  rest: ServiceRestClient | null = null;
  private cameraSync: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    private readonly options: EngineOptions & { now: () => Date },
    private readonly lock: DataDirLock,
    private readonly store: Store,
    private readonly log: AppLogger,
    private readonly startedAt: Date,
    private readonly ffmpeg: EngineState['ffmpeg'],
    /** The log settings the logger was opened with. */
    private logging: LogSettings,
  ) {
    this.events = new EventLog(store, { now: options.now });
    this.settings = new SettingsRepo(store, {
      onInvalid: (problem) => reportIgnoredSetting(log, problem),
    });
    this.paths = pathsOf(options, this.logging.file);
    this.buffer = new BufferStore({
      dir: this.paths.buffer,
      keys: new KeyStore(store),
    });
    this.uploads = new UploadEngine({
      store,
      events: this.events,
      settings: this.settings,
      config: options.loaded.config,
      buffer: this.buffer,
      onChange: () => this.notifier.changed(),
      // Footage a request asks for may be near the end of its retention; files waiting to
      // upload are not. So requests go first: the catch-up of what arrived while the engine
      // was down, and every export, before another upload starts.
      holdNewJobs: () => this.awaitingCatchUp || this.requests?.exporting === true,
      clock: options.now,
    });
    this.scheduleState = this.evaluateSchedule();
    this.handlers = engineCommands(this);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const now = options.now ?? (() => new Date());
    const lock = acquireLock(options.dataDir, { command: options.command });
    let store: Store | undefined;
    try {
      // Every page is read first only after an unclean stop, when damage is likely: on a year's
      // log that check alone would take most of the console's start.
      store = openStore(options.dataDir, { verify: lock.replaced !== null });
      // Those set in Settings count from the first line: the config's file may be the one
      // that could not be written. A bad stored value is reported once the log is open.
      const ignored: SettingProblem[] = [];
      const logging = logSettingsOf(
        options.loaded.config.logging,
        options.dataDir,
        new SettingsRepo(store, { onInvalid: (problem) => ignored.push(problem) }),
      );
      const log = await createLogger(logging);
      for (const problem of ignored) reportIgnoredSetting(log, problem);
      const probe = probeFfmpeg(options.loaded.config.ffmpegPath);
      const ffmpeg: EngineState['ffmpeg'] = probe.ok
        ? { ok: true, path: probe.path, source: probe.source, version: probe.version }
        : { ok: false, problem: describeFfmpegFailure(probe.tried), fix: ffmpegFix };
      const engine = new Engine({ ...options, now }, lock, store, log, now(), ffmpeg, logging);
      engine.start();
      try {
        engine.startService();
        engine.uploads.start();
      } catch (err) {
        await engine.close();
        throw err;
      }
      return engine;
    } catch (err) {
      store?.close();
      lock.release();
      throw err;
    }
  }

  private start(): void {
    const { config, file } = this.options.loaded;
    this.log.logger.info({ dataDir: this.options.dataDir, config: file }, 'engine started');
    this.events.append({
      level: 'info',
      kind: 'engine.started',
      subject: null,
      message: `engine started for ${config.workstation.name}`,
      data: { version, configFile: file, dataDir: this.options.dataDir, pid: process.pid },
    });
    if (!this.ffmpeg.ok) {
      this.events.append({
        level: 'warn',
        kind: 'video.ffmpeg-missing',
        subject: null,
        message: `no working ffmpeg: ${this.ffmpeg.problem}`,
        data: { fix: this.ffmpeg.fix },
      });
    }
    this.events.subscribe(() => this.notifier.changed());
    this.armScheduleTimer();
    this.startRecorder();
    // Live figures (rates, ETAs) move without any event: refresh them while uploads run.
    this.tick = setInterval(() => {
      if (this.uploads.refresh()) this.notifier.changed();
    }, 1000);
    this.tick.unref();
  }

  /** Without ffmpeg the cameras stay offline with the reason; everything else runs on. */
  private startRecorder(): void {
    const { cameras } = this.options.loaded.config;
    if (!this.ffmpeg.ok || cameras.length === 0) return;
    this.recorder = new Recorder({
      store: this.store,
      events: this.events,
      archiveDir: this.paths.archive,
      ffmpegPath: this.ffmpeg.path,
      ffmpegVersion: this.ffmpeg.version,
      cameras,
    });
    const ffmpegPath = this.ffmpeg.path;
    this.video = {
      snapshots: new SnapshotExporter({ ffmpegPath, recorder: this.recorder }),
      clips: new ClipExporter({ ffmpegPath, segments: this.recorder.segments }),
      thumbnails: new Thumbnails({ ffmpegPath, recorder: this.recorder }),
    };
    this.recorder.subscribe(() => {
      this.notifier.changed();
      this.scheduleCameraSync();
    });
    this.recorder.start();
  }

  /**
   * Remote: the integration file's service, linked now. Embedded: the reference service in this
   * process, started in the background so opening the engine does not wait for it; the link
   * shows Connecting meanwhile.
   */
  private startService(): void {
    const { service } = this.options.loaded.config;
    if (service.mode === 'embedded') {
      // Requests go first from the very start, not only once the service is up.
      this.awaitingCatchUp = true;
      this.embeddedStarting = true;
      this.linking = Promise.resolve(this.options.startServiceAfter)
        .then(() => this.startEmbedded(service))
        .catch((err: unknown) => this.embeddedFailed(err, service.port));
      return;
    }
    if (service.mode === 'remote') {
      this.link(readIntegrationFile(service.integrationFile));
      return;
    }
    // An integration file imported at the console stands in for a remote service.
    const imported = this.settings.get(SETTING_INTEGRATION, z.string());
    if (imported !== undefined) this.link(readIntegrationFile(imported));
  }

  private async startEmbedded(service: EmbeddedServiceConfig): Promise<void> {
    if (this.closed) return;
    const { workstation } = this.options.loaded.config;
    // The service's modules (fastify, tus) load only where it runs in this process.
    const { startEmbeddedService } = await import('./service/embedded.ts');
    const embedded = await startEmbeddedService({
      dataDir: service.dataDir ?? path.join(this.options.dataDir, 'service'),
      port: service.port,
      workstation: workstation.name,
      logger: this.log.logger,
    });
    this.embeddedStarting = false;
    this.embedded = embedded;
    if (this.closed) return;
    this.link(embedded.integration);
    this.notifier.changed();
  }

  /** The engine runs on without it: cameras record, uploads to other destinations go on. */
  private embeddedFailed(err: unknown, port: number): void {
    this.embeddedStarting = false;
    this.awaitingCatchUp = false;
    const problem = err instanceof Error ? err.message : String(err);
    this.serviceProblem = `the embedded service could not start: ${problem}`;
    this.log.logger.error({ err }, 'embedded service could not start');
    if (this.closed) return;
    this.events.append({
      level: 'error',
      kind: 'service.start_failed',
      subject: null,
      message: this.serviceProblem,
      data: {
        port,
        fix: serviceStartFix,
      },
    });
    this.notifier.changed();
  }

  /**
   * The service's client once linked (waiting for a link still being made); null when no
   * service is configured; an embedded service that could not start is named.
   */
  async serviceClient(): Promise<ServiceRestClient | null> {
    await this.linking;
    if (this.serviceProblem) {
      throw new CustodyError(this.serviceProblem, serviceStartFix, ExitCode.unreachable);
    }
    return this.rest;
  }

  /** Opens the link to a service: requests, the upload destination and the push socket. */
  private link(integration: Pick<Integration, 'url' | 'apiKey' | 'caFingerprint'>): void {
    const { workstation } = this.options.loaded.config;
    this.serviceUrl = integration.url;
    const rest = new ServiceRestClient(integration);
    this.rest = rest;
    // Before the link opens: the feed cursor comes from the requests already processed, and
    // exports interrupted by a stop are redone before anything else starts.
    this.requests = this.startRequests(rest);
    const connection = new ServiceConnection({ integration, cursor: this.requests.cursor });
    connection.on('request', (request) => this.requests?.receive(request));
    this.uploads.setDestination(
      new ServiceDestination({
        url: integration.url,
        apiKey: integration.apiKey,
        caFingerprint: integration.caFingerprint,
        rest,
        events: this.events,
        cases: new CaseResolver({ rest, settings: this.settings, workstation: workstation.name }),
      }),
    );
    this.awaitingCatchUp = true;
    connection.subscribe((status) => {
      if (status.state === 'ready' || status.state === 'offline') this.awaitingCatchUp = false;
      this.events.append({
        level: status.state === 'offline' ? 'warn' : 'info',
        kind: `service.${status.state.replace('-', '_')}`,
        subject: null,
        message: `service ${status.state}${status.reason ? `: ${status.reason}` : ''}`,
        data: { url: integration.url },
      });
      if (status.state === 'ready') this.scheduleCameraSync();
    });
    this.service = connection;
    connection.start();
  }

  private startRequests(rest: ServiceRestClient): RequestManager {
    const { config } = this.options.loaded;
    const requests = new RequestManager({
      store: this.store,
      events: this.events,
      buffer: this.buffer,
      clips: this.video?.clips ?? null,
      queue: this.uploads.queue,
      cameras: () => this.cameras(),
      rules: config.requests,
      service: {
        report: async (id, state, reason) => {
          await rest.reportState(id, { state, ...(reason ? { reason } : {}) });
        },
        decide: (id, decision, reason) =>
          rest.decide(id, { decision, ...(reason ? { reason } : {}) }),
      },
      now: this.options.now,
    });
    requests.subscribe(() => this.notifier.changed());
    requests.start();
    return requests;
  }

  /** Keeps the service's camera registry in step with the recorder, batched to one call. */
  private scheduleCameraSync(): void {
    // A camera changing state while close() awaits the link would arm it after close() cleared
    // it, and it would read the closed store.
    if (this.closed || this.cameraSync || this.service?.status.state !== 'ready') return;
    this.cameraSync = setTimeout(() => {
      this.cameraSync = null;
      const cameras = this.state().cameras.map(({ id, name, location, state }) => ({
        id,
        name,
        location,
        status: state === 'online-not-recording' ? ('online' as const) : state,
      }));
      this.rest?.putCameras({ cameras }).catch((err: unknown) => {
        this.log.logger.warn({ err }, 'camera registry update failed');
      });
    }, 500);
    this.cameraSync.unref();
  }

  state(): EngineState {
    const { config, file } = this.options.loaded;
    const uploads = this.uploads.state();
    return {
      version,
      workstation: config.workstation.name,
      startedAt: this.startedAt.toISOString(),
      configFile: file,
      dataDir: this.options.dataDir,
      paths: this.paths,
      connection: this.service
        ? connectionOf(this.service.status, uploads)
        : this.embeddedStarting
          ? { state: 'connecting', reason: 'starting the embedded service' }
          : this.serviceProblem
            ? { state: 'offline', reason: this.serviceProblem }
            : notConfigured,
      serviceUrl: this.serviceUrl,
      embeddedService: this.embedded !== null,
      logging: this.logging,
      schedule: this.scheduleState,
      ffmpeg: this.ffmpeg,
      cameras: config.cameras.map(({ id, name, location }) => {
        const status = this.recorder?.status(id);
        return {
          id,
          name,
          location,
          state: status?.state ?? 'offline',
          reason: status ? status.reason : this.ffmpeg.ok ? 'not started' : 'no working ffmpeg',
        };
      }),
      docks: config.docks.map(({ id, name, root }) => ({ id, name, root })),
      syncFolders: this.uploads.syncFolders,
      uploads,
      devices: this.uploads.devices(),
      requests: this.requests?.list() ?? [],
      operator: operatorOf(this.options.loaded),
    };
  }

  /** Listeners hear at most ten times a second; they read `state()` when called. */
  subscribe(listener: () => void): () => void {
    return this.notifier.subscribe(listener);
  }

  run<K extends CommandName>(command: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    return runCommand(this.handlers, command, input);
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  cameras(): Array<{ id: string; name: string; location: string }> {
    return this.options.loaded.config.cameras.map(({ id, name, location }) => ({
      id,
      name,
      location,
    }));
  }

  /**
   * Account set-up at the console: links a workstation whose config names no service to the
   * service of an integration file, now and at every start (the file is kept in the data dir).
   */
  async importIntegration(file: string, by: string): Promise<{ url: string; systemName: string }> {
    const { service } = this.options.loaded.config;
    if (this.service || service.mode !== 'none') {
      throw new CustodyError(
        `this workstation already uses ${this.serviceUrl ?? `the ${service.mode} service`}`,
        'to move it to another service, change "service" in the config file and restart',
        ExitCode.badInput,
      );
    }
    const integration = readIntegrationFile(path.resolve(file));
    const kept = path.join(this.options.dataDir, 'integration.json');
    writeFileSync(kept, `${JSON.stringify(integration, null, 2)}\n`, { mode: 0o600 });
    chmodSync(kept, 0o600);
    this.settings.set(SETTING_INTEGRATION, kept);
    this.link(integration);
    this.events.append({
      level: 'info',
      kind: 'service.imported',
      subject: integration.systemId,
      message: `linked to ${integration.url} as "${integration.systemName}" by ${by}`,
      data: { url: integration.url, systemId: integration.systemId, by },
    });
    this.notifier.changed();
    return { url: integration.url, systemName: integration.systemName };
  }

  /**
   * The application log, changed live and kept over the config's for every start. The logger
   * everything holds stays the same; only where it writes changes.
   */
  async setLogging(change: CommandInput<'settings.logging'>, by: string): Promise<LogSettings> {
    const { settings, changed } = checkLogging(this.logging, change, this.options.loaded);
    try {
      await this.log.reconfigure(settings);
    } catch (err) {
      // The file is the one setting the disk can still refuse.
      if (!(err instanceof CustodyError)) throw err;
      throw new CustodyError(`logging.file: ${err.what}`, err.fix, ExitCode.badInput, {
        cause: err,
      });
    }
    keepLogSettings(this.settings, changed);
    this.logging = settings;
    this.paths = { ...this.paths, logFile: settings.file };
    this.log.logger.info({ logging: settings, by }, 'log settings changed');
    const what = Object.entries(changed).map(([field, value]) => `${field} ${value}`);
    this.events.append({
      level: 'info',
      kind: 'logging.settings_set',
      subject: null,
      message: `log settings set by ${by}: ${what.join(', ') || 'no change'}`,
      data: { ...changed, by },
    });
    this.notifier.changed();
    return settings;
  }

  /**
   * The sync folders, set at the console: checked as the config's own list (relative paths
   * from its folder), kept, and applied live.
   */
  async setSyncFolders(folders: unknown, by: string): Promise<EngineState['syncFolders']> {
    const checked = checkSyncFolders(folders, this.options.loaded);
    const changes = await this.uploads.setSyncFolders(checked);
    this.events.append({
      level: 'info',
      kind: 'settings.sync_folders',
      subject: null,
      message: `sync folders set by ${by}: ${changes.map((c) => `${c.id} ${c.change}`).join(', ') || 'no change'}`,
      data: { changes, syncFolders: checked.map((folder) => folder.id), by },
    });
    return checked;
  }

  /** `custody request demo`: recent footage asked for as an investigator would, on the demo. */
  async demoRequest(input: ParsedInput<'demo.request'>): Promise<CommandOutput<'demo.request'>> {
    await this.serviceClient();
    const embedded = this.embedded;
    if (!embedded) {
      throw new CustodyError(
        `demo requests go through the embedded evidence service, and this engine ${this.serviceUrl ? `links to ${this.serviceUrl}` : 'has no service'}`,
        'run the demo config (`npm start`, service.mode "embedded"); on a real service an investigator asks with `custody request create`',
        ExitCode.badInput,
      );
    }
    const { demoRequest } = await import('./service/demo-investigator.ts');
    return demoRequest(embedded, this.options.loaded.config.cameras, input, this.options.now());
  }

  async approveRequest(id: string, by: string): Promise<{ state: string }> {
    const requests = await this.requestManager();
    const { state } = await requests.approve(id, by);
    return { state };
  }

  async denyRequest(id: string, reason: string, by: string): Promise<{ state: string }> {
    const requests = await this.requestManager();
    const { state } = await requests.deny(id, reason, by);
    return { state };
  }

  private async requestManager(): Promise<RequestManager> {
    await this.serviceClient();
    if (this.requests) return this.requests;
    throw new CustodyError(
      'video requests come from the evidence service, and service.mode is "none"',
      'import an integration file in Settings, or set service.mode in the config',
      ExitCode.unreachable,
    );
  }

  /** The operator this engine acts as (the config's `operator`). */
  get operator(): EngineState['operator'] {
    return operatorOf(this.options.loaded);
  }

  get ffmpegState(): EngineState['ffmpeg'] {
    return this.ffmpeg;
  }

  /** Re-reads the schedule after the operator changed it. */
  scheduleChanged(): void {
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.scheduleState = this.evaluateSchedule();
    this.armScheduleTimer();
    this.notifier.changed();
  }

  private evaluateSchedule(): ScheduleState {
    const now = this.options.now();
    const result = evaluateSchedule(this.uploads.schedule, now);
    return {
      bytesPerSecond: result.bytesPerSecond,
      entry: result.entry?.text ?? null,
      nextChange: result.nextChange?.toISOString() ?? null,
      nextBytesPerSecond: result.nextBytesPerSecond,
      summary: formatScheduleWindow(result, now),
    };
  }

  /** Wakes at the next boundary so the engine switches within a second of it. */
  private armScheduleTimer(): void {
    if (this.closed) return;
    const next = this.scheduleState.nextChange;
    const untilNext = next ? Date.parse(next) - this.options.now().getTime() : scheduleRecheckMs;
    const wait = Math.min(Math.max(untilNext, 0) + 5, scheduleRecheckMs);
    this.scheduleTimer = setTimeout(() => {
      const before = this.scheduleState;
      this.scheduleState = this.evaluateSchedule();
      if (before.bytesPerSecond !== this.scheduleState.bytesPerSecond) {
        this.events.append({
          level: 'info',
          kind: 'schedule.changed',
          subject: null,
          message: `schedule: ${this.scheduleState.summary}`,
          data: {
            bytesPerSecond: this.scheduleState.bytesPerSecond,
            entry: this.scheduleState.entry,
          },
        });
      }
      this.armScheduleTimer();
    }, wait);
    this.scheduleTimer.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // An embedded service still starting is closed with the rest, not left listening.
    await this.linking;
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    if (this.cameraSync) clearTimeout(this.cameraSync);
    if (this.tick) clearInterval(this.tick);
    await this.service?.stop();
    await this.requests?.close();
    await this.uploads.close();
    await this.embedded?.server.close();
    await this.recorder?.stop();
    this.events.append({
      level: 'info',
      kind: 'engine.stopped',
      subject: null,
      message: 'engine stopped',
      data: {},
    });
    this.notifier.close();
    this.log.logger.info('engine stopped');
    await this.log.close();
    this.store.close();
    this.lock.release();
  }
}

export function operatorOf(loaded: LoadedConfig): EngineState['operator'] {
  const { users, operator } = loaded.config;
  // The loader guarantees `operator` names an active user.
  const user = users.find((u) => u.name === operator) ?? users[0];
  if (!user) throw new Error('config has no users after validation');
  return { name: user.name, role: user.role, privileges: user.privileges };
}

const notConfigured: EngineState['connection'] = {
  state: 'not-configured',
  reason: 'no service yet: import an integration file in Settings (or set service in the config)',
};

function connectionOf(service: ServiceStatus, uploads: UploadsState): EngineState['connection'] {
  if (service.state === 'ready' && uploads.cap === 0) {
    return {
      state: 'paused-by-schedule',
      reason: uploads.capSource === 'override' ? 'bandwidth set to off' : 'the schedule says off',
    };
  }
  return { state: service.state, reason: service.reason ?? null };
}

/** The camera archive and the request buffer, from the config or the data dir. */
function pathsOf(options: EngineOptions, logFile: string): EngineState['paths'] {
  const { requests } = options.loaded.config;
  return {
    logFile,
    archive: path.resolve(options.dataDir, 'archive'),
    buffer: path.resolve(requests.bufferDir ?? path.join(options.dataDir, 'buffer')),
  };
}
