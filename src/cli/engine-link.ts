import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { parseDuration } from '../core/format.ts';
import type { ConnectOptions, EngineTarget, RemoteEngine } from '../engine/control/client.ts';
import type { CaseChoice } from '../protocol/control.ts';
import { dataDirFor, type GlobalOptions, globalOptions, loadConfigFor } from './context.ts';

/**
 * The data directory of the engine to talk to. `--data` (or CUSTODY_DATA) is enough on its
 * own; otherwise the config names it.
 */
export function engineDataDir(options: GlobalOptions, env = process.env): string {
  if (options.data || env.CUSTODY_DATA) return dataDirFor(options, undefined, env);
  return dataDirFor(options, loadConfigFor(options, env), env);
}

export type TcpOptions = { connect?: string; tokenFile?: string };

/** The engine's socket, or a loopback port (`--connect`, env CUSTODY_ENGINE_URL) with a token. */
export function engineTarget(
  options: GlobalOptions,
  tcp: TcpOptions = {},
  env = process.env,
): EngineTarget {
  const url = tcp.connect || env.CUSTODY_ENGINE_URL;
  if (!url) return { dataDir: engineDataDir(options, env) };
  const tokenFile = tcp.tokenFile || env.CUSTODY_ENGINE_TOKEN_FILE;
  let token = tokenFile ? undefined : env.CUSTODY_ENGINE_TOKEN;
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new CustodyError(
        `cannot read the token file ${tokenFile} (${(err as NodeJS.ErrnoException).code ?? err})`,
        'name the engine.token file of the engine (it is readable by its user only)',
        ExitCode.badInput,
      );
    }
  }
  if (!token) {
    throw new CustodyError(
      `no token for ${url}`,
      'pass --token-file <data>/engine.token, or set CUSTODY_ENGINE_TOKEN',
      ExitCode.badInput,
    );
  }
  return { url: url.includes('://') ? url : `ws://${url}/`, token };
}

/** Runs `work` against the running engine and always hangs up afterwards. */
export async function withEngine<T>(
  command: Command,
  work: (engine: RemoteEngine, options: GlobalOptions) => Promise<T>,
  connectOptions: ConnectOptions = {},
): Promise<T> {
  const options = globalOptions(command);
  const { connectEngine } = await import('../engine/control/client.ts');
  const engine = await connectEngine(engineTarget(options), connectOptions);
  try {
    return await work(engine, options);
  } finally {
    await engine.close();
  }
}

export function badInput(what: string, fix: string): CustodyError {
  return new CustodyError(what, fix, ExitCode.badInput);
}

export type CaseOptions = {
  case?: string | false;
  newCase?: string;
  department?: string;
  category?: string;
};

/** `--case ID | --new-case NAME [--department D] [--category C] | --no-case` (default none). */
export function withCaseOptions(command: Command): Command {
  return command
    .option('--case <id>', 'file into this existing case')
    .option('--new-case <name>', 'file into a new case of this name')
    .option('--department <id>', 'department of the new case (default: the service default)')
    .option('--category <id>', 'category of the new case')
    .option('--no-case', 'file into no case (the default)');
}

/** Commander folds `--case X --no-case` into one value: the words typed tell them apart. */
export function caseFlags(command: Command): { case: boolean; noCase: boolean } {
  let root = command;
  while (root.parent) root = root.parent;
  const typed = (root as Command & { rawArgs?: string[] }).rawArgs ?? [];
  return {
    case: typed.some((arg) => arg === '--case' || arg.startsWith('--case=')),
    noCase: typed.includes('--no-case'),
  };
}

export function caseChoiceOf(
  opts: CaseOptions,
  typed?: { case: boolean; noCase: boolean },
): CaseChoice {
  const chosen = [
    typeof opts.case === 'string' || Boolean(typed?.case),
    opts.newCase !== undefined,
    opts.case === false || Boolean(typed?.noCase),
  ];
  if (chosen.filter(Boolean).length > 1) {
    throw badInput(
      '--case, --new-case and --no-case exclude each other',
      'choose one of them (or none: no case)',
    );
  }
  if ((opts.department || opts.category) && opts.newCase === undefined) {
    throw badInput(
      '--department and --category describe a new case',
      'use them with --new-case NAME',
    );
  }
  if (typeof opts.case === 'string') {
    if (opts.case.trim() === '') throw badInput('--case is empty', 'give the case id');
    return { id: opts.case.trim() };
  }
  if (opts.newCase !== undefined) {
    if (opts.newCase.trim() === '') throw badInput('--new-case is empty', 'name the new case');
    return {
      newCase: opts.newCase.trim(),
      ...(opts.department ? { departmentId: opts.department } : {}),
      ...(opts.category ? { categoryId: opts.category } : {}),
    };
  }
  return 'none';
}

/** An ISO time (`2026-11-25T08:00:00Z`, local without offset) or a duration ago (`90s`, `5m`). */
export function timeOption(name: string, text: string, now = new Date()): string {
  const duration = parseDuration(text);
  if (duration.ok) return new Date(now.getTime() - duration.ms).toISOString();
  const at = new Date(text);
  if (!/^\d{4}-\d\d-\d\d/.test(text) || Number.isNaN(at.getTime())) {
    throw badInput(
      `${name} "${text}" is neither a time nor a duration ago`,
      'use an ISO time like 2026-11-25T08:00:00Z, or a duration ago like 90s or 5m',
    );
  }
  return at.toISOString();
}

export const shortTime = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z');
