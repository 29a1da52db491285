// A real `custody server` process set up as a site would do it: a workstation associated (its
// integration file pointing at this run's port), an investigator and a case the workstation
// may deliver into. For tests that drive the service through the CLI, as investigators do.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { collect, runCli, startCli, waitForOutput } from './cli.ts';

/** An investigator on a service, with a case the workstation may deliver into. */
export type Investigator = {
  systemId: string;
  investigatorKey: string;
  caseId: string;
  /** The investigator asks, with `custody request create`, for the last four seconds of footage. */
  requestFootage: (cameras: string[], reason: string) => Promise<string>;
};

export type ServiceProcess = Investigator & {
  url: string;
  integrationFile: string;
  stop: () => Promise<void>;
};

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runCli(args, { env });
  if (result.code !== 0) throw new Error(`custody ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

export async function startServiceProcess(
  dir: string,
  options: { workstation?: string } = {},
): Promise<ServiceProcess> {
  const data = path.join(dir, 'service');
  const integrationFile = path.join(dir, 'integration.json');
  const workstation = options.workstation ?? 'Station 1';
  await cli([
    'server',
    'associate',
    '--name',
    workstation,
    '--out',
    integrationFile,
    '--data',
    data,
  ]);
  const { systemId } = JSON.parse(readFileSync(integrationFile, 'utf8')) as { systemId: string };
  const server = startCli(['server', '--port', '0', '--data', data]);
  const url = /listening on (\S+)/.exec(await waitForOutput(server, 'listening on'))?.[1] ?? '';
  // The integration file names the default port; point it at this run's.
  const integration = JSON.parse(readFileSync(integrationFile, 'utf8'));
  writeFileSync(integrationFile, JSON.stringify({ ...integration, url }), { mode: 0o600 });
  return {
    url,
    integrationFile,
    ...(await investigatorOn(data, url, systemId)),
    stop: async () => {
      server.kill('SIGTERM');
      await collect(server);
    },
  };
}

/**
 * An investigator and a case granted to `systemId`, added with the CLI to the service whose
 * data is `data` and which listens at `url` (a separate server or an engine's embedded one).
 */
export async function investigatorOn(
  data: string,
  url: string,
  systemId: string,
): Promise<Investigator> {
  const investigator = JSON.parse(
    await cli([
      'server',
      'user',
      'add',
      '--name',
      'Ivy',
      '--role',
      'investigator',
      '--data',
      data,
      '--json',
    ]),
  ) as { id: string; key: string };
  const kase = JSON.parse(
    await cli([
      'server',
      'case',
      'add',
      '--name',
      'Burglary',
      '--owner',
      investigator.id,
      '--grant-system',
      systemId,
      '--data',
      data,
      '--json',
    ]),
  ) as { id: string };
  return {
    systemId,
    investigatorKey: investigator.key,
    caseId: kase.id,
    requestFootage: async (cameras, reason) => {
      const to = new Date(Date.now() - 1500);
      const from = new Date(to.getTime() - 4000);
      const created = await cli(
        [
          'request',
          'create',
          '--system',
          systemId,
          '--cameras',
          cameras.join(','),
          '--from',
          from.toISOString(),
          '--to',
          to.toISOString(),
          '--case',
          kase.id,
          '--reason',
          reason,
          '--json',
        ],
        { CUSTODY_SERVICE_URL: url, CUSTODY_SERVICE_KEY: investigator.key },
      );
      return (JSON.parse(created) as { id: string }).id;
    },
  };
}
