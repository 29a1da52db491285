import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.ts';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { formatBytes } from '../core/format.ts';
import { readIntegrationFile } from '../engine/service/integration-file.ts';
import {
  describeFfmpegFailure,
  explicitFailures,
  ffmpegFix,
  probeFfmpeg,
} from '../engine/video/ffmpeg-binary.ts';
import { dataDirFor, globalOptions, loadConfigFor } from './context.ts';
import { printJson } from './output.ts';

type Check = { name: string; ok: boolean; detail: string; fix?: string };

const minimumNodeMajor = 22;

function checkNode(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= minimumNodeMajor
    ? { name: 'node', ok: true, detail: `v${process.versions.node}` }
    : {
        name: 'node',
        ok: false,
        detail: `v${process.versions.node} is older than ${minimumNodeMajor}`,
        fix: 'run custody through npm (the project pins Node 24) or install Node 24',
      };
}

function checkFfmpeg(loaded: LoadedConfig | undefined): Check {
  const probe = probeFfmpeg(loaded?.config.ffmpegPath);
  if (!probe.ok) {
    return {
      name: 'ffmpeg',
      ok: false,
      detail: describeFfmpegFailure(probe.tried),
      fix: ffmpegFix,
    };
  }
  const found = `${probe.version} from ${probe.source} (${probe.path})`;
  const broken = explicitFailures(probe);
  return broken.length === 0
    ? { name: 'ffmpeg', ok: true, detail: found }
    : {
        name: 'ffmpeg',
        ok: false,
        detail: `${describeFfmpegFailure(broken)}; using ${found} instead`,
        fix: 'correct or remove "ffmpegPath" in the config / FFMPEG_PATH',
      };
}

/** Writable means we can create it (or it exists) and write inside it. */
function checkDataDir(dataDir: string): Check {
  try {
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK | constants.R_OK);
    return { name: 'data', ok: true, detail: `${dataDir} is writable` };
  } catch (err) {
    return {
      name: 'data',
      ok: false,
      detail: `${dataDir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      fix: 'make the folder writable by this user or choose another with --data',
    };
  }
}

/** Every page of the engine's database read back, which the engine skips after a clean stop. */
async function checkStore(dataDir: string): Promise<Check | undefined> {
  const { DB_FILE, integrityProblem } = await import('../engine/store/database.ts');
  const file = path.join(dataDir, DB_FILE);
  if (!existsSync(file)) return undefined;
  const { DatabaseSync } = await import('node:sqlite');
  const started = performance.now();
  let problem: string | undefined;
  try {
    const db = new DatabaseSync(file, { readOnly: true });
    problem = integrityProblem(db);
    db.close();
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  if (problem !== undefined) {
    return {
      name: 'store',
      ok: false,
      detail: `${file} is damaged: ${problem}`,
      fix: 'stop the engine, move the data directory aside and restore it from backup',
    };
  }
  const size = formatBytes(statSync(file).size);
  const ms = Math.round(performance.now() - started);
  return { name: 'store', ok: true, detail: `${file} (${size}) reads back whole in ${ms} ms` };
}

/**
 * Remote: the integration file must read and its key must be accepted (GET /v1/me), over a
 * connection to the pinned certificate when the file pins one.
 */
async function checkService(loaded: LoadedConfig): Promise<Check> {
  const { service } = loaded.config;
  if (service.mode === 'none') {
    return {
      name: 'service',
      ok: true,
      detail: 'not configured (service.mode is none): uploads to the service and requests are off',
    };
  }
  if (service.mode === 'embedded') {
    return {
      name: 'service',
      ok: true,
      detail: 'embedded: the engine starts the reference service itself',
    };
  }
  try {
    const integration = readIntegrationFile(service.integrationFile);
    const { ServiceRestClient } = await import('../engine/service/rest-client.ts');
    const me = await new ServiceRestClient({ ...integration, timeoutMs: 5_000 }).me();
    return {
      name: 'service',
      ok: true,
      detail: `${integration.url} accepts this workstation as ${me.name}${
        integration.caFingerprint ? ' (its certificate matches the pinned fingerprint)' : ''
      }`,
    };
  } catch (err) {
    if (!(err instanceof CustodyError)) throw err;
    return { name: 'service', ok: false, detail: err.what, fix: err.fix };
  }
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check node, ffmpeg, the data directory, the config and the service; exit 1 if any fails',
    )
    .action(async (_opts, command: Command) => {
      const options = globalOptions(command);
      const checks: Check[] = [checkNode()];
      let loaded: LoadedConfig | undefined;
      try {
        loaded = loadConfigFor(options);
        checks.push({ name: 'config', ok: true, detail: loaded.file });
      } catch (err) {
        if (!(err instanceof CustodyError)) throw err;
        checks.push({ name: 'config', ok: false, detail: err.what, fix: err.fix });
      }
      checks.push(checkFfmpeg(loaded));
      const dataDir = path.resolve(dataDirFor(options, loaded));
      checks.push(checkDataDir(dataDir));
      const store = await checkStore(dataDir);
      if (store) checks.push(store);
      if (loaded) checks.push(await checkService(loaded));

      if (options.json) {
        printJson({ ok: checks.every((c) => c.ok), checks });
      } else {
        for (const check of checks) {
          const line = `${check.ok ? '✓' : '✗'} ${check.name.padEnd(8)} ${check.detail}`;
          process.stdout.write(`${line}${check.fix ? `\n  fix: ${check.fix}` : ''}\n`);
        }
      }
      if (!checks.every((c) => c.ok)) process.exitCode = ExitCode.failed;
    });
}
