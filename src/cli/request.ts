import type { Command } from 'commander';
import { CustodyError, ExitCode } from '../core/errors.ts';
import type { ServiceRestClient } from '../engine/service/rest-client.ts';
import type { RequestDetail, VideoRequest } from '../protocol/service.ts';
import { globalOptions } from './context.ts';
import { withEngine } from './engine-link.ts';
import { formatColumns, printJson } from './output.ts';

type ServiceOptions = { service?: string; key?: string; caFingerprint?: string };

async function clientFor(opts: ServiceOptions, env = process.env): Promise<ServiceRestClient> {
  const url = opts.service || env.CUSTODY_SERVICE_URL;
  const apiKey = opts.key || env.CUSTODY_SERVICE_KEY;
  if (!url) {
    throw new CustodyError(
      'no evidence service named',
      'pass --service URL or set CUSTODY_SERVICE_URL',
      ExitCode.badInput,
    );
  }
  if (!/^https?:\/\/[^/]+/.test(url)) {
    throw new CustodyError(
      `--service "${url}" is not an http(s) URL`,
      'use e.g. --service http://127.0.0.1:8740',
      ExitCode.badInput,
    );
  }
  if (!apiKey) {
    throw new CustodyError(
      'no API key',
      'set CUSTODY_SERVICE_KEY (or pass --key) to the key `custody server user add` printed',
      ExitCode.badInput,
    );
  }
  const caFingerprint = await pinOf(opts.caFingerprint || env.CUSTODY_SERVICE_FINGERPRINT, url);
  // got loads only for the commands that talk to a service, not for every start of the console.
  const { ServiceRestClient } = await import('../engine/service/rest-client.ts');
  return new ServiceRestClient({ url, apiKey, ...(caFingerprint ? { caFingerprint } : {}) });
}

/** A service with a self-signed certificate is trusted by its fingerprint, as workstations do. */
async function pinOf(text: string | undefined, url: string): Promise<string | undefined> {
  if (!text) return undefined;
  const pin = text.trim().toUpperCase();
  const { fingerprintSchema } = await import('../protocol/service.ts');
  if (!fingerprintSchema.safeParse(pin).success) {
    throw new CustodyError(
      `--ca-fingerprint "${text}" is not a SHA-256 fingerprint`,
      'copy it from the integration file (caFingerprint) or `openssl x509 -noout -fingerprint -sha256 -in CERT`: 32 hex pairs joined by colons',
      ExitCode.badInput,
    );
  }
  if (!/^https:/i.test(url)) {
    throw new CustodyError(
      `--ca-fingerprint pins a TLS certificate, but ${url} is plain http`,
      'use the https:// address of the service',
      ExitCode.badInput,
    );
  }
  return pin;
}

const withService = (command: Command): Command =>
  command
    .option('--service <url>', 'evidence service URL (env CUSTODY_SERVICE_URL)')
    .option('--key <key>', 'your API key (env CUSTODY_SERVICE_KEY, preferred: keeps it out of ps)')
    .option(
      '--ca-fingerprint <sha256>',
      "trust the service's TLS certificate by this fingerprint, e.g. a self-signed one (env CUSTODY_SERVICE_FINGERPRINT)",
    );

function listOf(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z');

function describe(request: RequestDetail): string {
  const rows = [
    ['request', request.id],
    ['state', request.state],
    ['system', request.systemId],
    ['case', request.caseId],
    ['cameras', request.cameras.join(', ')],
    ['footage', `${time(request.from)} → ${time(request.to)}`],
    ['reason', request.reason],
    ['asked by', `${request.createdBy.name} at ${time(request.createdAt)}`],
    ['expires', time(request.expiresAt)],
  ];
  if (request.decision) {
    const { decision, by, at, reason } = request.decision;
    rows.push([
      'decision',
      `${decision === 'approve' ? 'approved' : 'denied'} by ${by.name} at ${time(at)}${reason ? `: ${reason}` : ''}`,
    ]);
  }
  if (request.failureReason) rows.push(['failure', request.failureReason]);
  for (const evidence of request.evidence) {
    rows.push(['evidence', `${evidence.id}  ${evidence.filename}  sha256 ${evidence.sha256}`]);
  }
  return formatColumns(rows);
}

function summary(requests: VideoRequest[]): string {
  if (requests.length === 0) return 'No requests.';
  return formatColumns([
    ['ID', 'STATE', 'CASE', 'CAMERAS', 'FROM', 'REASON'],
    ...requests.map((r) => [r.id, r.state, r.caseId, r.cameras.join(','), time(r.from), r.reason]),
  ]);
}

export function registerRequest(program: Command): void {
  const request = program
    .command('request')
    .description('ask a workstation for footage and follow the request');

  withService(request.command('create'))
    .description('ask a system (workstation) for footage of some cameras over a time range')
    .requiredOption('--system <id>', 'system id (see the service admin)')
    .requiredOption('--cameras <ids>', 'camera ids, comma-separated: cam-1,cam-2')
    .requiredOption('--from <time>', 'start, ISO 8601: 2026-11-24T08:00:00Z')
    .requiredOption('--to <time>', 'end, ISO 8601')
    .requiredOption('--case <id>', 'case the footage is filed into (you need manage on it)')
    .requiredOption('--reason <text>', 'why the footage is needed')
    .action(
      async (
        opts: ServiceOptions &
          Record<'system' | 'cameras' | 'from' | 'to' | 'case' | 'reason', string>,
        command: Command,
      ) => {
        const options = globalOptions(command);
        const client = await clientFor(opts);
        const created = await client.createRequest({
          systemId: opts.system,
          cameras: listOf(opts.cameras),
          from: opts.from,
          to: opts.to,
          caseId: opts.case,
          reason: opts.reason,
        });
        if (options.json) printJson(created);
        else
          process.stdout.write(
            `Request ${created.id} sent to ${created.systemId}: ${created.state}\n`,
          );
      },
    );

  withService(request.command('status'))
    .description('show a request, its decision and, once delivered, its evidence')
    .argument('<id>', 'request id')
    .action(async (id: string, opts: ServiceOptions, command: Command) => {
      const options = globalOptions(command);
      const client = await clientFor(opts);
      const found = await client.getRequest(id);
      if (options.json) printJson(found);
      else process.stdout.write(`${describe(found)}\n`);
    });

  withService(request.command('decide'))
    .description(
      'approve or deny a request as a supervisor; the workstation then delivers or destroys the footage',
    )
    .argument('<id>', 'request id')
    .option('--approve', 'deliver the footage to the case')
    .option('--deny', 'have the footage destroyed, never sent')
    .option('--reason <text>', 'why (needed to deny; the requester sees it)')
    .action(
      async (
        id: string,
        opts: ServiceOptions & { approve?: boolean; deny?: boolean; reason?: string },
        command: Command,
      ) => {
        const options = globalOptions(command);
        if (Boolean(opts.approve) === Boolean(opts.deny)) {
          throw new CustodyError(
            'say either --approve or --deny',
            `e.g. custody request decide ${id} --deny --reason "outside the case's scope"`,
            ExitCode.badInput,
          );
        }
        const reason = opts.reason?.trim();
        if (opts.deny && !reason) {
          throw new CustodyError(
            'a denial needs a --reason',
            'add --reason "…": the requester sees it',
            ExitCode.badInput,
          );
        }
        const client = await clientFor(opts);
        const decided = await client.decide(id, {
          decision: opts.approve ? 'approve' : 'deny',
          ...(reason ? { reason } : {}),
        });
        if (options.json) printJson(decided);
        else process.stdout.write(`Request ${decided.id}: ${decided.state}\n`);
      },
    );

  request
    .command('demo')
    .description(
      "on the demo: the demo investigator asks this workstation for the last seconds of footage, through its embedded service, as an investigator's client would",
    )
    .option('--cameras <ids>', 'camera ids, comma-separated (default: every camera)')
    .option('--seconds <n>', 'how many seconds, up to 600', '20')
    .option('--reason <text>', 'why, as the investigator would say')
    .action((opts: { cameras?: string; seconds: string; reason?: string }, command: Command) =>
      withEngine(command, async (engine, options) => {
        const seconds = Number(opts.seconds);
        if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) {
          throw new CustodyError(
            `--seconds "${opts.seconds}" is not a whole number from 1 to 600`,
            'e.g. --seconds 30',
            ExitCode.badInput,
          );
        }
        const asked = await engine.run('demo.request', {
          seconds,
          ...(opts.cameras ? { cameras: listOf(opts.cameras) } : {}),
          ...(opts.reason ? { reason: opts.reason } : {}),
        });
        if (options.json) printJson(asked);
        else
          process.stdout.write(
            `Request ${asked.id} from ${asked.requester} for ${asked.cameras.join(', ')}, ${time(asked.from)} → ${time(asked.to)}: ${asked.state}; it is in the console's Inbox\n`,
          );
      }),
    );

  withService(request.command('list'))
    .description('list your requests (supervisors: all requests)')
    .action(async (opts: ServiceOptions, command: Command) => {
      const options = globalOptions(command);
      const client = await clientFor(opts);
      const items: VideoRequest[] = [];
      for (let after = 0; ; ) {
        const page = await client.listRequests(after, 500);
        items.push(...page.items);
        if (page.items.length < 500) break;
        after = page.cursor;
      }
      if (options.json) printJson(items);
      else process.stdout.write(`${summary(items)}\n`);
    });
}
