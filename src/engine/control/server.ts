import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import {
  type CommandError,
  type CommandName,
  commandSchemas,
  controlRequestSchema,
} from '../../protocol/control.ts';
import type { EngineApi } from '../api.ts';
import { checkSocketPath, socketPathFor, tokenPathFor } from './paths.ts';

export type ControlServerOptions = {
  dataDir: string;
  /** Also listen on loopback TCP (port 0 picks a free one); clients must send the token. */
  tcp?: { host?: string; port: number };
  /** Where unexpected command failures are logged in full (the client only gets a summary). */
  logger?: { warn: (obj: object, msg: string) => void };
  /** State frames per second per client, at most; default 10 (DESIGN.md, Engine API). */
  maxStatesPerSecond?: number;
};

export type ControlServer = {
  socketPath: string;
  /** Set when TCP is enabled: the ws URL and the file holding the token. */
  tcp: { url: string; host: string; port: number; tokenFile: string } | null;
  clientCount(): number;
  close(): Promise<void>;
};

/** Requests are small; a bigger frame is a confused or hostile client. */
const maxRequestBytes = 1024 * 1024;
/** A client this far behind (a stalled SSH tunnel) skips states until it catches up. */
const maxBufferedBytes = 4 * 1024 * 1024;
const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Serves an engine to other processes (DESIGN.md, Engine API: `custody attach` and the
 * headless commands) over ws on `<dataDir>/engine.sock`, mode 0600, and optionally on loopback
 * TCP with a random token. Call it only from the process that holds the data directory's lock:
 * a socket file already there was left by an engine that died, and is replaced.
 */
export async function startControlServer(
  engine: EngineApi,
  options: ControlServerOptions,
): Promise<ControlServer> {
  const socketPath = socketPathFor(options.dataDir);
  checkSocketPath(socketPath);
  await removeStaleSocket(socketPath);

  const clients = new Set<WebSocket>();
  const states = stateBroadcaster(
    engine,
    clients,
    1000 / (options.maxStatesPerSecond ?? 10),
    options.logger,
  );
  const handle = (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      void answer(engine, ws, data, isBinary, options.logger);
    });
    states.sendTo(ws);
  };

  const unixHttp = createServer(notWebSocket);
  const unixWss = new WebSocketServer({ server: unixHttp, maxPayload: maxRequestBytes });
  unixWss.on('connection', handle);
  // Errors of the listening socket after start must not take the engine down.
  const ignore = (err: Error) => options.logger?.warn({ err }, 'control socket error');
  unixWss.on('error', ignore);
  await listenPrivately(unixHttp, socketPath);

  let tcp: ControlServer['tcp'] = null;
  let tcpHttp: Server | null = null;
  let tokenFile: string | null = null;
  try {
    if (options.tcp) {
      const host = options.tcp.host ?? '127.0.0.1';
      if (!loopbackHosts.has(host)) {
        throw new CustodyError(
          `the control port may only listen on loopback, not on ${host}`,
          'use 127.0.0.1 (reach it from elsewhere through an SSH tunnel)',
          ExitCode.badInput,
        );
      }
      const token = randomBytes(32).toString('base64url');
      tokenFile = tokenPathFor(options.dataDir);
      writePrivate(tokenFile, `${token}\n`);
      tcpHttp = createServer(notWebSocket);
      const tcpWss = new WebSocketServer({
        server: tcpHttp,
        maxPayload: maxRequestBytes,
        verifyClient: ({ req }: { req: IncomingMessage }) => tokenMatches(req, token),
      });
      tcpWss.on('connection', handle);
      tcpWss.on('error', ignore);
      await listenTcp(tcpHttp, host, options.tcp.port);
      const port = (tcpHttp.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      tcp = { url: `ws://${urlHost}:${port}/`, host, port, tokenFile };
    }
  } catch (err) {
    await closeHttp(unixHttp, clients);
    safeUnlink(socketPath);
    if (tokenFile) safeUnlink(tokenFile);
    throw err;
  }

  let closed = false;
  return {
    socketPath,
    tcp,
    clientCount: () => clients.size,
    close: async () => {
      if (closed) return;
      closed = true;
      states.close();
      await closeClients(clients);
      await closeHttp(unixHttp, clients);
      if (tcpHttp) await closeHttp(tcpHttp, clients);
      safeUnlink(socketPath);
      if (tokenFile) safeUnlink(tokenFile);
    },
  };
}

function notWebSocket(_req: IncomingMessage, res: import('node:http').ServerResponse): void {
  res.writeHead(426, { 'content-type': 'text/plain' });
  res.end('custody control socket: connect with a WebSocket (custody attach)\n');
}

function tokenMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** One subscription to the engine, one serialisation per change, at most `intervalMs` apart. */
function stateBroadcaster(
  engine: EngineApi,
  clients: Set<WebSocket>,
  intervalMs: number,
  logger: ControlServerOptions['logger'],
) {
  let timer: NodeJS.Timeout | null = null;
  let lastSent = 0;
  const behind = new Set<WebSocket>();
  // A state that cannot be read or serialised is skipped, never a crash of the engine.
  const frame = (): string | null => {
    try {
      return JSON.stringify({ type: 'state', state: engine.state() });
    } catch (err) {
      logger?.warn({ err }, 'control: cannot send the engine state');
      return null;
    }
  };
  const send = (ws: WebSocket, text: string) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > maxBufferedBytes) {
      behind.add(ws);
      return;
    }
    behind.delete(ws);
    ws.send(text);
  };
  const flush = () => {
    timer = null;
    lastSent = Date.now();
    if (clients.size === 0) return;
    const text = frame();
    if (text === null) return;
    for (const ws of clients) send(ws, text);
    if (behind.size > 0) schedule();
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(flush, Math.max(0, lastSent + intervalMs - Date.now()));
    timer.unref();
  };
  const unsubscribe = engine.subscribe(schedule);
  return {
    /** A new client gets the state at once: it cannot show anything before. */
    sendTo: (ws: WebSocket) => {
      const text = frame();
      if (text !== null) send(ws, text);
    },
    close: () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}

async function answer(
  engine: EngineApi,
  ws: WebSocket,
  data: RawData,
  isBinary: boolean,
  logger: ControlServerOptions['logger'],
): Promise<void> {
  let id = 0;
  let command = '';
  try {
    if (isBinary) throw badFrame('a binary frame', 'send JSON text frames');
    let raw: unknown;
    try {
      raw = JSON.parse(rawText(data));
    } catch {
      throw badFrame('a frame that is not JSON', 'send {"id", "command", "input"} as JSON');
    }
    const maybeId = (raw as { id?: unknown } | null)?.id;
    if (typeof maybeId === 'number' && Number.isInteger(maybeId)) id = maybeId;
    const request = controlRequestSchema.safeParse(raw);
    if (!request.success) {
      throw badFrame(
        'a frame without a numeric id and a command',
        'send {"id", "command", "input"}',
      );
    }
    command = request.data.command;
    if (!Object.hasOwn(commandSchemas, command)) {
      throw new CustodyError(
        `unknown command "${command}"`,
        `use one of: ${Object.keys(commandSchemas).join(', ')}`,
        ExitCode.badInput,
      );
    }
    const name = command as CommandName;
    const given = request.data.input ?? {};
    const input = commandSchemas[name][0].safeParse(given);
    if (!input.success) {
      const issue = input.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : 'input';
      throw new CustodyError(
        `${name}: ${field} ${issue?.message ?? 'is invalid'}`,
        `correct ${field} and try again`,
        ExitCode.badInput,
      );
    }
    // The engine parses again (and fills defaults): pass what the client sent.
    const output = await engine.run(name, given as never);
    reply(ws, { type: 'result', id, output: output ?? null });
  } catch (err) {
    reply(ws, { type: 'error', id, error: toCommandError(err, command, logger) });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function reply(ws: WebSocket, message: object): void {
  if (ws.readyState !== ws.OPEN) return;
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // The client went away mid-answer: nothing to tell it.
  }
}

function badFrame(what: string, fix: string): CustodyError {
  return new CustodyError(`the engine got ${what}`, fix, ExitCode.badInput);
}

/** Refusals cross as they are; anything else as a one-line summary, never a stack. */
export function toCommandError(
  err: unknown,
  command: string,
  logger?: ControlServerOptions['logger'],
): CommandError {
  if (err instanceof CustodyError) {
    return { what: err.what, fix: err.fix, exitCode: err.exitCode };
  }
  logger?.warn({ err, command }, 'control command failed unexpectedly');
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = (message.split('\n')[0] ?? '').slice(0, 200);
  return {
    what: `${command || 'the command'} failed in the engine${firstLine ? `: ${firstLine}` : ''}`,
    fix: 'see the engine log (<data>/logs/custody.log) and try again',
    exitCode: ExitCode.failed,
  };
}

/**
 * We hold the data directory's lock, so no live engine owns a socket here: one left behind
 * by a SIGKILLed engine is removed. Anything that is not a socket is left for the operator.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch {
    return;
  }
  if (!isSocket) {
    throw new CustodyError(
      `${socketPath} exists and is not a socket`,
      'move that file away; the engine needs the name for its control socket',
      ExitCode.failed,
    );
  }
  if (await answers(socketPath)) {
    throw new CustodyError(
      `another process answers on ${socketPath}`,
      'stop it, or give this engine another data directory',
      ExitCode.failed,
    );
  }
  safeUnlink(socketPath);
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const done = (alive: boolean) => {
      socket.destroy();
      resolve(alive);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/** The socket is created under umask 0177, so it is never open to others, even briefly. */
async function listenPrivately(server: Server, socketPath: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const previous = process.umask(0o177);
    try {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  }).catch((err: NodeJS.ErrnoException) => {
    throw new CustodyError(
      `cannot open the control socket ${socketPath} (${err.code ?? err.message})`,
      'check the permissions of the data directory',
      ExitCode.failed,
      { cause: err },
    );
  });
  chmodSync(socketPath, 0o600);
  if ((statSync(socketPath).mode & 0o077) !== 0) {
    throw new CustodyError(
      `the control socket ${socketPath} is open to other users`,
      'check the data directory (a filesystem that ignores modes cannot hold it)',
      ExitCode.failed,
    );
  }
}

async function listenTcp(server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new CustodyError(
      `cannot listen for attach on ${host}:${port} (${err.code ?? err.message})`,
      err.code === 'EADDRINUSE'
        ? 'choose another port, or 0 for any free one'
        : 'check the address and port',
      ExitCode.failed,
      { cause: err },
    );
  });
}

function writePrivate(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/** Says goodbye properly (attached consoles show why), then hangs up on the slow ones. */
async function closeClients(clients: Set<WebSocket>): Promise<void> {
  const closing = [...clients].map(
    (ws) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(1001, 'engine stopping');
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(closing),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 500);
    }),
  ]);
  clearTimeout(timer);
}

function closeHttp(server: Server, clients: Set<WebSocket>): Promise<void> {
  for (const ws of clients) ws.terminate();
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function safeUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
