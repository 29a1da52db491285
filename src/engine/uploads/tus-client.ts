/**
 * A tus 1.0.0 client (core protocol + creation) over got. got's own retry is off: a request
 * body is a one-shot stream, so after any failure the uploader asks the server for its offset
 * (HEAD) and sends from there instead.
 */
import type { Agent } from 'node:https';
import got, { type Response } from 'got';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { tlsRefusalIn } from '../service/transport-error.ts';

const TUS_VERSION = '1.0.0';

const CONNECT_TIMEOUT_MS = 10_000;
// A socket quiet this long is dead; a slow cap still moves a grant every second or so.
const SOCKET_TIMEOUT_MS = 60_000;

export class TusError extends CustodyError {
  constructor(
    what: string,
    fix: string,
    /** HTTP status, or undefined when no response came. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(
      what,
      fix,
      status !== undefined && status < 500 ? ExitCode.failed : ExitCode.unreachable,
      options,
    );
    this.name = 'TusError';
  }

  /** The upload resource is gone (expired or deleted): start a new one. */
  get gone(): boolean {
    return this.status === 404 || this.status === 410;
  }
}

export type TusClientOptions = {
  /** Read per request, so a renewed token applies at once. */
  headers?: () => Record<string, string>;
  /** For https endpoints; the evidence service's pinned agent when its certificate is pinned. */
  agent?: Agent;
};

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs. */
export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}

export class TusClient {
  readonly #headers: () => Record<string, string>;
  readonly #agent: Agent | undefined;

  constructor(options: TusClientOptions = {}) {
    this.#headers = options.headers ?? (() => ({}));
    this.#agent = options.agent;
  }

  /** POST: a new upload of `length` bytes; returns its absolute URL. */
  async create(
    endpoint: string,
    length: number,
    metadata: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<string> {
    const response = await this.#send(endpoint, 'POST', signal, {
      'Upload-Length': String(length),
      'Upload-Metadata': encodeMetadata(metadata),
    });
    const location = response.headers.location;
    if (response.statusCode !== 201 || !location) {
      throw this.#unexpected('create an upload at', endpoint, response);
    }
    return new URL(location, endpoint).href;
  }

  /** HEAD: how many bytes the server holds. */
  async offset(url: string, signal?: AbortSignal): Promise<number> {
    const response = await this.#send(url, 'HEAD', signal);
    const offset = Number(response.headers['upload-offset']);
    if (response.statusCode !== 200 || !Number.isSafeInteger(offset)) {
      throw this.#unexpected('read the offset of', url, response);
    }
    return offset;
  }

  /**
   * PATCH `length` bytes from `body` at `offset`; returns the server's new offset. If the
   * body fails midway the request is cut, and tus keeps whatever arrived: HEAD tells.
   */
  async patch(
    url: string,
    offset: number,
    length: number,
    body: AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<number> {
    const response = await this.#send(
      url,
      'PATCH',
      signal,
      {
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        // With a length rather than chunked: chunked framing of small grants halves throughput.
        'Content-Length': String(length),
      },
      body,
    );
    const next = Number(response.headers['upload-offset']);
    if (response.statusCode !== 204 || !Number.isSafeInteger(next)) {
      throw this.#unexpected('send bytes to', url, response);
    }
    return next;
  }

  /** DELETE (tus termination): the server drops what it holds; already gone counts as done. */
  async terminate(url: string, signal?: AbortSignal): Promise<void> {
    const response = await this.#send(url, 'DELETE', signal);
    if (response.statusCode !== 204 && response.statusCode !== 404 && response.statusCode !== 410) {
      throw this.#unexpected('delete', url, response);
    }
  }

  async #send(
    url: string,
    method: 'POST' | 'HEAD' | 'PATCH' | 'DELETE',
    signal: AbortSignal | undefined,
    headers: Record<string, string> = {},
    body?: AsyncIterable<Uint8Array>,
  ): Promise<Response<string>> {
    try {
      return await got(url, {
        method,
        headers: { ...this.#headers(), ...headers, 'Tus-Resumable': TUS_VERSION },
        body,
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        timeout: { connect: CONNECT_TIMEOUT_MS, socket: SOCKET_TIMEOUT_MS },
        signal,
        agent: { https: this.#agent },
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const refusal = tlsRefusalIn(new URL(url).origin, err);
      if (refusal) throw new TusError(refusal.what, refusal.fix, undefined, { cause: err });
      throw new TusError(
        `${method} ${redactUrl(url)} failed: ${(err as Error).message}`,
        'check the network and that the destination is up; the upload resumes from where it stopped',
        undefined,
        { cause: err },
      );
    }
  }

  #unexpected(action: string, url: string, response: Response<string>): TusError {
    const status = response.statusCode;
    const detail = response.body ? `: ${response.body.slice(0, 200).trim()}` : '';
    const fix =
      status === 401 || status === 403
        ? 'check the credentials of this destination'
        : status === 413
          ? 'the destination refuses files this large'
          : 'check the destination; the upload resumes from where it stopped';
    return new TusError(
      `could not ${action} ${redactUrl(url)} (HTTP ${status}${detail})`,
      fix,
      status,
    );
  }
}

/** Credentials in a URL must not reach the log or the screen. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    parsed.search = '';
    return parsed.href;
  } catch {
    return url;
  }
}
