import { createHash } from 'node:crypto';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { canMoveTo, isUndecided, undecidedStates } from '../../core/request-state.ts';
import type { RequestView } from '../../protocol/engine-state.ts';
import type { EventLevel } from '../../protocol/events.ts';
import type { RequestState, VideoRequest } from '../../protocol/service.ts';
import { ChangeNotifier } from '../change-notifier.ts';
import type { BufferStore } from '../crypto/buffer-store.ts';
import { fileIdSchema } from '../crypto/file-id.ts';
import type { EventLog } from '../events/event-log.ts';
import type { Store } from '../store/database.ts';
import type { UploadJob } from '../uploads/upload-job.ts';
import type { UploadQueue } from '../uploads/upload-queue.ts';
import type { ClipExporter } from '../video/clip-export.ts';
import { enqueueDelivery } from './delivery.ts';
import { ExportQueue } from './export-queue.ts';
import { type ExportOutcome, exportClip } from './pre-export.ts';
import type { LocalDecision, PendingReport, StoredRequest } from './request-record.ts';
import { type NewClip, RequestRepo } from './request-repo.ts';
import { type LiveExport, requestView } from './request-view.ts';
import {
  describeRule,
  localExpiry,
  matchingRule,
  type RequestRules,
  rangeRefusal,
} from './rules.ts';
import { type RequestService, ServiceOutbox } from './service-outbox.ts';

/** Decided requests the inbox keeps showing, newest first, after every undecided one. */
const RECENT_DECIDED = 200;

export type RequestCamera = { id: string; name: string; location: string };

export type RequestManagerOptions = {
  store: Store;
  events: EventLog;
  buffer: BufferStore;
  /** null when ffmpeg is missing: exports fail with a clear reason. */
  clips: ClipExporter | null;
  /** Delivery jobs are queued here. */
  queue: UploadQueue;
  cameras: () => RequestCamera[];
  rules: RequestRules;
  service: RequestService;
  /** Upload destination of deliveries; default 'service'. */
  destinationId?: string;
  now?: () => Date;
};

/** How often held requests are checked against their expiry. */
const EXPIRY_CHECK_MS = 1_000;

/**
 * Video requests from receipt to delivery or destruction (DESIGN.md, Video request): each one
 * is exported into the encrypted buffer at once, held until a decision, then delivered into its
 * case or crypto-shredded. Everything it does is in the store first, so a restart picks up
 * where it stopped, and every step is an event carrying the request id.
 */
export class RequestManager {
  readonly #repo: RequestRepo;
  readonly #events: EventLog;
  readonly #buffer: BufferStore;
  readonly #clips: ClipExporter | null;
  readonly #queue: UploadQueue;
  readonly #cameras: () => RequestCamera[];
  readonly #rules: RequestRules;
  readonly #service: RequestService;
  readonly #outbox: ServiceOutbox;
  readonly #destinationId: string;
  readonly #now: () => Date;
  readonly #notifier = new ChangeNotifier();
  readonly #exports: ExportQueue;
  /** Exports in flight by buffer file id: the console's progress, never written to the store. */
  readonly #live = new Map<string, LiveExport>();
  #liveChanges = 0;
  /**
   * The inbox as last built, and the writes and export progress it was built from: the engine's
   * state asks for it up to ten times a second, mostly while only uploads move.
   */
  #inbox: { key: string; views: RequestView[] } | null = null;
  /** receive() calls, one after another, so a push and a catch-up of one change never interleave. */
  #work: Promise<void> = Promise.resolve();
  /** receive() calls not yet through: each may add an export. */
  #receiving = 0;
  /** Deliveries and shreds in flight, so whenIdle() and close() can wait for them. */
  readonly #tasks = new Set<Promise<unknown>>();
  #expiryTimer: NodeJS.Timeout | undefined;
  #unsubscribeQueue: (() => void) | undefined;
  /** Requests whose console decision is on its way to the service. */
  readonly #decidingIds = new Set<string>();
  #started = false;
  #closed = false;

  constructor(options: RequestManagerOptions) {
    this.#now = options.now ?? (() => new Date());
    this.#repo = new RequestRepo(options.store, this.#now);
    this.#events = options.events;
    this.#buffer = options.buffer;
    this.#clips = options.clips;
    this.#queue = options.queue;
    this.#cameras = options.cameras;
    this.#rules = options.rules;
    this.#service = options.service;
    this.#destinationId = options.destinationId ?? 'service';
    this.#exports = new ExportQueue((id, signal) =>
      this.#export(id, signal).catch((err: unknown) => {
        if (signal.aborted) return;
        this.#fail(id, `export failed: ${(err as Error).message}`);
      }),
    );
    this.#outbox = new ServiceOutbox(this.#repo, this.#events, {
      report: (id, state, reason) => this.#service.report(id, state, reason),
      // A decision the service took (an auto-approval sent late) comes back as the request.
      decide: async (id, decision, reason) => {
        const updated = await this.#service.decide(id, decision, reason);
        this.receive(updated);
        return updated;
      },
    });
  }

  /** Last feed cursor processed; catch-up after a reconnect starts after it. */
  get cursor(): number {
    return this.#repo.cursor;
  }

  /**
   * Resumes after a restart: unfinished exports are redone first, approved requests get their
   * delivery jobs, denied and expired ones are shredded, held ones past expiry expire.
   */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#unsubscribeQueue = this.#queue.subscribe((job) => {
      if (job.sourceKind === 'request') this.#track(this.#onJob(job));
    });
    // Unfinished exports: nothing of them is trusted, each is redone from the archive.
    const unfinished = this.#repo
      .list(['received', 'exporting', 'approved'])
      .filter((r) =>
        this.#repo.clips(r.id).some((c) => c.state === 'pending' || c.state === 'exporting'),
      );
    // Leftovers of interrupted writes go first, but only while no export writes (receive()
    // may have come first): the sweep would take its file.
    if (!this.#exports.busy) {
      this.#exports.holdUntil(
        this.#buffer.sweep().then(
          () => undefined,
          () => undefined,
        ),
      );
    }
    // Ahead of anything received from now on: these waited the longest.
    for (const request of [...unfinished].reverse()) this.#exports.add(request.id, { first: true });
    for (const request of this.#repo.list(['approved', 'delivering'])) {
      if (!unfinished.some((r) => r.id === request.id)) this.#track(this.#deliver(request.id));
    }
    for (const request of this.#repo.list(['denied', 'expired'])) {
      this.#track(this.#destroy(request.id));
    }
    for (const request of this.#repo.list(['delivered', 'failed', 'destroyed'])) {
      if (this.#repo.clips(request.id).some((c) => c.shreddedAt === null && c.sha256 !== null)) {
        this.#track(this.#shredAll(request.id, request.state === 'destroyed'));
      }
    }
    this.#checkExpiry();
    this.#expiryTimer = setInterval(() => this.#checkExpiry(), EXPIRY_CHECK_MS);
    this.#expiryTimer.unref();
    void this.#outbox.flush();
  }

  /** Every push and catch-up item; a change already seen (same id and cursor) is ignored. */
  receive(request: VideoRequest): void {
    if (this.#closed) return;
    this.#receiving += 1;
    this.#work = this.#work
      .then(() => this.#receive(request))
      .finally(() => {
        this.#receiving -= 1;
      })
      .catch((err: unknown) => {
        this.#events.append({
          level: 'error',
          kind: 'request.receive_failed',
          subject: request.id,
          message: `request ${request.id} could not be taken in: ${(err as Error).message}`,
          data: { requestId: request.id, caseId: request.caseId },
        });
      });
  }

  async approve(id: string, by: string): Promise<RequestView> {
    this.#undecided(id, 'approve');
    // Approval is what lets this system upload into the case, so the service must agree first.
    const updated = await this.#deciding(id, () =>
      this.#service.decide(id, 'approve', `approved at the console by ${by}`),
    );
    const decision: LocalDecision = {
      decision: 'approve',
      by,
      at: this.#now().toISOString(),
      reason: null,
    };
    this.#recordDecision(this.#must(id), decision, updated);
    await this.#deliverWhenReady(id);
    return this.#view(id);
  }

  async deny(id: string, reason: string, by: string): Promise<RequestView> {
    this.#undecided(id, 'deny');
    let updated: VideoRequest | undefined;
    try {
      updated = await this.#deciding(id, () => this.#service.decide(id, 'deny', reason));
    } catch (err) {
      if (err instanceof CustodyError && err.exitCode !== ExitCode.unreachable) throw err;
      // The operator's denial stands even offline: the footage goes now, the service hears later.
    }
    const decision: LocalDecision = { decision: 'deny', by, at: this.#now().toISOString(), reason };
    this.#recordDecision(this.#must(id), decision, updated);
    if (updated === undefined) {
      this.#repo.update(id, { pendingDecision: { decision: 'deny', reason } });
    }
    await this.#destroy(id);
    return this.#view(id);
  }

  /**
   * Runs the service call of a console decision. The service pushes the decided request back,
   * possibly before the call returns; meanwhile that echo must not record the decision as the
   * service's own, so it is held back and the console's decision (with the operator) recorded.
   */
  async #deciding<T>(id: string, call: () => Promise<T>): Promise<T> {
    this.#decidingIds.add(id);
    try {
      return await call();
    } finally {
      this.#decidingIds.delete(id);
    }
  }

  list(): RequestView[] {
    const key = `${this.#repo.writes}:${this.#liveChanges}`;
    if (this.#inbox?.key !== key) {
      const views = this.#repo
        .inbox(RECENT_DECIDED)
        .map((r) => requestView(r, this.#repo.clips(r.id), this.#live));
      this.#inbox = { key, views };
    }
    return this.#inbox.views;
  }

  get(id: string): RequestView | undefined {
    const stored = this.#repo.get(id);
    return stored ? requestView(stored, this.#repo.clips(id), this.#live) : undefined;
  }

  /** Batched: at most ten calls a second. */
  subscribe(listener: () => void): () => void {
    return this.#notifier.subscribe(listener);
  }

  /** True while footage is being taken in or exported into the buffer, or waits to be. */
  get exporting(): boolean {
    return this.#receiving > 0 || this.#exports.busy;
  }

  /** Resolves once nothing is being received, exported, delivered or shredded right now. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const work = this.#work;
      const loop = this.#exports.idle;
      const tasks = [...this.#tasks];
      await Promise.all([work, loop, ...tasks]);
      if (work === this.#work && !this.#exports.busy && this.#tasks.size === 0) return;
    }
  }

  /** Stops exports in flight (they are redone on the next start) and the timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#expiryTimer);
    this.#unsubscribeQueue?.();
    await Promise.allSettled([this.#work, this.#exports.close(), ...this.#tasks]);
    await this.#outbox.close();
    this.#notifier.close();
  }

  // Receiving

  async #receive(request: VideoRequest): Promise<void> {
    const existing = this.#repo.get(request.id);
    if (existing === undefined) this.#takeIn(request);
    else if (request.cursor > existing.cursor) await this.#apply(existing, request);
    this.#repo.advanceCursor(request.cursor);
    // The service just spoke: a good moment to tell it what is still pending.
    void this.#outbox.flush();
  }

  /** A request seen for the first time. */
  #takeIn(request: VideoRequest): void {
    const cameras = new Map(this.#cameras().map((c) => [c.id, c]));
    const refusal = isUndecided(request.state) ? rangeRefusal(request, this.#rules) : undefined;
    const clips: NewClip[] = request.cameras.map((cameraId) => {
      const camera = cameras.get(cameraId);
      return {
        cameraId,
        cameraName: camera?.name ?? cameraId,
        cameraLocation: camera?.location ?? '',
        fileId: clipFileId(request.id, cameraId),
        state: camera && refusal === undefined ? 'pending' : 'failed',
        error:
          refusal ??
          (camera
            ? null
            : `camera ${cameraId} is not configured on this system, so it has no footage to export`),
      };
    });
    const receivedAt = this.#now();
    const expiresAt = localExpiry(request, receivedAt, this.#rules);
    const data = this.#data(request);
    this.#repo.transaction(() => {
      this.#repo.insert(request, 'received', expiresAt, clips);
      this.#event(
        'info',
        'request.received',
        request.id,
        `request ${request.id} received from ${request.createdBy.name} for ${request.cameras.join(', ')}`,
        {
          ...data,
          requester: request.createdBy.name,
          cameras: request.cameras,
          from: request.from,
          to: request.to,
          reason: request.reason,
          expiresAt,
          remoteState: request.state,
        },
      );
      for (const clip of clips.filter((c) => c.state === 'failed' && refusal === undefined)) {
        this.#event('warn', 'request.camera_unknown', request.id, clip.error ?? '', {
          ...data,
          cameraId: clip.cameraId,
        });
      }
    });
    if (refusal !== undefined) {
      this.#fail(request.id, refusal);
      return;
    }
    if (isUndecided(request.state)) {
      this.#exports.add(request.id);
      const rule = matchingRule(request, this.#rules);
      if (rule !== undefined) {
        // Delivery still waits for the service to confirm: only then may this system upload.
        const by = describeRule(rule);
        this.#recordDecision(this.#must(request.id), {
          decision: 'approve',
          by,
          at: this.#now().toISOString(),
          reason: null,
        });
        this.#repo.update(request.id, {
          pendingDecision: { decision: 'approve', reason: `approved by the ${by} of this system` },
        });
      }
    } else if (request.state === 'approved' || request.state === 'delivering') {
      // Approved on the service before this engine saw it (it was down): export, then deliver.
      this.#recordDecision(this.#must(request.id), remoteDecision(request), request);
      this.#exports.add(request.id);
    } else if (request.state === 'denied' || request.state === 'expired') {
      this.#changeState(
        request.id,
        request.state,
        `request ${request.id} was ${request.state} before it could be exported`,
      );
      this.#track(this.#destroy(request.id));
    } else {
      // Already finished elsewhere (delivered, destroyed, failed): kept for the record only.
      this.#repo.update(request.id, { state: request.state, failureReason: request.failureReason });
    }
    this.#notifier.changed();
  }

  /** A newer version of a request already known: the service's decisions and expiry. */
  async #apply(stored: StoredRequest, request: VideoRequest): Promise<void> {
    this.#repo.update(stored.id, { request, cursor: request.cursor });
    // The echo of a console decision in flight: approve()/deny() record and act on it.
    if (this.#decidingIds.has(stored.id)) return;
    const local = stored.state;
    if (request.state === 'approved' || request.state === 'delivering') {
      if (isUndecided(local)) this.#recordDecision(stored, remoteDecision(request), request);
      await this.#deliverWhenReady(stored.id);
    } else if (request.state === 'denied') {
      if (isUndecided(local)) {
        this.#recordDecision(stored, remoteDecision(request), request);
        await this.#destroy(stored.id);
      } else if (local === 'approved' || local === 'delivering') {
        // Approved here (a rule) while someone denied it on the service first: theirs is final.
        const { by } = remoteDecision(request);
        this.#fail(
          stored.id,
          `denied on the service by ${by} before this system's approval arrived`,
        );
      }
    } else if (request.state === 'expired') {
      if (isUndecided(local)) await this.#expire(stored.id);
    }
    this.#notifier.changed();
  }

  #recordDecision(stored: StoredRequest, decision: LocalDecision, updated?: VideoRequest): void {
    const to: RequestState = decision.decision === 'approve' ? 'approved' : 'denied';
    this.#repo.transaction(() => {
      this.#repo.update(stored.id, {
        decision,
        ...(updated ? { request: updated, cursor: updated.cursor } : {}),
      });
      if (isUndecided(stored.state)) {
        this.#changeState(
          stored.id,
          to,
          `request ${stored.id} ${to} by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}`,
          { by: decision.by, decidedAt: decision.at, reason: decision.reason },
        );
      }
    });
    this.#notifier.changed();
  }

  #undecided(id: string, action: string): StoredRequest {
    const stored = this.#repo.get(id);
    if (!stored) {
      throw new CustodyError(
        `no video request ${id}`,
        'list the inbox to find its id',
        ExitCode.badInput,
      );
    }
    if (!isUndecided(stored.state)) {
      throw new CustodyError(
        `request ${id} is ${stored.state} and cannot be ${action === 'approve' ? 'approved' : 'denied'}`,
        'a decision is final; refresh the inbox',
        ExitCode.badInput,
      );
    }
    return stored;
  }

  // Export

  async #export(id: string, signal: AbortSignal): Promise<void> {
    const stored = this.#repo.get(id);
    if (!stored || !['received', 'exporting', 'approved'].includes(stored.state)) return;
    const { request } = stored;
    if (stored.state === 'received') {
      this.#changeState(id, 'exporting', `exporting request ${id} into the encrypted buffer`);
      this.#report(id, { state: 'exporting' });
    }
    const range = { fromMs: Date.parse(request.from), toMs: Date.parse(request.to) };
    const todo = this.#repo
      .clips(id)
      .filter((clip) => clip.state === 'pending' || clip.state === 'exporting');
    this.#notifier.changed();
    await Promise.all(
      todo.map(async (clip) => {
        this.#repo.updateClip(id, clip.cameraId, { state: 'exporting', error: null });
        let outcome: ExportOutcome;
        try {
          outcome = await exportClip(
            this.#clips,
            this.#buffer,
            { fileId: clip.fileId, cameraId: clip.cameraId, range },
            signal,
            (bytes, info) => {
              this.#live.set(clip.fileId, { bytes, info });
              this.#liveChanges++;
              // Coalesced to ten a second however fast the pieces come.
              this.#notifier.changed();
            },
          );
        } finally {
          this.#live.delete(clip.fileId);
          this.#liveChanges++;
        }
        const data = { ...this.#data(request), cameraId: clip.cameraId, fileId: clip.fileId };
        if (outcome.kind === 'held') {
          this.#repo.transaction(() => {
            this.#repo.updateClip(id, clip.cameraId, {
              state: 'held',
              bytes: outcome.bytes,
              sha256: outcome.sha256,
              gaps: outcome.gaps,
              startMs: outcome.startMs,
              endMs: outcome.endMs,
            });
            this.#event(
              outcome.gaps.length > 0 ? 'warn' : 'info',
              'request.clip_held',
              id,
              `camera ${clip.cameraId}: ${outcome.bytes} bytes held encrypted${outcome.gaps.length > 0 ? `, ${outcome.gaps.length} gap(s) without footage` : ''}`,
              {
                ...data,
                sha256: outcome.sha256,
                bytes: outcome.bytes,
                gaps: isoGaps(outcome.gaps),
              },
            );
          });
        } else {
          this.#repo.transaction(() => {
            this.#repo.updateClip(id, clip.cameraId, {
              state: 'failed',
              error: outcome.reason,
              ...(outcome.kind === 'missing' ? { gaps: outcome.gaps } : {}),
            });
            this.#event(
              outcome.kind === 'missing' ? 'warn' : 'error',
              outcome.kind === 'missing' ? 'request.clip_missing' : 'request.clip_failed',
              id,
              `camera ${clip.cameraId}: ${outcome.reason}`,
              {
                ...data,
                reason: outcome.reason,
                ...(outcome.kind === 'missing' ? { gaps: isoGaps(outcome.gaps) } : {}),
              },
            );
          });
        }
        this.#notifier.changed();
      }),
    );
    if (signal.aborted) return;
    const after = this.#must(id);
    const clips = this.#repo.clips(id);
    const held = clips.filter((clip) => clip.state === 'held');
    if (held.length === 0) {
      this.#fail(
        id,
        `no footage could be exported: ${clips.map((c) => `${c.cameraId}: ${c.error ?? 'nothing'}`).join('; ')}`,
      );
      return;
    }
    if (after.state === 'exporting') {
      const missing = clips.filter((clip) => clip.state === 'failed');
      this.#changeState(
        id,
        'held',
        `request ${id} held: ${held.length} clip(s) encrypted in the buffer${missing.length > 0 ? `, ${missing.length} camera(s) without footage` : ''}`,
        {
          clips: held.map((c) => ({ cameraId: c.cameraId, sha256: c.sha256, bytes: c.bytes })),
          missing: missing.map((c) => ({ cameraId: c.cameraId, reason: c.error })),
        },
      );
      this.#report(id, { state: 'held' });
    } else if (after.state === 'approved') {
      // Not #deliverWhenReady: this export still counts as running until this returns.
      await this.#deliver(id);
    }
  }

  // Delivery

  /** Delivers once the request is approved here and on the service, and its export is done. */
  async #deliverWhenReady(id: string): Promise<void> {
    const stored = this.#must(id);
    if (stored.state !== 'approved' && stored.state !== 'delivering') return;
    if (this.#exports.has(id)) return;
    if (this.#repo.clips(id).some((c) => c.state === 'pending' || c.state === 'exporting')) return;
    await this.#deliver(id);
  }

  async #deliver(id: string): Promise<void> {
    const stored = this.#must(id);
    if (stored.state !== 'approved' && stored.state !== 'delivering') return;
    // The service lets this system upload into the case only once it has the approval.
    const remote = stored.request.state;
    if (remote !== 'approved' && remote !== 'delivering') return;
    const clips = this.#repo.clips(id);
    if (clips.some((c) => c.state === 'pending' || c.state === 'exporting')) return;
    if (!clips.some((c) => c.sha256 !== null && c.shreddedAt === null)) {
      this.#fail(id, 'approved, but no clip is held to deliver');
      return;
    }
    for (const clip of clips) {
      if (clip.sha256 === null || clip.shreddedAt !== null) continue;
      const job = clip.jobId === null ? undefined : this.#queue.get(clip.jobId);
      if (job === undefined) {
        const queued = enqueueDelivery(
          this.#queue,
          this.#buffer,
          stored.request,
          clip,
          this.#destinationId,
        );
        this.#repo.transaction(() => {
          this.#repo.updateClip(id, clip.cameraId, {
            jobId: queued.id,
            state: 'delivering',
            error: null,
          });
          this.#event(
            'info',
            'request.clip_queued',
            id,
            `camera ${clip.cameraId}: queued for delivery to case ${stored.request.caseId}`,
            {
              ...this.#data(stored.request),
              cameraId: clip.cameraId,
              sha256: clip.sha256,
              bytes: clip.bytes,
              jobId: queued.id,
            },
          );
        });
      } else {
        await this.#onJob(job);
      }
    }
    if (this.#must(id).state === 'approved') {
      this.#changeState(
        id,
        'delivering',
        `delivering request ${id} to case ${stored.request.caseId}`,
      );
      this.#report(id, { state: 'delivering' });
    }
    await this.#checkDelivered(id);
  }

  /** A delivery job changed state. */
  async #onJob(job: UploadJob): Promise<void> {
    const clip = this.#repo.clipByJob(job.id);
    if (!clip) return;
    const stored = this.#must(clip.requestId);
    if (stored.state !== 'delivering' && stored.state !== 'approved') return;
    const data = {
      ...this.#data(stored.request),
      cameraId: clip.cameraId,
      sha256: clip.sha256,
      jobId: job.id,
    };
    if (job.state === 'done' && clip.state !== 'delivered') {
      this.#repo.transaction(() => {
        this.#repo.updateClip(clip.requestId, clip.cameraId, { state: 'delivered', error: null });
        this.#event(
          'info',
          'request.clip_delivered',
          clip.requestId,
          `camera ${clip.cameraId}: delivered to case ${stored.request.caseId}, SHA-256 ${clip.sha256}`,
          data,
        );
      });
      await this.#checkDelivered(clip.requestId);
    } else if (job.state === 'failed' && clip.state !== 'failed') {
      // Left for retry: the clip stays encrypted in the buffer and the job waits in Uploads,
      // where the operator retries it once the cause (network, service) is fixed.
      this.#repo.transaction(() => {
        this.#repo.updateClip(clip.requestId, clip.cameraId, { state: 'failed', error: job.error });
        this.#event(
          'error',
          'request.delivery_failed',
          clip.requestId,
          `camera ${clip.cameraId}: delivery failed (${job.error}); the clip stays held, retry its upload in Uploads`,
          { ...data, error: job.error },
        );
      });
    } else if (job.state === 'cancelled') {
      this.#fail(
        clip.requestId,
        `the delivery of camera ${clip.cameraId} was cancelled in Uploads`,
      );
    } else if (
      ['queued', 'hashing', 'uploading', 'verifying', 'paused'].includes(job.state) &&
      clip.state === 'failed'
    ) {
      this.#repo.updateClip(clip.requestId, clip.cameraId, { state: 'delivering', error: null });
    }
    this.#notifier.changed();
  }

  async #checkDelivered(id: string): Promise<void> {
    const stored = this.#must(id);
    if (stored.state !== 'delivering') return;
    const clips = this.#repo.clips(id).filter((c) => c.sha256 !== null);
    if (!clips.every((c) => c.state === 'delivered')) return;
    this.#changeState(
      id,
      'delivered',
      `request ${id} delivered: ${clips.length} clip(s) in case ${stored.request.caseId}`,
      {
        clips: clips.map((c) => ({
          cameraId: c.cameraId,
          sha256: c.sha256,
          bytes: c.bytes,
          jobId: c.jobId,
        })),
      },
    );
    this.#report(id, { state: 'delivered' });
    // The case holds verified copies now: the buffer's are shredded.
    await this.#shredAll(id, false);
  }

  // Denial, expiry, failure

  #checkExpiry(): void {
    const now = this.#now().getTime();
    for (const request of this.#repo.list(undecidedStates)) {
      if (Date.parse(request.expiresAt) <= now) this.#track(this.#expire(request.id));
    }
  }

  async #expire(id: string): Promise<void> {
    const stored = this.#must(id);
    if (!isUndecided(stored.state)) return;
    this.#changeState(
      id,
      'expired',
      `request ${id} expired at ${stored.expiresAt} without a decision`,
      { expiresAt: stored.expiresAt },
    );
    await this.#destroy(id);
  }

  /** Denied or expired: stop the export, crypto-shred every clip, tell the service. */
  async #destroy(id: string): Promise<void> {
    await this.#exports.remove(id);
    const stored = this.#must(id);
    if (stored.state !== 'denied' && stored.state !== 'expired') return;
    await this.#shredAll(id, true);
    this.#changeState(id, 'destroyed', `request ${id} ${stored.state}: every clip crypto-shredded`);
    // Expired here sooner than on the service (requests.defaultExpiry is shorter): the service
    // still waits for a decision and cannot take "destroyed" yet, so it hears why it failed.
    const expiredEarly =
      stored.state === 'expired' &&
      Date.parse(stored.expiresAt) < Date.parse(stored.request.expiresAt) &&
      isUndecided(stored.request.state);
    this.#report(
      id,
      expiredEarly
        ? {
            state: 'failed',
            reason: `no decision within this system's requests.defaultExpiry (${this.#rules.defaultExpiry}); the footage was destroyed`,
          }
        : { state: 'destroyed' },
    );
  }

  #fail(id: string, reason: string): void {
    const stored = this.#must(id);
    if (!canMoveTo(stored.state, 'failed')) return;
    this.#repo.update(id, { failureReason: reason });
    this.#changeState(id, 'failed', `request ${id} failed: ${reason}`, { reason }, 'error');
    this.#report(id, { state: 'failed', reason: reason.slice(0, 2000) });
    // Nothing of a failed request is delivered any more: its clips go.
    this.#track(this.#exports.remove(id).then(() => this.#shredAll(id, false)));
  }

  /** Key first, then file: a crash between the two leaves nothing readable. */
  async #shredAll(id: string, destroyed: boolean): Promise<void> {
    const stored = this.#must(id);
    for (const clip of this.#repo.clips(id)) {
      if (clip.shreddedAt !== null) continue;
      const outcome = await this.#buffer.shred(clip.fileId);
      this.#repo.transaction(() => {
        this.#repo.updateClip(id, clip.cameraId, {
          shreddedAt: this.#now().toISOString(),
          ...(destroyed ? { state: 'destroyed' } : {}),
        });
        if (outcome.keyShredded || outcome.fileDeleted) {
          this.#event(
            'info',
            'request.clip_shredded',
            id,
            `camera ${clip.cameraId}: key destroyed${outcome.fileDeleted ? ', buffer file deleted' : ''}`,
            {
              ...this.#data(stored.request),
              cameraId: clip.cameraId,
              fileId: clip.fileId,
              sha256: clip.sha256,
              keyShredded: outcome.keyShredded,
              fileDeleted: outcome.fileDeleted,
            },
          );
        }
      });
    }
    this.#notifier.changed();
  }

  // Plumbing

  #changeState(
    id: string,
    to: RequestState,
    message: string,
    extra: Record<string, unknown> = {},
    level: EventLevel = 'info',
  ): void {
    const stored = this.#must(id);
    if (stored.state === to) return;
    if (!canMoveTo(stored.state, to)) {
      throw new CustodyError(
        `request ${id} is ${stored.state} and cannot become ${to}`,
        'this is a bug in custody; report it with the event log',
      );
    }
    this.#repo.transaction(() => {
      this.#repo.update(id, { state: to });
      this.#event(level, `request.${to}`, id, message, {
        ...this.#data(stored.request),
        from: stored.state,
        ...extra,
      });
    });
    this.#notifier.changed();
  }

  #report(id: string, report: PendingReport): void {
    this.#repo.update(id, { pendingReport: report, reportAttempts: 0 });
    void this.#outbox.flush();
  }

  #event(
    level: EventLevel,
    kind: string,
    subject: string,
    message: string,
    data: Record<string, unknown>,
  ): void {
    this.#events.append({ level, kind, subject, message, data });
  }

  #data(request: VideoRequest): Record<string, unknown> {
    return { requestId: request.id, caseId: request.caseId };
  }

  #must(id: string): StoredRequest {
    const stored = this.#repo.get(id);
    if (!stored)
      throw new CustodyError(
        `no video request ${id}`,
        'list the inbox to find its id',
        ExitCode.badInput,
      );
    return stored;
  }

  #view(id: string): RequestView {
    return this.get(id) as RequestView;
  }

  #track(task: Promise<unknown>): void {
    const tracked = task.catch((err: unknown) => {
      this.#events.append({
        level: 'error',
        kind: 'request.task_failed',
        subject: null,
        message: `a video request task failed: ${(err as Error).message}`,
        data: {},
      });
    });
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }
}

function remoteDecision(request: VideoRequest): LocalDecision {
  const decision = request.decision;
  return {
    decision: decision?.decision ?? (request.state === 'denied' ? 'deny' : 'approve'),
    by: decision ? `${decision.by.name} (on the service)` : 'the service',
    at: decision?.at ?? request.updatedAt,
    reason: decision?.reason ?? null,
  };
}

/** The buffer file id of a request's camera: readable when it can be, unique always. */
export function clipFileId(requestId: string, cameraId: string): string {
  const plain = `${requestId}-${cameraId}`;
  if (fileIdSchema.safeParse(plain).success) return plain;
  const digest = createHash('sha256')
    .update(`${requestId}\0${cameraId}`)
    .digest('hex')
    .slice(0, 32);
  return `req-${digest}`;
}

function isoGaps(gaps: Array<{ fromMs: number; toMs: number }>) {
  return gaps.map((gap) => ({
    from: new Date(gap.fromMs).toISOString(),
    to: new Date(gap.toMs).toISOString(),
  }));
}
