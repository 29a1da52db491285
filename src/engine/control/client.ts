import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import {
  type CommandInput,
  type CommandName,
  type CommandOutput,
  commandSchemas,
  controlMessageSchema,
} from '../../protocol/control.ts';
import type { EngineState } from '../../protocol/engine-state.ts';
import type { EngineApi } from '../api.ts';
import { socketPathFor, unreachable } from './paths.ts';

/** The engine of a data directory (its socket), or a loopback TCP port with its token. */
export type EngineTarget = { dataDir: string } | { url: string; token: string };

export type ConnectOptions = {
  /** Give up on the first connection after this long; default 10 s. */
  timeoutMs?: number;
  /**
   * Keep trying after the connection drops (an attached console outlives an engine restart):
   * meanwhile `state()` says offline and commands fail with exit 4.
   */
  reconnect?: boolean;
};

/** An EngineApi in another process: what the console and the headless commands attach to. */
export type RemoteEngine = EngineApi & {
  readonly connected: boolean;
  /** Hears when the connection is lost for good (or for now, with `reconnect`). */
  onDisconnect(listener: (reason: CustodyError) => void): () => void;
  close(): Promise<void>;
};

type Pending = {
  resolve: (output: unknown) => void;
  reject: (err: CustodyError) => void;
};

const reconnectDelaysMs = [250, 500, 1000, 2000, 5000];

/**
 * Connects to the engine serving `target` and resolves once its first state arrived, so
 * `state()` is always a real engine state. No engine → CustodyError exit 4.
 */
export async function connectEngine(
  target: EngineTarget,
  options: ConnectOptions = {},
): Promise<RemoteEngine> {
  const engine = new ControlClient(target, options);
  await engine.open();
  return engine;
}

class ControlClient implements RemoteEngine {
  #ws: WebSocket | null = null;
  #state: EngineState | null = null;
  #connected = false;
  #closed = false;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<() => void>();
  readonly #disconnectListeners = new Set<(reason: CustodyError) => void>();
  #retry: NodeJS.Timeout | null = null;
  #attempt = 0;

  constructor(
    private readonly target: EngineTarget,
    private readonly options: ConnectOptions,
  ) {}

  get connected(): boolean {
    return this.#connected;
  }

  state(): EngineState {
    if (!this.#state) throw new Error('state() before the engine answered');
    if (this.#connected) return this.#state;
    return {
      ...this.#state,
      connection: {
        state: 'offline',
        reason: 'lost the connection to the engine; reconnecting',
      },
    };
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  onDisconnect(listener: (reason: CustodyError) => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => {
      this.#disconnectListeners.delete(listener);
    };
  }

  run<K extends CommandName>(command: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    const ws = this.#ws;
    if (!ws || !this.#connected || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(this.#lost());
    }
    const id = this.#nextId++;
    return new Promise<CommandOutput<K>>((resolve, reject) => {
      // Checked against the command's schema: an engine of another version may answer in a
      // shape this console would misread.
      const settle = (output: unknown) => {
        const checked = commandSchemas[command][1].safeParse(output);
        if (checked.success) resolve(checked.data as CommandOutput<K>);
        else reject(this.#mismatch(command, checked.error.issues[0]?.path ?? []));
      };
      this.#pending.set(id, { resolve: settle, reject });
      ws.send(JSON.stringify({ id, command, input: input ?? {} }), (err) => {
        if (err) {
          this.#pending.delete(id);
          reject(this.#lost());
        }
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const ws = this.#ws;
    this.#ws = null;
    this.#connected = false;
    this.#failPending();
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 500);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000);
    });
  }

  /** First connection: resolves with the first state, or rejects with a CustodyError. */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.#ws?.terminate();
        reject(this.#unreachable(`no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.#connect(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  #connect(onReady: () => void, onFail: (err: CustodyError) => void): void {
    let ready = false;
    let ws: WebSocket;
    if ('dataDir' in this.target) {
      const socketPath = socketPathFor(this.target.dataDir);
      if (!existsSync(socketPath)) {
        onFail(this.#unreachable());
        return;
      }
      ws = new WebSocket('ws://localhost/', {
        createConnection: () => connect(socketPath),
        perMessageDeflate: false,
      });
    } else {
      try {
        ws = new WebSocket(this.target.url, {
          headers: { authorization: `Bearer ${this.target.token}` },
          perMessageDeflate: false,
        });
      } catch {
        onFail(
          new CustodyError(
            `"${this.target.url}" is not a ws:// URL`,
            'use e.g. ws://127.0.0.1:7811/',
            ExitCode.badInput,
          ),
        );
        return;
      }
    }
    this.#ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      ws.terminate();
      if (ready) return;
      ready = true;
      onFail(
        status === 401
          ? new CustodyError(
              'the engine refused the token',
              'pass the token from <data>/engine.token of that engine (--token-file or CUSTODY_ENGINE_TOKEN)',
              ExitCode.notPermitted,
            )
          : this.#unreachable(`it answered HTTP ${status}`),
      );
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (ready) return;
      ready = true;
      onFail(this.#connectError(err));
    });
    ws.on('message', (data) => {
      const first = this.#receive(String(data));
      if (first && !ready) {
        ready = true;
        this.#connected = true;
        this.#attempt = 0;
        onReady();
        this.#notify();
      }
    });
    ws.on('close', (code, reason) => {
      if (this.#ws !== ws) return;
      const wasConnected = this.#connected;
      this.#connected = false;
      this.#failPending();
      if (!ready) {
        ready = true;
        onFail(this.#unreachable('the connection closed before the engine answered'));
        return;
      }
      if (this.#closed || !wasConnected) return;
      const why = reason.toString() || (code === 1001 ? 'engine stopping' : `code ${code}`);
      const lost = this.#lost(why);
      for (const listener of this.#disconnectListeners) listener(lost);
      this.#notify();
      if (this.options.reconnect) this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    const delay = reconnectDelaysMs[Math.min(this.#attempt, reconnectDelaysMs.length - 1)] ?? 5000;
    this.#attempt++;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#closed) return;
      this.#connect(
        () => {},
        () => this.#scheduleReconnect(),
      );
    }, delay);
  }

  /** Returns true for a state frame. */
  #receive(text: string): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return false;
    }
    const message = controlMessageSchema.safeParse(parsed);
    if (!message.success) return false;
    const frame = message.data;
    if (frame.type === 'state') {
      this.#state = frame.state as EngineState;
      if (this.#connected) this.#notify();
      return true;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return false;
    this.#pending.delete(frame.id);
    if (frame.type === 'result') pending.resolve(frame.output);
    else {
      const { what, fix, exitCode } = frame.error;
      pending.reject(new CustodyError(what, fix, exitCode as ExitCode));
    }
    return false;
  }

  #notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // One listener's failure must not starve the others.
      }
    }
  }

  #failPending(): void {
    const err = this.#lost();
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
  }

  #mismatch(command: string, at: PropertyKey[]): CustodyError {
    return new CustodyError(
      `the engine at ${this.#where()} answered ${command} in a form this custody does not read (at ${at.map(String).join('.') || 'the top'})`,
      'run the same custody version as the engine (custody --version on both)',
      ExitCode.failed,
    );
  }

  #where(): string {
    return 'dataDir' in this.target ? this.target.dataDir : this.target.url;
  }

  #lost(why?: string): CustodyError {
    return new CustodyError(
      `lost the connection to the engine on ${this.#where()}${why ? ` (${why})` : ''}`,
      'check that the engine still runs (`custody status`) and try again',
      ExitCode.unreachable,
    );
  }

  #unreachable(detail?: string): CustodyError {
    if ('dataDir' in this.target) return unreachable(this.target.dataDir, detail);
    return new CustodyError(
      `no engine answers on ${this.target.url}${detail ? ` (${detail})` : ''}`,
      'start one with `custody engine --listen 127.0.0.1:PORT`, or check the address',
      ExitCode.unreachable,
    );
  }

  #connectError(err: NodeJS.ErrnoException): CustodyError {
    if (err.code === 'EACCES' || err.code === 'EPERM') {
      return new CustodyError(
        `not permitted to open the control socket of ${this.#where()}`,
        'run custody as the user the engine runs as',
        ExitCode.notPermitted,
      );
    }
    const known = ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'];
    const detail =
      err.code === 'ECONNREFUSED' && 'dataDir' in this.target
        ? 'a socket is left from an engine that stopped'
        : err.code && known.includes(err.code)
          ? undefined
          : (err.code ?? err.message);
    return this.#unreachable(detail);
  }
}
