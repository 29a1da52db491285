import { CustodyError, ExitCode } from '../../core/errors.ts';
import type { ReportedState, VideoRequest } from '../../protocol/service.ts';
import type { EventLog } from '../events/event-log.ts';
import type { RequestRepo } from './request-repo.ts';

export type RequestService = {
  report(id: string, state: ReportedState, reason?: string): Promise<void>;
  decide(id: string, decision: 'approve' | 'deny', reason?: string): Promise<VideoRequest>;
};

/** Retry pace while the service is unreachable or refuses. */
const RETRY_MS = 5_000;
/** A call the service refused this many times is dropped (logged): it will not accept it. */
const MAX_ATTEMPTS = 20;

/**
 * Tells the service what the engine decided and did. Each request keeps at most one pending
 * decision and one pending state (the newest: the service accepts a jump such as received →
 * held), stored with the request, so an offline service or a restart loses nothing; calls go
 * one at a time, decision before state, in the order the requests arrived.
 */
export class ServiceOutbox {
  readonly #repo: RequestRepo;
  readonly #events: EventLog;
  readonly #service: RequestService;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Requests whose current failure was logged already. */
  readonly #warned = new Set<string>();

  constructor(repo: RequestRepo, events: EventLog, service: RequestService) {
    this.#repo = repo;
    this.#events = events;
    this.#service = service;
  }

  /** Sends whatever is pending, now (coalesced with a flush already under way). */
  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #drain(): Promise<void> {
    let failed = false;
    do {
      this.#again = false;
      for (const request of this.#repo.withPendingCalls()) {
        if (this.#closed) return;
        if (!(await this.#send(request.id))) failed = true;
      }
    } while (this.#again && !this.#closed);
    if (failed && !this.#closed) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.flush(), RETRY_MS);
      this.#timer.unref();
    }
  }

  /** Returns false when something is still pending for the request after the try. */
  async #send(id: string): Promise<boolean> {
    const before = this.#repo.get(id);
    if (!before) return true;
    const call = before.pendingDecision ?? before.pendingReport;
    if (!call) return true;
    try {
      if (before.pendingDecision) {
        const { decision, reason } = before.pendingDecision;
        await this.#service.decide(id, decision, reason);
      } else if (before.pendingReport) {
        const { state, reason } = before.pendingReport;
        await this.#service.report(id, state, reason);
      }
    } catch (err) {
      // An unreachable service is waited for however long it takes; only refusals are counted.
      const refused = !(err instanceof CustodyError && err.exitCode === ExitCode.unreachable);
      const attempts = before.reportAttempts + (refused ? 1 : 0);
      const dropped = attempts >= MAX_ATTEMPTS;
      this.#repo.update(id, {
        reportAttempts: dropped ? 0 : attempts,
        ...(dropped && before.pendingDecision ? { pendingDecision: null } : {}),
        ...(dropped && !before.pendingDecision ? { pendingReport: null } : {}),
      });
      // One warning per outage, not one per retry.
      if (!this.#warned.has(id) || dropped) {
        this.#warned.add(id);
        this.#events.append({
          level: dropped ? 'error' : 'warn',
          kind: 'request.service_call_failed',
          subject: id,
          message: `telling the service ${describe(call)} for request ${id} failed${dropped ? `; gave up after ${attempts} tries` : ', will retry'}: ${(err as Error).message}`,
          data: { requestId: id, caseId: before.request.caseId, call, attempts, dropped },
        });
      }
      return dropped;
    }
    this.#warned.delete(id);
    // Only clear what was sent: a newer state recorded meanwhile still goes out.
    const after = this.#repo.get(id);
    if (after) {
      this.#repo.update(id, {
        reportAttempts: 0,
        ...(before.pendingDecision && same(after.pendingDecision, before.pendingDecision)
          ? { pendingDecision: null }
          : {}),
        ...(!before.pendingDecision && same(after.pendingReport, before.pendingReport)
          ? { pendingReport: null }
          : {}),
      });
    }
    const left = this.#repo.get(id);
    if (left?.pendingDecision || left?.pendingReport) return this.#send(id);
    return true;
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function describe(call: { decision?: string; state?: string }): string {
  return call.decision !== undefined ? `the decision ${call.decision}` : `state ${call.state}`;
}
