// Real `custody engine` processes for the headless command tests: a temp config based on
// config.example.json, the built program, and a clean stop.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CliResult, collect, repoRoot, runCli, startCli, waitForOutput } from './cli.ts';

/**
 * The demo config with one camera, no docks or sync folders, and `overrides` merged at the top
 * level (`uploads` is merged one level deeper so a test can set only the cap).
 */
export function writeEngineConfig(dir: string, overrides: Record<string, unknown> = {}): string {
  const example = JSON.parse(readFileSync(path.join(repoRoot, 'config.example.json'), 'utf8'));
  delete example.$schema;
  const { uploads, ...rest } = overrides as { uploads?: Record<string, unknown> };
  const config = {
    ...example,
    cameras: example.cameras.slice(0, 1),
    docks: [],
    syncFolders: [],
    ...rest,
    uploads: { ...example.uploads, ...uploads },
    dataDir: './data',
  };
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** The integration file `custody server associate` would write for this system and URL. */
export function writeIntegration(
  dir: string,
  system: { id: string; name: string; key: string },
  url: string,
): string {
  const file = path.join(dir, 'integration.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      url,
      systemId: system.id,
      systemName: system.name,
      apiKey: system.key,
    }),
    { mode: 0o600 },
  );
  return file;
}

/** An engine config linked to `service` (the in-process test service) by its integration file. */
export function linkedEngineConfig(
  dir: string,
  service: { url: string; system: { principal: { id: string; name: string }; key: string } },
  overrides: Record<string, unknown> = {},
): string {
  const { principal, key } = service.system;
  const integrationFile = writeIntegration(
    dir,
    { id: principal.id, name: principal.name, key },
    service.url,
  );
  return writeEngineConfig(dir, { service: { mode: 'remote', integrationFile }, ...overrides });
}

export type RunningEngine = {
  child: ChildProcess;
  banner: string;
  done: Promise<CliResult>;
  /** SIGTERM, and the exit it led to. */
  stop: () => Promise<CliResult>;
};

export async function startEngine(config: string, data: string, extra: string[] = []) {
  const child = startCli(['engine', '--config', config, '--data', data, ...extra]);
  const done = collect(child);
  const banner = await waitForOutput(child, 'control socket', 30_000).catch(async (err) => {
    child.kill('SIGKILL');
    const result = await done;
    throw new Error(`${(err as Error).message}\nstderr: ${result.stderr}`);
  });
  return {
    child,
    banner,
    done,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  } satisfies RunningEngine;
}

/** A headless command against the engine of `data`. */
export function custody(data: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli([...args, '--data', data], { env: { CUSTODY_CONFIG: '', ...env } });
}
