import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { formatBytes, formatEta } from '../core/format.ts';
import type { EngineApi } from '../engine/api.ts';
import type { uploadWaitOutputSchema } from '../protocol/cli-output.ts';
import type { UploadRow } from '../protocol/engine-state.ts';
import { dataDirFor, type GlobalOptions, globalOptions, loadConfigFor } from './context.ts';
import {
  badInput,
  type CaseOptions,
  caseChoiceOf,
  caseFlags,
  engineTarget,
  withCaseOptions,
} from './engine-link.ts';
import { formatColumns, printJson } from './output.ts';
import { flowing } from './status.ts';

type UploadOptions = CaseOptions & { to?: string; wait?: boolean };

/** One file's end, as `--json` prints it (src/protocol/cli-output.ts). */
type Outcome = z.infer<typeof uploadWaitOutputSchema>['files'][number];

const finished = new Set(['done', 'failed', 'cancelled']);

/** Files as given, folders as the files under them (sorted, hidden ones skipped). */
export function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  for (const given of paths) {
    const full = path.resolve(given);
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(full);
    } catch {
      throw badInput(`no file or folder ${full}`, 'check the path');
    }
    if (stat.isDirectory()) walk(full);
    else if (stat.isFile()) files.push(full);
    else throw badInput(`${full} is neither a file nor a folder`, 'name regular files or folders');
  }
  if (files.length === 0) throw badInput('no files to upload in the folders given', 'name files');
  return [...new Set(files)];
}

/**
 * The running engine, or, when none runs on this data directory, a one-shot engine of our
 * own with its control socket (so `custody status` works meanwhile), closed when we are done.
 */
async function engineFor(options: GlobalOptions): Promise<{
  api: EngineApi;
  oneShot: boolean;
  close: () => Promise<void>;
  /** A running engine can go away while we wait; our own one-shot engine cannot. */
  onDisconnect: (listener: (err: CustodyError) => void) => () => void;
}> {
  const target = engineTarget(options);
  try {
    const { connectEngine } = await import('../engine/control/client.ts');
    const remote = await connectEngine(target);
    return {
      api: remote,
      oneShot: false,
      close: () => remote.close(),
      onDisconnect: (listener) => remote.onDisconnect(listener),
    };
  } catch (err) {
    if (!('dataDir' in target) || !(err instanceof CustodyError)) throw err;
    if (err.exitCode !== ExitCode.unreachable) throw err;
  }
  const loaded = loadConfigFor(options);
  const dataDir = dataDirFor(options, loaded);
  // Loaded only here: talking to a running engine needs none of the engine's code.
  const { Engine } = await import('../engine/engine.ts');
  const { startControlServer } = await import('../engine/control/server.ts');
  const engine = await Engine.open({ loaded, dataDir, command: 'custody upload' });
  try {
    const control = await startControlServer(engine, { dataDir });
    return {
      api: engine,
      oneShot: true,
      onDisconnect: () => () => {},
      close: async () => {
        await control.close();
        await engine.close();
      },
    };
  } catch (err) {
    await engine.close();
    throw err;
  }
}

/** The job's last word in the event log: its final state and the hash the destination confirmed. */
async function finalOf(
  api: EngineApi,
  jobId: string,
): Promise<{ state: string; sha256: string | null; error: string | null } | null> {
  const events = await api.run('events.list', { subject: jobId, order: 'desc', limit: 50 });
  for (const event of events) {
    const state = event.kind.startsWith('upload.') ? event.kind.slice('upload.'.length) : '';
    if (!finished.has(state)) continue;
    const data = (event.data ?? {}) as { sha256?: unknown; error?: unknown };
    return {
      state,
      sha256: typeof data.sha256 === 'string' ? data.sha256 : null,
      error: typeof data.error === 'string' ? data.error : state === 'done' ? null : event.message,
    };
  }
  return null;
}

/** Resolves when every job is done, failed or cancelled; paused jobs are waited for. */
function waitForJobs(
  api: EngineApi,
  jobIds: string[],
  onProgress: (rows: UploadRow[]) => void,
  signal?: AbortSignal,
): Promise<Map<string, { state: string; error: string | null }>> {
  const outcomes = new Map<string, { state: string; error: string | null }>();
  return new Promise((resolve, reject) => {
    let lookingUp = false;
    let lastLookup = 0;
    const check = () => {
      const rows = new Map(api.state().uploads.jobs.map((row) => [row.id, row]));
      const missing: string[] = [];
      for (const id of jobIds) {
        if (outcomes.has(id)) continue;
        const row = rows.get(id);
        if (!row) missing.push(id);
        else if (finished.has(row.state)) outcomes.set(id, { state: row.state, error: row.error });
      }
      onProgress(jobIds.flatMap((id) => rows.get(id) ?? []));
      if (outcomes.size === jobIds.length) {
        stop();
        resolve(outcomes);
        return;
      }
      // Finished jobs drop off the state's list after a while: ask the event log.
      if (missing.length > 0 && !lookingUp && Date.now() - lastLookup > 1000) {
        lookingUp = true;
        lastLookup = Date.now();
        Promise.all(missing.map(async (id) => [id, await finalOf(api, id)] as const))
          .then((found) => {
            for (const [id, final] of found) {
              if (final) outcomes.set(id, { state: final.state, error: final.error });
            }
            lookingUp = false;
            check();
          })
          .catch((err: unknown) => {
            stop();
            reject(err);
          });
      }
    };
    const unsubscribe = api.subscribe(check);
    const timer = setInterval(check, 1000);
    const stop = () => {
      unsubscribe();
      clearInterval(timer);
    };
    signal?.addEventListener('abort', () => {
      stop();
      reject(signal.reason);
    });
    check();
  });
}

function progressLine(rows: UploadRow[], total: number): string {
  const done = rows.filter((r) => r.state === 'done').length;
  const size = rows.reduce((sum, r) => sum + r.size, 0);
  const bytes = rows.reduce((sum, r) => sum + Math.min(r.bytes, r.size), 0);
  const rate = rows.reduce((sum, r) => sum + r.rate, 0);
  const paused = rows.filter((r) => r.state === 'paused');
  const pausedNote = paused.length
    ? ` · ${paused.length} paused${paused[0]?.pauseReason ? ` (${paused[0].pauseReason})` : ''}`
    : '';
  return `${done}/${total} done · ${formatBytes(bytes)} of ${formatBytes(size)} · ${flowing(rate)} · ETA ${formatEta(size - bytes, rate || null)}${pausedNote}`;
}

export function registerUpload(program: Command): void {
  withCaseOptions(
    program
      .command('upload')
      .description(
        'queue files or folders for upload through the engine (with no engine running, runs one until they are uploaded)',
      )
      .argument('<paths...>', 'files or folders'),
  )
    .option('--to <url>', 'send to this tus endpoint instead of the evidence service')
    .option('--wait', 'wait until every file arrived with a verified hash (exit 0 only then)')
    .action(async (paths: string[], opts: UploadOptions, command: Command) => {
      const options = globalOptions(command);
      const caseChoice = caseChoiceOf(opts, caseFlags(command));
      if (opts.to !== undefined && !/^https?:\/\/[^/]+/.test(opts.to)) {
        throw badInput(
          `--to "${opts.to}" is not an http(s) URL`,
          'use e.g. --to http://host:1080/files',
        );
      }
      const files = expandPaths(paths);
      const { api, oneShot, close, onDisconnect } = await engineFor(options);
      let interrupted: NodeJS.Signals | null = null;
      const onSignal = (signal: NodeJS.Signals) => {
        interrupted = signal;
        void close().finally(() => {
          process.stderr.write(
            `custody: upload interrupted by ${signal} — run the same command again to resume\n`,
          );
          process.exit(ExitCode.failed);
        });
      };
      if (oneShot) {
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }
      try {
        const added = await api.run('uploads.add', {
          paths: files,
          caseChoice,
          ...(opts.to ? { destination: opts.to } : {}),
        });
        const refused = added.filter((file) => !file.ok);
        for (const file of refused) {
          if (!file.ok && !options.json)
            process.stderr.write(`custody: ${file.path}: ${file.error}\n`);
        }
        const accepted = added.flatMap((file) => (file.ok ? [file] : []));
        // A one-shot engine stops when we return, so it waits even without --wait.
        if (!opts.wait && !oneShot) {
          if (options.json) printJson({ files: added });
          else if (accepted.length > 0) {
            process.stdout.write(
              `${formatColumns(
                accepted.map((file) => [
                  file.jobId.slice(0, 8),
                  file.queued ? 'queued' : 'already queued',
                  file.path,
                ]),
              )}\n`,
            );
          }
          if (refused.length > 0) process.exitCode = ExitCode.badInput;
          return;
        }
        const tty = process.stderr.isTTY === true && !options.json;
        if (oneShot && !opts.wait && !options.json) {
          process.stderr.write(
            'no engine is running here: uploading now, until every file is done\n',
          );
        }
        let lastDraw = 0;
        // A running engine that goes away ends the wait with exit 4; its uploads are safe.
        const lost = new AbortController();
        const stopListening = onDisconnect((err) => lost.abort(err));
        const outcomes = await waitForJobs(
          api,
          accepted.map((file) => file.jobId),
          (rows) => {
            if (!tty || Date.now() - lastDraw < 250) return;
            lastDraw = Date.now();
            process.stderr.write(`\r\x1b[K${progressLine(rows, accepted.length)}`);
          },
          lost.signal,
        ).finally(() => {
          stopListening();
          if (tty) process.stderr.write('\r\x1b[K');
        });
        const results: Outcome[] = [];
        for (const file of added) {
          if (!file.ok) {
            results.push({
              path: file.path,
              jobId: null,
              state: 'refused',
              sha256: null,
              error: file.error,
            });
            continue;
          }
          const outcome = outcomes.get(file.jobId);
          const final = outcome?.state === 'done' ? await finalOf(api, file.jobId) : null;
          results.push({
            path: file.path,
            jobId: file.jobId,
            state: (outcome?.state ?? 'unknown') as Outcome['state'],
            sha256: final?.sha256 ?? null,
            error: outcome?.error ?? null,
          });
        }
        const ok = results.every((r) => r.state === 'done');
        if (options.json) printJson({ ok, files: results });
        else {
          process.stdout.write(
            `${formatColumns(
              results.map((r) => [
                r.state,
                r.path,
                r.state === 'done' ? (r.sha256 ? `sha256 ${r.sha256}` : '') : (r.error ?? ''),
              ]),
            )}\n`,
          );
        }
        if (!ok) {
          throw new CustodyError(
            `${results.filter((r) => r.state !== 'done').length} of ${results.length} files did not arrive`,
            refused.length > 0
              ? 'check the refused paths above'
              : 'see `custody uploads list` and the events; `custody uploads retry --all` tries failed ones again',
            refused.length > 0 ? ExitCode.badInput : ExitCode.failed,
          );
        }
      } finally {
        if (oneShot) {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        if (!interrupted) await close();
      }
    });
}
