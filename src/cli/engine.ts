import type { Command } from 'commander';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { dataDirFor, globalOptions, loadConfigFor } from './context.ts';
import { formatEventLine } from './events.ts';

type EngineOptions = { listen?: string; quiet?: boolean };

const levels = ['debug', 'info', 'warn', 'error'];

/** Unexpected command failures: one line on stderr (the journal), the stack with CUSTODY_DEBUG=1. */
const stderrLogger = {
  warn: (obj: object, msg: string) => {
    const { err, command } = obj as { err?: unknown; command?: string };
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err ?? '');
    process.stderr.write(`custody engine: ${msg}${command ? ` (${command})` : ''}: ${message}\n`);
    if (process.env.CUSTODY_DEBUG === '1' && err instanceof Error) {
      process.stderr.write(`${err.stack}\n`);
    }
  },
};

/** `127.0.0.1:7811`, `[::1]:7811` or a bare port (loopback IPv4). */
export function listenAddress(text: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535) {
    throw new CustodyError(
      `--listen "${text}" is not an address`,
      'use 127.0.0.1:PORT (port 0 picks a free one)',
      ExitCode.badInput,
    );
  }
  const host = (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, '');
  return { host, port };
}

export function registerEngine(program: Command): void {
  program
    .command('engine')
    .description(
      'run the engine without a console, as a service: uploads, requests and cameras keep running; `custody attach` and the other commands reach it through its control socket',
    )
    .option(
      '--listen <host:port>',
      'also accept attach on this loopback port, with the token in <data>/engine.token',
    )
    .option('--quiet', 'print only warnings and errors from the event log (default: info and up)')
    .action(async (opts: EngineOptions, command: Command) => {
      const options = globalOptions(command);
      const tcp = opts.listen ? listenAddress(opts.listen) : undefined;
      const loaded = loadConfigFor(options);
      const dataDir = dataDirFor(options, loaded);
      // Handlers go in first, so a signal during start-up still stops cleanly.
      let stopRequested = false;
      let wake: () => void = () => {};
      const stopped = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopRequested) {
          process.stderr.write(`custody: ${signal} again — stopping at once\n`);
          process.exit(ExitCode.failed);
        }
        stopRequested = true;
        process.stdout.write(`${signal}: stopping the engine\n`);
        wake();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const keepAlive = setInterval(() => {}, 2 ** 30);
      try {
        const { Engine } = await import('../engine/engine.ts');
        const { startControlServer } = await import('../engine/control/server.ts');
        const engine = await Engine.open({ loaded, dataDir, command: 'custody engine' });
        try {
          // The event log, line by line, for journald and other log collectors.
          const minimum = levels.indexOf(opts.quiet ? 'warn' : 'info');
          const stopPrinting = engine.events.subscribe((event) => {
            if (levels.indexOf(event.level) >= minimum) {
              process.stdout.write(`${formatEventLine(event)}\n`);
            }
          });
          const control = await startControlServer(engine, { dataDir, tcp, logger: stderrLogger });
          try {
            const state = engine.state();
            process.stdout.write(
              `engine ready — ${state.workstation}, data ${dataDir}, pid ${process.pid}\n` +
                `control socket ${control.socketPath}\n` +
                (control.tcp
                  ? `attach port ${control.tcp.url} (token in ${control.tcp.tokenFile})\n`
                  : ''),
            );
            if (!stopRequested) await stopped;
          } finally {
            await control.close();
            stopPrinting();
          }
        } finally {
          await engine.close();
        }
        process.stdout.write('engine stopped\n');
      } finally {
        clearInterval(keepAlive);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
