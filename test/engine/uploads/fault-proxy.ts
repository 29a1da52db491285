// A loopback TCP proxy that misbehaves on purpose: cuts, stalls, delays and truncates the
// connections it carries, to show uploads survive a bad link.

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  /** Both sides closed after `after` bytes from the client. */
  | { kind: 'drop'; after: number }
  /** Forwarding stops after `after` bytes; the connection dies `ms` later. */
  | { kind: 'stall'; after: number; ms: number }
  /** The server side is half-closed after `after` bytes: it sees a short body. */
  | { kind: 'truncate'; after: number }
  /** Every chunk from the client waits `ms`. */
  | { kind: 'delay'; ms: number };

export class FaultProxy {
  readonly #target: number;
  readonly #plan: (connection: number) => Fault;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #connections = 0;

  constructor(targetPort: number, plan: (connection: number) => Fault) {
    this.#target = targetPort;
    this.#plan = plan;
  }

  get connections(): number {
    return this.#connections;
  }

  async start(): Promise<number> {
    const server = createServer((client) => this.#carry(client));
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  #carry(client: Socket): void {
    const fault = this.#plan(this.#connections++);
    const server = connect(this.#target, '127.0.0.1');
    for (const socket of [client, server]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        server.destroy();
      });
    }
    server.on('close', () => client.destroy());
    client.on('close', () => server.destroy());
    server.on('data', (chunk) => client.write(chunk));
    let forwarded = 0;
    let stopped = false;
    client.on('data', (chunk: Buffer) => {
      if (stopped) return;
      const limit = 'after' in fault ? fault.after - forwarded : chunk.length;
      const part = chunk.subarray(0, Math.max(0, limit));
      forwarded += part.length;
      if (fault.kind === 'delay') {
        client.pause();
        setTimeout(() => {
          server.write(chunk);
          client.resume();
        }, fault.ms);
        return;
      }
      server.write(part);
      if (part.length === chunk.length) return;
      stopped = true;
      if (fault.kind === 'drop') {
        client.destroy();
        server.destroy();
      } else if (fault.kind === 'truncate') {
        server.end();
      } else if (fault.kind === 'stall') {
        setTimeout(() => {
          client.destroy();
          server.destroy();
        }, fault.ms);
      }
    });
    client.on('end', () => server.end());
  }
}
