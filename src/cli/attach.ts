import path from 'node:path';
import type { Command } from 'commander';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { globalOptions } from './context.ts';
import { engineTarget, type TcpOptions } from './engine-link.ts';
import { loadConsole } from './load-console.ts';

export function registerAttach(program: Command): void {
  program
    .command('attach')
    .description(
      'open the console on a running engine (`custody engine`); quitting the console leaves the engine running',
    )
    .option(
      '--connect <url>',
      'a loopback attach port instead of the socket (env CUSTODY_ENGINE_URL)',
    )
    .option('--token-file <file>', 'its token: <data>/engine.token (env CUSTODY_ENGINE_TOKEN)')
    .action(async (opts: TcpOptions, command: Command) => {
      const options = globalOptions(command);
      const interactive = process.env.CUSTODY_INTERACTIVE === '1';
      if (!interactive && !(process.stdout.isTTY && process.stdin.isTTY)) {
        throw new CustodyError(
          'custody attach needs a terminal',
          'run it in a terminal (ssh -t for a remote one); scripts use `custody status --json`',
          ExitCode.badInput,
        );
      }
      // Reconnects after an engine restart; meanwhile the status bar says Offline.
      const target = engineTarget(options, opts);
      const { connectEngine } = await import('../engine/control/client.ts');
      const engine = await connectEngine(target, { reconnect: true });
      try {
        const { runConsole, colorWanted } = await loadConsole();
        await runConsole(engine, {
          color: colorWanted(process.env, options.color),
          interactive: interactive ? true : undefined,
          attachedTo: 'url' in target ? target.url : path.join(target.dataDir, 'engine.sock'),
        });
      } finally {
        await engine.close();
      }
    });
}
