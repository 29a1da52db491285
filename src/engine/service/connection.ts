/**
 * The engine's link to the Evidence service: REST for calls, a ws push stream for requests,
 * and catch-up by cursor on every (re)connect so nothing that arrived while offline is missed.
 * Requests reach listeners once each, in cursor order.
 */
import { EventEmitter } from 'node:events';
import type { Agent } from 'node:https';
import WebSocket from 'ws';
import { Backoff } from '../../core/backoff.ts';
import {
  type Integration,
  pushEventSchema,
  type ServiceStatus,
  type VideoRequest,
} from '../../protocol/service.ts';
import { jsonOrUndefined, ServiceRestClient } from './rest-client.ts';
import { pinnedAgent } from './tls-pin.ts';
import { unreachableService } from './transport-error.ts';

export type ServiceConnectionOptions = {
  /** Undefined when the workstation has not been associated: the status stays not-configured. */
  integration?: Pick<Integration, 'url' | 'apiKey' | 'caFingerprint'>;
  /** The last cursor the engine has processed (it persists it); 0 replays everything. */
  cursor?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Silence longer than this on the socket counts as a dropped link. */
  heartbeatMs?: number;
  random?: () => number;
};

type Events = {
  status: [ServiceStatus];
  /** A request for this system was created or changed; `request.cursor` is the new cursor. */
  request: [VideoRequest];
};

const PAGE = 100;

export class ServiceConnection extends EventEmitter<Events> {
  readonly rest: ServiceRestClient | undefined;
  readonly #integration: ServiceConnectionOptions['integration'];
  readonly #agent: Agent | undefined;
  readonly #backoff: Backoff;
  readonly #heartbeatMs: number;
  #cursor: number;
  #status: ServiceStatus;
  #socket: WebSocket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: ServiceConnectionOptions) {
    super();
    this.#integration = options.integration;
    this.rest = options.integration && new ServiceRestClient(options.integration);
    this.#agent =
      options.integration &&
      pinnedAgent(options.integration.url, options.integration.caFingerprint);
    this.#cursor = options.cursor ?? 0;
    this.#backoff = new Backoff({
      baseMs: options.backoff?.baseMs ?? 1_000,
      maxMs: options.backoff?.maxMs ?? 60_000,
      random: options.random,
    });
    this.#heartbeatMs = options.heartbeatMs ?? 30_000;
    this.#status = options.integration
      ? { state: 'offline', reason: 'not started' }
      : {
          state: 'not-configured',
          reason: 'no integration file: associate this workstation with a service',
        };
  }

  get status(): ServiceStatus {
    return this.#status;
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Listener for status changes; returns the unsubscribe function. */
  subscribe(listener: (status: ServiceStatus) => void): () => void {
    this.on('status', listener);
    return () => this.off('status', listener);
  }

  start(): void {
    if (this.#running || !this.#integration) return;
    this.#running = true;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeat);
    const socket = this.#socket;
    this.#socket = undefined;
    if (
      socket &&
      (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN)
    ) {
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.terminate();
      await closed;
    }
    this.#setStatus({ state: 'offline', reason: 'stopped' });
  }

  #connect(): void {
    const integration = this.#integration;
    const rest = this.rest;
    if (!integration || !rest) return;
    this.#setStatus({ state: 'connecting', reason: null });
    const url = new URL('/v1/push', integration.url.replace(/^http/, 'ws'));
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${integration.apiKey}` },
      agent: this.#agent,
    });
    this.#socket = socket;
    let reason = 'connection closed';
    // Pushes that arrive while catching up wait, so cursor order holds.
    let pending: VideoRequest[] | undefined = [];
    let alive = true;

    socket.on('message', (data) => {
      alive = true;
      const event = pushEventSchema.safeParse(jsonOrUndefined(String(data)));
      if (!event.success) return;
      if (pending) pending.push(event.data.request);
      else this.#deliver(event.data.request);
    });
    socket.on('pong', () => {
      alive = true;
    });
    let refused = false;
    socket.on('unexpected-response', (_req, res) => {
      refused = true;
      reason = `the service refused the push connection (HTTP ${res.statusCode}${
        res.statusCode === 401
          ? ': API key wrong or revoked'
          : res.statusCode === 403
            ? ': system inactive'
            : ''
      })`;
      res.resume();
      socket.terminate();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Terminating after a refusal raises an error of its own that says less.
      if (refused) return;
      reason = unreachableService(integration.url, err).message;
    });
    socket.on('open', async () => {
      try {
        await this.#catchUp(rest);
        for (const request of (pending ?? []).sort((a, b) => a.cursor - b.cursor))
          this.#deliver(request);
        pending = undefined;
        if (socket.readyState !== WebSocket.OPEN) return;
        this.#backoff.reset();
        this.#setStatus({ state: 'ready', reason: null });
        this.#heartbeat = setInterval(() => {
          if (!alive) {
            reason = `no answer from ${integration.url} for ${this.#heartbeatMs} ms`;
            socket.terminate();
            return;
          }
          alive = false;
          socket.ping();
        }, this.#heartbeatMs);
      } catch (err) {
        reason = `catch-up failed: ${err instanceof Error ? err.message : String(err)}`;
        socket.terminate();
      }
    });
    socket.on('close', () => {
      clearInterval(this.#heartbeat);
      if (!this.#running || this.#socket !== socket) return;
      const delay = this.#backoff.next();
      this.#setStatus({ state: 'offline', reason });
      this.#retryTimer = setTimeout(() => this.#connect(), delay);
    });
  }

  async #catchUp(rest: ServiceRestClient): Promise<void> {
    for (;;) {
      const page = await rest.listRequests(this.#cursor, PAGE);
      for (const request of page.items) this.#deliver(request);
      if (page.items.length < PAGE) return;
    }
  }

  #deliver(request: VideoRequest): void {
    if (request.cursor <= this.#cursor) return;
    this.#cursor = request.cursor;
    this.emit('request', request);
  }

  #setStatus(status: ServiceStatus): void {
    if (status.state === this.#status.state && status.reason === this.#status.reason) return;
    this.#status = status;
    this.emit('status', status);
  }
}
