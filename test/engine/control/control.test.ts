import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CustodyError, ExitCode } from '../../../src/core/errors.ts';
import type { EngineApi } from '../../../src/engine/api.ts';
import { connectEngine } from '../../../src/engine/control/client.ts';
import { type ControlServer, startControlServer } from '../../../src/engine/control/server.ts';
import type { EngineState } from '../../../src/protocol/engine-state.ts';
import { tempDir } from '../../helpers/cli.ts';

/** Just enough of an engine: a state that tests change, and scripted command answers. */
function fakeEngine() {
  let state = { version: 'test', workstation: 'ws', counter: 0 } as unknown as EngineState;
  const listeners = new Set<() => void>();
  const calls: { command: string; input: unknown }[] = [];
  const api: EngineApi = {
    state: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    run: async (command, input) => {
      calls.push({ command, input });
      if (command === 'uploads.pause') return { changed: 3 } as never;
      // An engine of another version, answering in a shape this console does not know.
      if (command === 'uploads.resume') return { resumed: 3 } as never;
      if (command === 'requests.approve') {
        throw new CustodyError('approving needs the Requests privilege', 'ask', 3);
      }
      if (command === 'requests.deny') {
        const err = new Error('database is locked\n    at secret/stack.js:1:1');
        throw err;
      }
      return null as never;
    },
  };
  return {
    api,
    calls,
    change: (patch: Record<string, unknown>) => {
      state = { ...state, ...patch } as EngineState;
      for (const listener of listeners) listener();
    },
    listenerCount: () => listeners.size,
  };
}

function rawClient(socketPath: string): Promise<WebSocket> {
  const ws = new WebSocket('ws://localhost/', { createConnection: () => connect(socketPath) });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Messages other than state frames, in order. */
function answers(ws: WebSocket): { next: () => Promise<Record<string, unknown>> } {
  const queue: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    if (message.type === 'state') return;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  return {
    next: () =>
      new Promise((resolve) => {
        const first = queue.shift();
        if (first) resolve(first);
        else waiting.push(resolve);
      }),
  };
}

describe('control socket', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: ControlServer | undefined;
  beforeEach(() => {
    dir = tempDir('custody-control-');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    dir.remove();
  });

  it('serves the engine on a 0600 socket: state, pushed changes, results and refusals', async () => {
    const engine = fakeEngine();
    server = await startControlServer(engine.api, { dataDir: dir.path });
    expect(server.socketPath).toBe(path.join(dir.path, 'engine.sock'));
    const stat = statSync(server.socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);

    const remote = await connectEngine({ dataDir: dir.path });
    expect(remote.state()).toMatchObject({ workstation: 'ws', counter: 0 });
    const heard = new Promise<void>((resolve) => {
      const off = remote.subscribe(() => {
        if ((remote.state() as unknown as { counter: number }).counter === 1) {
          off();
          resolve();
        }
      });
    });
    engine.change({ counter: 1 });
    await heard;

    await expect(remote.run('uploads.pause', { all: true })).resolves.toEqual({ changed: 3 });
    expect(engine.calls).toEqual([{ command: 'uploads.pause', input: { all: true } }]);

    const refused = await remote.run('requests.approve', { id: 'r1' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CustodyError);
    expect(refused).toMatchObject({ what: 'approving needs the Requests privilege', exitCode: 3 });

    const failed = (await remote
      .run('requests.deny', { id: 'r1', reason: 'no' })
      .catch((e: unknown) => e)) as CustodyError;
    expect(failed.exitCode).toBe(ExitCode.failed);
    expect(failed.what).toContain('database is locked');
    expect(failed.what).not.toContain('stack.js');

    // An answer of another shape is refused, not handed to the console half-read.
    const odd = (await remote
      .run('uploads.resume', { all: true })
      .catch((e: unknown) => e)) as CustodyError;
    expect(odd).toBeInstanceOf(CustodyError);
    expect(odd.what).toMatch(
      /answered uploads\.resume in a form this custody does not read \(at changed\)/,
    );
    expect(odd.fix).toContain('same custody version');

    // Bad input is answered by the socket itself, naming the field, before the engine runs.
    const bad = (await remote
      .run('bandwidth.set', { bytesPerSecond: -5 } as never)
      .catch((e: unknown) => e)) as CustodyError;
    expect(bad.exitCode).toBe(ExitCode.badInput);
    expect(bad.what).toContain('bytesPerSecond');
    expect(engine.calls).toHaveLength(4);

    await remote.close();
  });

  it('answers bad frames with errors and keeps serving', async () => {
    const engine = fakeEngine();
    server = await startControlServer(engine.api, { dataDir: dir.path });
    const ws = await rawClient(server.socketPath);
    const replies = answers(ws);

    ws.send('this is not json');
    expect(await replies.next()).toMatchObject({ type: 'error', id: 0, error: { exitCode: 2 } });
    ws.send(JSON.stringify({ command: 'uploads.pause' }));
    expect(await replies.next()).toMatchObject({ type: 'error', id: 0, error: { exitCode: 2 } });
    ws.send(JSON.stringify({ id: 7, command: 'rm -rf', input: {} }));
    const unknown = await replies.next();
    expect(unknown).toMatchObject({ type: 'error', id: 7, error: { exitCode: 2 } });
    expect(JSON.stringify(unknown)).toContain('unknown command');
    ws.send(JSON.stringify({ id: 8, command: 'uploads.pause', input: { id: '' } }));
    expect(await replies.next()).toMatchObject({ type: 'error', id: 8, error: { exitCode: 2 } });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await replies.next()).toMatchObject({ type: 'error', error: { exitCode: 2 } });
    ws.send(JSON.stringify({ id: 9, command: 'uploads.pause', input: { all: true } }));
    expect(await replies.next()).toEqual({ type: 'result', id: 9, output: { changed: 3 } });
    ws.close();

    const remote = await connectEngine({ dataDir: dir.path });
    await expect(remote.run('uploads.pause', { all: true })).resolves.toEqual({ changed: 3 });
    await remote.close();
  });

  it('pushes at most ten states a second however often the engine changes', async () => {
    const engine = fakeEngine();
    server = await startControlServer(engine.api, { dataDir: dir.path });
    const ws = await rawClient(server.socketPath);
    let states = 0;
    let last = -1;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; state: { counter: number } };
      if (message.type !== 'state') return;
      states++;
      last = message.state.counter;
    });
    const started = Date.now();
    let counter = 0;
    while (Date.now() - started < 1000) {
      engine.change({ counter: ++counter });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(counter).toBeGreaterThan(100);
    // The greeting, then ≤ 10 in the second, plus the trailing one.
    expect(states).toBeLessThanOrEqual(13);
    expect(last).toBe(counter);
    ws.close();
  });

  it('says no engine runs (exit 4) without a socket or with a dead one', async () => {
    const none = (await connectEngine({ dataDir: dir.path }).catch(
      (e: unknown) => e,
    )) as CustodyError;
    expect(none).toBeInstanceOf(CustodyError);
    expect(none.exitCode).toBe(ExitCode.unreachable);
    expect(none.what).toBe(`no engine is running on ${dir.path}`);
    expect(none.fix).toContain('custody engine');

    await leaveStaleSocket(path.join(dir.path, 'engine.sock'));
    const dead = (await connectEngine({ dataDir: dir.path }).catch(
      (e: unknown) => e,
    )) as CustodyError;
    expect(dead.exitCode).toBe(ExitCode.unreachable);
  });

  it('replaces the socket a SIGKILLed engine left behind', async () => {
    const socketPath = path.join(dir.path, 'engine.sock');
    await leaveStaleSocket(socketPath);
    expect(existsSync(socketPath)).toBe(true);
    server = await startControlServer(fakeEngine().api, { dataDir: dir.path });
    const remote = await connectEngine({ dataDir: dir.path });
    expect(remote.state()).toMatchObject({ workstation: 'ws' });
    await remote.close();
    await server.close();
    server = undefined;
    expect(existsSync(socketPath)).toBe(false);
  });

  it('on loopback TCP, needs the token from the 0600 token file', async () => {
    const engine = fakeEngine();
    server = await startControlServer(engine.api, {
      dataDir: dir.path,
      tcp: { host: '127.0.0.1', port: 0 },
    });
    const tcp = server.tcp;
    if (!tcp) throw new Error('no tcp');
    expect(statSync(tcp.tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tcp.tokenFile, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(40);

    for (const wrong of ['', 'x'.repeat(token.length), `${token}x`]) {
      const refused = (await connectEngine({ url: tcp.url, token: wrong }).catch(
        (e: unknown) => e,
      )) as CustodyError;
      expect(refused.exitCode).toBe(ExitCode.notPermitted);
    }
    // Nothing at all without the header either.
    const bare = new WebSocket(tcp.url);
    const [, response] = (await once(bare, 'unexpected-response')) as [
      unknown,
      { statusCode: number },
    ];
    expect(response.statusCode).toBe(401);
    bare.on('error', () => {});
    bare.terminate();

    const remote = await connectEngine({ url: tcp.url, token });
    await expect(remote.run('uploads.pause', { all: true })).resolves.toEqual({ changed: 3 });
    await remote.close();
    await server.close();
    server = undefined;
    expect(existsSync(tcp.tokenFile)).toBe(false);
  });

  it('refuses to listen beyond loopback', async () => {
    const err = (await startControlServer(fakeEngine().api, {
      dataDir: dir.path,
      tcp: { host: '0.0.0.0', port: 0 },
    }).catch((e: unknown) => e)) as CustodyError;
    expect(err.exitCode).toBe(ExitCode.badInput);
    expect(existsSync(path.join(dir.path, 'engine.sock'))).toBe(false);
  });

  it('reconnects after the engine restarts, saying offline meanwhile', async () => {
    const engine = fakeEngine();
    server = await startControlServer(engine.api, { dataDir: dir.path });
    const remote = await connectEngine({ dataDir: dir.path }, { reconnect: true });
    const lost = new Promise<CustodyError>((resolve) => remote.onDisconnect(resolve));
    await server.close();
    expect((await lost).exitCode).toBe(ExitCode.unreachable);
    expect(remote.state().connection).toMatchObject({ state: 'offline' });
    await expect(remote.run('uploads.pause', { all: true })).rejects.toMatchObject({
      exitCode: ExitCode.unreachable,
    });

    server = await startControlServer(engine.api, { dataDir: dir.path });
    const deadline = Date.now() + 10_000;
    while (!remote.connected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(remote.connected).toBe(true);
    await expect(remote.run('uploads.pause', { all: true })).resolves.toEqual({ changed: 3 });
    await remote.close();
  });
});

/** A process listening on `socketPath`, killed with SIGKILL: its socket file stays behind. */
async function leaveStaleSocket(socketPath: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(child.stdout, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
}
