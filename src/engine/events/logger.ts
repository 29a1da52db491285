import { once } from 'node:events';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { createStream } from 'rotating-file-stream';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { logSizeBytes } from '../../core/format.ts';
import { maskSecrets, maskString, REDACTED, redactPaths } from './redact.ts';

export type LoggerSettings = {
  level: string;
  /** The log file; rotated copies sit beside it as `custody.log.1` (the newest) and on. */
  file?: string;
  /** Size at which the file rotates: '10m', '512k', '1g', a bare number in MiB. */
  maxSize: string;
  /** Rotated files kept besides the one being written. */
  maxFiles: number;
};

const CLOSE_TIMEOUT_MS = 5_000;

const levelNames = [...Object.keys(pino.levels.values), 'silent'];

export type AppLogger = {
  logger: Logger;
  /**
   * New settings, live, on the same logger (so whatever holds it needs no new one): lines go
   * to the new destination once it is open, and the old one is closed after the lines already
   * sent to it are written. A destination that cannot be opened is refused, nothing changed.
   */
  reconfigure(settings: LoggerSettings): Promise<void>;
  close(): Promise<void>;
};

/** Where the log's lines go: a file, stderr, or nowhere. */
type Target = { write(line: string): void; close(): Promise<void> };

/**
 * The application log (not the audit event log). Secrets are removed by the logger itself,
 * so no call site has to remember to: by key name (pino `redact` plus a deep pass for what
 * its paths cannot reach) and by shape inside strings (bearer tokens, API keys, URL tokens).
 */
export async function createLogger(settings: LoggerSettings): Promise<AppLogger> {
  checkLevel(settings.level);
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: redactPaths, censor: REDACTED },
    formatters: {
      log: (object) => maskSecrets(object) as Record<string, unknown>,
      bindings: (bindings) => maskSecrets(bindings) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        const masked = [
          typeof first === 'string' ? maskString(first) : first,
          ...rest.map(maskSecrets),
        ];
        // The merging object goes through formatters.log, but a leading Error without a
        // message of its own gives pino its `msg` unmasked: supply a masked one.
        if (first instanceof Error && typeof rest[0] !== 'string') {
          masked.splice(1, 0, maskString(first.message));
        }
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };

  let current = settings;
  let target = await openTarget(settings);
  const logger = pino(options, { write: (line: string) => target.write(line) });
  return {
    logger,
    reconfigure: async (next) => {
      checkLevel(next.level);
      if (destinationOf(next) !== destinationOf(current)) {
        const opened = await openTarget(next);
        const old = target;
        target = opened;
        await old.close();
      }
      logger.level = next.level;
      current = next;
    },
    close: () => target.close(),
  };
}

function checkLevel(level: string): void {
  if (levelNames.includes(level)) return;
  throw new CustodyError(
    `log level "${level}" is not valid`,
    `use one of ${levelNames.join(', ')}`,
    ExitCode.badInput,
  );
}

/** Settings that open the same destination; a level change alone keeps it. */
function destinationOf({ file, level, maxSize, maxFiles }: LoggerSettings): string {
  if (file === undefined) return debugging(level) ? 'stderr' : 'none';
  return JSON.stringify([path.resolve(file), logSizeBytes(maxSize), maxFiles]);
}

// A full-screen console must not scribble on its own screen: stderr only when debugging.
const debugging = (level: string): boolean => level === 'debug' || level === 'trace';

async function openTarget(settings: LoggerSettings): Promise<Target> {
  if (settings.file !== undefined) return openFile(path.resolve(settings.file), settings);
  if (!debugging(settings.level)) return { write: () => {}, close: async () => {} };
  const stderr = pino.destination({ dest: 2, sync: true });
  return { write: (line) => stderr.write(line), close: async () => {} };
}

async function openFile(file: string, settings: LoggerSettings): Promise<Target> {
  prepareDirectory(file);
  // logrotate's scheme, in this thread: pino's transport worker would cost a second V8
  // isolate (~15 MiB), and pino-roll loads all of date-fns (~14 MiB) for its file names.
  const stream = createStream(path.basename(file), {
    path: path.dirname(file),
    size: `${logSizeBytes(settings.maxSize)}B`,
    rotate: Math.max(1, settings.maxFiles),
    mode: 0o600,
  });
  try {
    await once(stream, 'open');
  } catch (err) {
    throw new CustodyError(
      `cannot open the log file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'fix its permissions or set the log file to another path',
      ExitCode.failed,
      { cause: err },
    );
  }
  // A failing disk is reported here; with no listener it would crash the engine.
  stream.on('error', () => {});
  let closing: Promise<void> | undefined;
  return {
    write: (line) => stream.write(line),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        // Stops a wedged disk from holding shutdown forever.
        const timer = setTimeout(done, CLOSE_TIMEOUT_MS);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        stream.once('close', done);
        stream.end();
      });
      return closing;
    },
  };
}

/** Fails here, with a message, rather than later in the stream where nobody sees it. */
function prepareDirectory(file: string): void {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new CustodyError(
      `cannot write log files in ${dir} (${(err as NodeJS.ErrnoException).code ?? err})`,
      'fix its permissions or set the log file to another path',
      ExitCode.failed,
      { cause: err },
    );
  }
}
