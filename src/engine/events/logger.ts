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

export type AppLogger = { logger: Logger; close(): Promise<void> };

/**
 * The application log (not the audit event log). Secrets are removed by the logger itself,
 * so no call site has to remember to: by key name (pino `redact` plus a deep pass for what
 * its paths cannot reach) and by shape inside strings (bearer tokens, API keys, URL tokens).
 */
export async function createLogger(settings: LoggerSettings): Promise<AppLogger> {
  if (!levelNames.includes(settings.level)) {
    throw new CustodyError(
      `log level "${settings.level}" is not valid`,
      `use one of ${levelNames.join(', ')}`,
      ExitCode.badInput,
    );
  }
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

  if (settings.file === undefined) {
    // A full-screen console must not scribble on its own screen: stderr only when debugging.
    if (settings.level === 'debug' || settings.level === 'trace') {
      return {
        logger: pino(options, pino.destination({ dest: 2, sync: true })),
        close: async () => {},
      };
    }
    return { logger: pino({ ...options, enabled: false }), close: async () => {} };
  }

  const file = path.resolve(settings.file);
  prepareDirectory(file);
  // logrotate's scheme, in this thread: pino's transport worker would cost a second V8
  // isolate (~15 MiB), and pino-roll loads all of date-fns (~14 MiB) for its file names.
  const stream = createStream(path.basename(file), {
    path: path.dirname(file),
    size: `${logSizeBytes(settings.maxSize)}B`,
    rotate: Math.max(1, settings.maxFiles),
    mode: 0o600,
  });
  // A failing disk is reported here; with no listener it would crash the engine.
  stream.on('error', () => {});
  const logger = pino(options, stream);
  let closing: Promise<void> | undefined;
  return {
    logger,
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
