import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/engine/events/logger.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'custody-log-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function readLogs(logDir: string): { files: string[]; text: string } {
  const files = readdirSync(logDir).sort();
  const text = files.map((file) => readFileSync(path.join(logDir, file), 'utf8')).join('');
  return { files, text };
}

// Every secret below carries SECRET, so one search finds any that leaked.
const apiKey = 'cst_AbCdEfGhIjKlMnOpQrStUv0123';

describe('createLogger', () => {
  it('writes JSON lines to a rotating file with secrets removed at every depth', async () => {
    const logDir = path.join(dir, 'logs');
    const { logger, close } = await createLogger({
      level: 'info',
      file: path.join(logDir, 'custody.log'),
      maxSize: '10m',
      maxFiles: 3,
    });
    logger.info(
      {
        token: 'tok-top-SECRET',
        job: 'job-1',
        user: {
          name: 'ops',
          password: 'pw-depth2-SECRET',
          profile: { apiKey: 'ak-depth3-SECRET' },
        },
        a: { b: { c: { d: { e: { fileKey: 'fk-depth6-SECRET', wrappedKey: 'wk-SECRET' } } } } },
        headers: { authorization: 'Bearer bt-header-SECRET', cookie: 'sid=ck-SECRET' },
        request: { headers: { 'set-cookie': ['sid=sc-SECRET'], 'x-api-key': 'xak-SECRET' } },
        list: [{ secret: 's-in-array-SECRET' }, { api_key: 'ak2-SECRET' }],
        key: 'k-SECRET',
        accessToken: 'at-SECRET',
      },
      'upload started',
    );
    logger.info(`calling the service with Bearer bt-msg-SECRET and ${apiKey}`);
    logger.warn({ url: 'https://svc.example/files/1?token=ut-SECRET&part=2' }, 'resuming');
    logger.warn({ note: `key ${apiKey} was rejected` }, 'auth failed');
    logger.error(new Error('401 for Authorization: Bearer bt-error-SECRET'));
    logger.error({ err: new Error(`refused ${apiKey}`) }, 'push failed');
    logger.error(new Error('bad Bearer bt-err2-SECRET'), 'while sending Bearer bt-ctx-SECRET');
    logger.child({ session: { cookie: 'ck-child-SECRET' } }).info('child logger');
    logger.info('interpolated %s and %o', 'Bearer bt-interp-SECRET', {
      password: 'pw-interp-SECRET',
    });
    logger.debug({ token: 'below-level-SECRET' }, 'not written at info');
    await close();

    const { files, text } = readLogs(logDir);
    expect(files).toEqual(['custody.log']);
    expect(statSync(path.join(logDir, 'custody.log')).mode & 0o777).toBe(0o600);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(9);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain(apiKey);
    expect(text).toContain('[redacted]');

    const [first] = records;
    expect(first).toMatchObject({
      msg: 'upload started',
      job: 'job-1',
      token: '[redacted]',
      user: { name: 'ops', password: '[redacted]', profile: { apiKey: '[redacted]' } },
      a: { b: { c: { d: { e: { fileKey: '[redacted]', wrappedKey: '[redacted]' } } } } },
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      list: [{ secret: '[redacted]' }, { api_key: '[redacted]' }],
      key: '[redacted]',
      accessToken: '[redacted]',
    });
    expect(records[1]?.msg).toBe('calling the service with Bearer [redacted] and [redacted]');
    expect(records[2]?.url).toBe('https://svc.example/files/1?token=[redacted]&part=2');
    expect(records[4]?.msg).toBe('401 for Authorization: Bearer [redacted]');
    expect(records[4]?.err).toMatchObject({
      type: 'Error',
      message: '401 for Authorization: Bearer [redacted]',
    });
    expect(String((records[4]?.err as { stack?: unknown } | undefined)?.stack)).toMatch(
      /^Error: 401 for Authorization: Bearer \[redacted\]\n\s+at /,
    );
    expect(records[5]?.err).toMatchObject({ message: 'refused [redacted]' });
    expect(records[6]).toMatchObject({
      msg: 'while sending Bearer [redacted]',
      err: { type: 'Error', message: 'bad Bearer [redacted]' },
    });
    expect(records[8]?.msg).toMatch(/^interpolated Bearer \[redacted\] and /);
  });

  it('rotates by size and keeps at most maxFiles files', async () => {
    const logDir = path.join(dir, 'logs');
    const { logger, close } = await createLogger({
      level: 'info',
      file: path.join(logDir, 'custody.log'),
      maxSize: '1k',
      maxFiles: 2,
    });
    for (let i = 0; i < 60; i++) {
      logger.info({ i, password: `pw-${i}-SECRET` }, 'x'.repeat(100));
      // Rotation happens between writes, as it does in a running engine.
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await close();
    const { files, text } = readLogs(logDir);
    // maxFiles rotated files plus the one being written, with logrotate's names: the file being written, then custody.log.1 (the newest) and on.
    expect(files).toEqual(['custody.log', 'custody.log.1', 'custody.log.2']);
    for (const file of files) expect(statSync(path.join(logDir, file)).mode & 0o777).toBe(0o600);
    // The newest lines survive rotation.
    expect(text).toContain('"i":59');
    expect(text).not.toContain('SECRET');
  });

  it('moves to another file on the same logger, losing no line, or refuses and stays', async () => {
    const first = path.join(dir, 'a', 'custody.log');
    const second = path.join(dir, 'b', 'custody.log');
    const settings = { level: 'info', file: first, maxSize: '10m', maxFiles: 2 };
    const { logger, reconfigure, close } = await createLogger(settings);
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++) logger.info({ i }, 'line');
    };
    const numbers = (file: string) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { i: number }).i);

    write(0, 100);
    const moving = reconfigure({ ...settings, file: second });
    // Written while the new file opens: these still go to the old one.
    write(100, 200);
    await moving;
    write(200, 300);
    await expect(reconfigure({ ...settings, file: dir })).rejects.toThrow(
      /^cannot open the log file .* — fix its permissions or set the log file to another path/,
    );
    await reconfigure({ ...settings, file: second, level: 'warn' });
    write(300, 310);
    logger.warn({ i: 310 }, 'line');
    await close();

    const before = numbers(first);
    const after = numbers(second);
    expect([...before, ...after]).toEqual([...Array(300).keys(), 310]);
    expect(before.length).toBeGreaterThanOrEqual(200);
  });

  it('stays off the screen without a file unless debugging, and redacts on stderr too', () => {
    const child = path.join(import.meta.dirname, 'logger-child.ts');
    const run = (level: string) =>
      spawnSync(
        process.execPath,
        ['--experimental-transform-types', '--no-warnings', child, level],
        {
          encoding: 'utf8',
        },
      );

    const quiet = run('info');
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe('');

    const loud = run('debug');
    expect(loud.status).toBe(0);
    expect(loud.stdout).toBe('');
    const lines = loud.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      password: '[redacted]',
      msg: 'child says hello with Bearer [redacted]',
    });
    expect(loud.stderr).not.toContain('SECRET');
  });

  it('says which log level is wrong', async () => {
    await expect(createLogger({ level: 'chatty', maxSize: '10m', maxFiles: 1 })).rejects.toThrow(
      /^log level "chatty" is not valid — use one of .*debug/,
    );
  });
});
