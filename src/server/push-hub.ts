import type { WebSocket } from 'ws';
import type { PushEvent } from '../protocol/service.ts';

/** Policy violation: the key the socket was opened with is no longer good. */
const KEY_REVOKED = 1008;

export type PushHubOptions = {
  /** Whether the key a socket was opened with still admits its system (not revoked, active). */
  admits: (keyHash: string) => boolean;
  /** How often open sockets are checked when nothing is pushed to them. */
  sweepMs?: number;
};

type Open = { socket: WebSocket; keyHash: string };

/**
 * Open push sockets per system; a system may hold several (a restart overlapping the old one).
 * A socket is authenticated once, when it opens; revoking the key or disabling the system
 * (perhaps from another process, the `custody server` CLI) must also end it, so its key is
 * checked again before every push and on a sweep, and the socket closed once it no longer admits.
 */
export class PushHub {
  readonly #sockets = new Map<string, Set<Open>>();
  readonly #admits: (keyHash: string) => boolean;
  readonly #sweep: NodeJS.Timeout;

  constructor(options: PushHubOptions) {
    this.#admits = options.admits;
    this.#sweep = setInterval(() => this.#closeRevoked(), options.sweepMs ?? 15_000);
    this.#sweep.unref();
  }

  add(systemId: string, socket: WebSocket, keyHash: string): void {
    const set = this.#sockets.get(systemId) ?? new Set();
    const open = { socket, keyHash };
    set.add(open);
    this.#sockets.set(systemId, set);
    socket.once('close', () => {
      set.delete(open);
      if (set.size === 0) this.#sockets.delete(systemId);
    });
  }

  /** Best effort: a system that misses this catches up by cursor when it reconnects. */
  send(systemId: string, event: PushEvent): void {
    const text = JSON.stringify(event);
    for (const open of this.#sockets.get(systemId) ?? []) {
      if (!this.#stillAdmitted(open)) continue;
      if (open.socket.readyState === open.socket.OPEN) open.socket.send(text);
    }
  }

  closeAll(): void {
    clearInterval(this.#sweep);
    for (const set of this.#sockets.values()) {
      for (const { socket } of set) socket.close(1001, 'service stopping');
    }
  }

  #closeRevoked(): void {
    for (const set of this.#sockets.values()) {
      for (const open of set) this.#stillAdmitted(open);
    }
  }

  #stillAdmitted(open: Open): boolean {
    if (this.#admits(open.keyHash)) return true;
    open.socket.close(KEY_REVOKED, 'key revoked or system disabled');
    return false;
  }
}
