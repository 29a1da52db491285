/**
 * The demo's investigator: asks this workstation for footage through the embedded service's API,
 * as a real investigator's client would, so a first run shows a request arrive, export into the
 * buffer and wait for a decision without setting up accounts and cases by hand.
 *
 * Only on the embedded service, and with no standing credential: the account, "Demo
 * investigator", holds a key for the one call and loses it right after.
 */
import { CustodyError, ExitCode } from '../../core/errors.ts';
import type { CommandOutput } from '../../protocol/control.ts';
import type { VideoRequest } from '../../protocol/service.ts';
import { issueKey } from '../../server/keys.ts';
import { grantSystem, openCase } from '../../server/open-case.ts';
import type { Repository } from '../../server/repository.ts';
import type { ParsedInput } from '../commands.ts';
import type { EmbeddedService } from './embedded.ts';
import { ServiceRestClient } from './rest-client.ts';

export const DEMO_INVESTIGATOR = 'Demo investigator';
export const DEMO_CASE = 'Demo case';

type Camera = { id: string; segmentSeconds: number };

/** The last `seconds` of the chosen cameras (all by default), asked for as the demo investigator. */
export async function demoRequest(
  embedded: EmbeddedService,
  cameras: readonly Camera[],
  input: ParsedInput<'demo.request'>,
  now: Date,
): Promise<CommandOutput<'demo.request'>> {
  const known = cameras.map((camera) => camera.id);
  const chosen = input.cameras ?? known;
  const unknown = chosen.filter((id) => !known.includes(id));
  if (chosen.length === 0 || unknown.length > 0) {
    throw new CustodyError(
      chosen.length === 0 ? 'this engine has no cameras' : `no camera ${unknown.join(', ')}`,
      known.length > 0
        ? `name cameras of this engine: ${known.join(', ')}`
        : 'add cameras to the config',
      ExitCode.badInput,
    );
  }
  // Ending before the segment being written: footage still in it is not in the archive yet,
  // and every demo request would end on a gap.
  const segmentMs = Math.max(
    ...cameras.filter((camera) => chosen.includes(camera.id)).map((c) => c.segmentSeconds * 1000),
  );
  const to = new Date(now.getTime() - segmentMs - 1000);
  const from = new Date(to.getTime() - input.seconds * 1000);
  const request = await askAsDemoInvestigator(embedded, {
    cameras: chosen,
    from: from.toISOString(),
    to: to.toISOString(),
    reason: input.reason,
  });
  return {
    id: request.id,
    state: request.state,
    cameras: request.cameras,
    from: request.from,
    to: request.to,
    caseId: request.caseId,
    requester: request.createdBy.name,
  };
}

type DemoAsk = { cameras: string[]; from: string; to: string; reason: string };

async function askAsDemoInvestigator(
  embedded: EmbeddedService,
  ask: DemoAsk,
): Promise<VideoRequest> {
  const repo = embedded.server.repository;
  const { systemId } = embedded.integration;
  const { investigatorId, caseId } = demoAccount(repo, systemId);
  const apiKey = issueKey(repo, investigatorId);
  try {
    const client = new ServiceRestClient({ url: embedded.integration.url, apiKey });
    return await client.createRequest({ systemId, caseId, ...ask });
  } finally {
    repo.revokeKeys(investigatorId);
  }
}

/** The demo investigator and its case, made the first time, found after. */
function demoAccount(repo: Repository, systemId: string) {
  return repo.transaction(() => {
    const investigator =
      repo
        .listPrincipals('user')
        .find((p) => p.name === DEMO_INVESTIGATOR && p.role === 'investigator') ??
      repo.createPrincipal({ kind: 'user', name: DEMO_INVESTIGATOR, role: 'investigator' });
    const kase =
      repo.listCases(investigator.id).find((c) => c.name === DEMO_CASE) ??
      openCase(
        repo,
        {
          name: DEMO_CASE,
          departmentId: repo.defaultDepartment().id,
          categoryId: null,
          description: 'Footage asked for with `custody request demo`',
          info: {},
        },
        investigator,
      );
    // Again each time: the workstation's account is new when its data was reset.
    if (repo.permissionOf(kase.id, systemId) !== 'manage') {
      grantSystem(repo, kase.id, systemId, investigator);
    }
    return { investigatorId: investigator.id, caseId: kase.id };
  });
}
