import type { WebSocket } from 'ws';
import type { PushEvent } from '../protocol/service.ts';

/** Open push sockets per system; a system may hold several (a restart overlapping the old one). */
export class PushHub {
  readonly #sockets = new Map<string, Set<WebSocket>>();

  add(systemId: string, socket: WebSocket): void {
    const set = this.#sockets.get(systemId) ?? new Set();
    set.add(socket);
    this.#sockets.set(systemId, set);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0) this.#sockets.delete(systemId);
    });
  }

  /** Best effort: a system that misses this catches up by cursor when it reconnects. */
  send(systemId: string, event: PushEvent): void {
    const text = JSON.stringify(event);
    for (const socket of this.#sockets.get(systemId) ?? []) {
      if (socket.readyState === socket.OPEN) socket.send(text);
    }
  }

  closeAll(): void {
    for (const set of this.#sockets.values()) {
      for (const socket of set) socket.close(1001, 'service stopping');
    }
  }
}
