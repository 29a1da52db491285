import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { formatCount, parseDuration } from '../core/format.ts';
import { type Integration, type Role, roleSchema } from '../protocol/service.ts';
import { createAccount } from '../server/keys.ts';
import { grantSystem, openCase } from '../server/open-case.ts';
import { SqliteRepository } from '../server/sqlite-repository.ts';
import { dataDirFor, type GlobalOptions, globalOptions } from './context.ts';
import { formatColumns, printJson } from './output.ts';

export const DEFAULT_SERVICE_PORT = 8740;

/** `--data` names the service's own directory; otherwise it sits in `<data>/service`. */
function serviceDir(options: GlobalOptions): string {
  return options.data ? path.resolve(options.data) : path.join(dataDirFor(options), 'service');
}

function withRepository<T>(options: GlobalOptions, work: (repo: SqliteRepository) => T): T {
  const repo = new SqliteRepository(serviceDir(options));
  try {
    return work(repo);
  } finally {
    repo.close();
  }
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CustodyError(
      `cannot read ${flag} ${file} (${(err as NodeJS.ErrnoException).code ?? err})`,
      `pass a PEM file to ${flag}`,
      ExitCode.badInput,
      { cause: err },
    );
  }
}

function tlsOf(opts: { cert?: string; key?: string }): { cert: string; key: string } | undefined {
  if (!opts.cert && !opts.key) return undefined;
  if (!opts.cert || !opts.key) {
    throw new CustodyError(
      '--cert and --key go together',
      'pass both PEM files, or neither for plain HTTP',
      ExitCode.badInput,
    );
  }
  return { cert: readPem(opts.cert, '--cert'), key: readPem(opts.key, '--key') };
}

function portOf(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CustodyError(
      `--port "${text}" is not a port`,
      'use a whole number from 0 to 65535 (0 = any free port)',
      ExitCode.badInput,
    );
  }
  return port;
}

function durationOf(text: string, flag: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok)
    throw new CustodyError(
      `${flag} "${text}" is not a duration`,
      parsed.message,
      ExitCode.badInput,
    );
  return parsed.ms;
}

function roleOf(text: string): Role {
  const parsed = roleSchema.safeParse(text);
  if (!parsed.success) {
    throw new CustodyError(
      `--role "${text}" is not a role`,
      `use ${roleSchema.options.join(', ')}`,
      ExitCode.badInput,
    );
  }
  return parsed.data;
}

function fingerprintOf(certFile: string): string {
  return new X509Certificate(readPem(certFile, '--cert')).fingerprint256;
}

export function registerServer(program: Command): void {
  const server = program
    .command('server')
    .description('run the reference evidence service, or manage its accounts and cases')
    .option('--port <port>', `port to listen on (0 = any free port)`, String(DEFAULT_SERVICE_PORT))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--cert <file>', 'TLS certificate (PEM); with --key serves HTTPS')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--request-expiry <duration>', 'undecided requests expire after this long', '7d')
    .addHelpText('after', '\nThe service keeps its files in --data DIR (default ./data/service).')
    .action(
      async (
        opts: { port: string; host: string; cert?: string; key?: string; requestExpiry: string },
        command: Command,
      ) => {
        const options = globalOptions(command);
        // fastify and tus load only here: every other command, the console first, starts faster.
        const { createServer } = await import('../server/server.ts');
        const running = await createServer({
          dataDir: serviceDir(options),
          host: opts.host,
          port: portOf(opts.port),
          tls: tlsOf(opts),
          requestExpiryMs: durationOf(opts.requestExpiry, '--request-expiry'),
        }).catch((err: NodeJS.ErrnoException) => {
          if (err instanceof CustodyError) throw err;
          throw new CustodyError(
            `cannot listen on ${opts.host}:${opts.port} (${err.code ?? err.message})`,
            'pick another --port or stop whatever holds it',
            ExitCode.failed,
            { cause: err },
          );
        });
        process.stdout.write(
          `Evidence service listening on ${running.url} (data in ${serviceDir(options)})\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await running.close();
      },
    );

  server
    .command('associate')
    .description('register a workstation and write the integration file its engine imports')
    .requiredOption('--name <name>', 'workstation name, e.g. "Station 1"')
    .requiredOption('--out <file>', 'integration file to write (mode 0600: it holds the API key)')
    .option(
      '--url <url>',
      'service URL as the workstation reaches it',
      `http://127.0.0.1:${DEFAULT_SERVICE_PORT}`,
    )
    .option('--cert <file>', 'the service TLS certificate, to pin its fingerprint')
    .action((opts: { name: string; out: string; url: string }, command: Command) => {
      const options = globalOptions(command);
      // `server` has a --cert of its own (the certificate it serves), and commander gives the
      // flag to it even after `associate`: read it from whichever command took it.
      const { cert } = command.optsWithGlobals<{ cert?: string }>();
      const out = path.resolve(opts.out);
      if (existsSync(out)) {
        throw new CustodyError(
          `${out} already exists`,
          'choose another --out, or move the old file away first',
          ExitCode.badInput,
        );
      }
      if (!/^https?:\/\/[^/]+/.test(opts.url)) {
        throw new CustodyError(
          `--url "${opts.url}" is not an http(s) URL`,
          'use e.g. --url https://evidence.example.org:8740',
          ExitCode.badInput,
        );
      }
      if (cert && !/^https:/i.test(opts.url)) {
        throw new CustodyError(
          `--cert pins the service's TLS certificate, but --url ${opts.url} is plain HTTP`,
          'pass --url https://HOST:PORT as the workstation reaches the service',
          ExitCode.badInput,
        );
      }
      const caFingerprint = cert ? fingerprintOf(cert) : undefined;
      const { principal, key } = withRepository(options, (repo) =>
        createAccount(repo, { kind: 'system', name: opts.name, role: null }),
      );
      const integration: Integration = {
        version: 1,
        url: opts.url.replace(/\/+$/, ''),
        systemId: principal.id,
        systemName: principal.name,
        apiKey: key,
        ...(caFingerprint ? { caFingerprint } : {}),
      };
      writeFileSync(out, `${JSON.stringify(integration, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      if (options.json) printJson({ systemId: principal.id, name: principal.name, file: out });
      else
        process.stdout.write(
          `Associated ${principal.name} as ${principal.id}; integration file ${out} (keep it private: it holds the API key)\n`,
        );
    });

  const user = server.command('user').description('service user accounts');
  user
    .command('add')
    .description("add a user and print the user's API key (shown once)")
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--role <role>', 'investigator, supervisor or admin')
    .action((opts: { name: string; role: string }, command: Command) => {
      const options = globalOptions(command);
      const role = roleOf(opts.role);
      const { principal, key } = withRepository(options, (repo) =>
        createAccount(repo, { kind: 'user', name: opts.name, role }),
      );
      if (options.json) printJson({ ...principal, key });
      else
        process.stdout.write(
          `${formatColumns([
            ['id', principal.id],
            ['name', principal.name],
            ['role', role],
            ['key', key],
          ])}\nThe key is shown only now; store it safely.\n`,
        );
    });

  for (const [name, active] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    user
      .command(name)
      .description(
        `${active ? 'reactivate' : 'deactivate'} a user or system (inactive: 403 on every call)`,
      )
      .argument('<id>', 'user or system id')
      .action((id: string, _opts: unknown, command: Command) => {
        const changed = withRepository(globalOptions(command), (repo) =>
          repo.setActive(id, active),
        );
        if (!changed) {
          throw new CustodyError(
            `no user or system ${id}`,
            'check the id (user add and associate print it)',
            ExitCode.badInput,
          );
        }
        process.stdout.write(`${id} is now ${active ? 'active' : 'inactive'}\n`);
      });
  }

  server
    .command('revoke')
    .description('revoke every API key of a user or system at once')
    .argument('<id>', 'user or system id')
    .action((id: string, _opts: unknown, command: Command) => {
      const options = globalOptions(command);
      const revoked = withRepository(options, (repo) => {
        if (!repo.getPrincipal(id)) {
          throw new CustodyError(
            `no user or system ${id}`,
            'check the id (custody server associate and user add print it)',
            ExitCode.badInput,
          );
        }
        return repo.revokeKeys(id);
      });
      process.stdout.write(`Revoked ${formatCount(revoked, 'key')} of ${id}\n`);
    });

  const kase = server.command('case').description('cases on the service');
  kase
    .command('add')
    .description('open a case, managed by --owner, optionally granting systems access')
    .requiredOption('--name <name>', 'case name')
    .requiredOption('--owner <userId>', 'user who manages the case')
    .option('--description <text>', 'description', '')
    .option(
      '--grant-system <id>',
      'give a system manage on the case (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(
      (
        opts: { name: string; owner: string; description: string; grantSystem?: string[] },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const created = withRepository(options, (repo) =>
          repo.transaction(() => {
            const owner = repo.getPrincipal(opts.owner);
            if (owner?.kind !== 'user') {
              throw new CustodyError(
                `--owner ${opts.owner} is not a user`,
                'pass a user id from `custody server user add`',
                ExitCode.badInput,
              );
            }
            const found = openCase(
              repo,
              {
                name: opts.name,
                departmentId: repo.defaultDepartment().id,
                categoryId: null,
                description: opts.description,
                info: {},
              },
              owner,
            );
            for (const systemId of opts.grantSystem ?? []) {
              if (repo.getPrincipal(systemId)?.kind !== 'system') {
                throw new CustodyError(
                  `--grant-system ${systemId} is not a system`,
                  'pass a system id from `custody server associate`',
                  ExitCode.badInput,
                );
              }
              grantSystem(repo, found.id, systemId, owner);
            }
            return found;
          }),
        );
        if (options.json) printJson(created);
        else process.stdout.write(`Opened case ${created.id} "${created.name}"\n`);
      },
    );
}
