import type { Command } from 'commander';
import { formatRate } from '../core/format.ts';
import type { ControlServer } from '../engine/control/server.ts';
import type { Engine } from '../engine/engine.ts';
import type { EngineState } from '../protocol/engine-state.ts';
import { dataDirFor, globalOptions, loadConfigFor } from './context.ts';
import { loadConsole } from './load-console.ts';
import { formatColumns } from './output.ts';

export function registerConsole(program: Command): void {
  program
    .command('console', { isDefault: true })
    .description(
      'open the operator console on a terminal (default command); without a terminal, run the engine and print its summary until Ctrl-C',
    )
    .action(async (_opts, command: Command) => {
      const options = globalOptions(command);
      const loaded = loadConfigFor(options);
      const dataDir = dataDirFor(options, loaded);
      let engine: Engine | undefined;
      let control: ControlServer | undefined;
      let panesDrawn = () => {};
      const panes = new Promise<void>((resolve) => {
        panesDrawn = resolve;
      });
      // Headless commands and `custody attach` reach this engine like any other.
      const open = async (): Promise<Engine> => {
        // Loaded here, after the console's first frame: the operator sees it sooner.
        const { Engine } = await import('../engine/engine.ts');
        const { startControlServer } = await import('../engine/control/server.ts');
        engine = await Engine.open({
          loaded,
          dataDir,
          command: 'custody console',
          startServiceAfter: wantsConsole() ? panes : undefined,
        });
        control = await startControlServer(engine, { dataDir });
        return engine;
      };
      try {
        if (wantsConsole()) {
          const { runConsole, colorWanted } = await loadConsole();
          // The console draws its frame at once and fills it when the engine is open.
          await runConsole(open, {
            color: colorWanted(process.env, options.color),
            interactive: process.env.CUSTODY_INTERACTIVE === '1' ? true : undefined,
            workstation: loaded.config.workstation.name,
            onPanesDrawn: panesDrawn,
          });
        } else {
          await runHeadless(await open());
        }
      } finally {
        // Else an engine whose console failed before its panes would wait for them to close.
        panesDrawn();
        await control?.close();
        await engine?.close();
      }
    });
}

/** A console needs a terminal; tmux tests under CI say so with CUSTODY_INTERACTIVE=1. */
function wantsConsole(): boolean {
  if (process.env.CUSTODY_INTERACTIVE === '1') return true;
  return Boolean(process.stdout.isTTY && process.stdin.isTTY);
}

async function runHeadless(engine: Engine): Promise<void> {
  // Handlers go in before "ready" is printed, so a Ctrl-C right after it still stops cleanly.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // The engine's own timers are unref'd so it never holds a process open; this one does.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  process.stdout.write(`${summary(engine.state())}\n`);
  await stopped;
  clearInterval(keepAlive);
  process.stdout.write('engine stopped\n');
}

function list(items: { id: string }[]): string {
  return items.length === 0 ? 'none' : `${items.length} (${items.map((i) => i.id).join(', ')})`;
}

export function summary(state: EngineState): string {
  const ffmpeg = state.ffmpeg.ok
    ? `${state.ffmpeg.version} (${state.ffmpeg.source})`
    : `missing — ${state.ffmpeg.fix}`;
  const rows = [
    ['config', state.configFile],
    ['data', state.dataDir],
    [
      'service',
      `${state.connection.state}${state.connection.reason ? ` — ${state.connection.reason}` : ''}`,
    ],
    ['cameras', list(state.cameras)],
    ['docks', list(state.docks)],
    ['sync', list(state.syncFolders.filter((folder) => folder.enabled))],
    ['uploads', `concurrency ${state.uploads.concurrency} · ${state.schedule.summary}`],
    ['cap now', formatRate(state.uploads.cap)],
    ['ffmpeg', ffmpeg],
  ];
  return [
    `Custody ${state.version} — ${state.workstation}`,
    formatColumns(rows),
    'engine ready — press Ctrl-C to stop',
  ].join('\n');
}
