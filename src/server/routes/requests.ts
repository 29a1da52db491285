import type { FastifyInstance } from 'fastify';
import { canMoveTo, isUndecided } from '../../core/request-state.ts';
import {
  type Actor,
  decisionInputSchema,
  type Principal,
  type RequestDetail,
  requestCreateSchema,
  requestPageQuerySchema,
  stateReportSchema,
  type VideoRequest,
} from '../../protocol/service.ts';
import { hasLevel, requireCase, requireRole } from '../access.ts';
import { ApiError, parseInput } from '../api-error.ts';
import type { ServiceContext } from '../context.ts';
import type { RequestChange } from '../repository.ts';
import { publicEvidence } from './cases.ts';

type IdParams = { Params: { id: string } };

/**
 * Every change moves the request to a new cursor, goes into the case's audit trail and is
 * pushed to the system, so the push stream and the catch-up list are the same feed.
 */
export function changeRequest(
  ctx: ServiceContext,
  request: VideoRequest,
  change: RequestChange,
  actor: Actor | null,
): VideoRequest {
  const { repo, hub } = ctx;
  const changed = repo.transaction(() => {
    const updated = repo.changeRequest(request.id, change);
    repo.addAudit({
      caseId: request.caseId,
      actor,
      action: change.decision
        ? 'request.decided'
        : change.state === 'expired'
          ? 'request.expired'
          : 'request.state',
      detail: {
        requestId: request.id,
        from: request.state,
        to: change.state,
        ...(change.decision?.reason ? { reason: change.decision.reason } : {}),
        ...(change.failureReason ? { reason: change.failureReason } : {}),
      },
    });
    return updated;
  });
  hub.send(changed.systemId, { type: 'request', request: changed });
  return changed;
}

export function expireDueRequests(ctx: ServiceContext): number {
  const due = ctx.repo.dueToExpire(ctx.now().toISOString());
  for (const request of due) changeRequest(ctx, request, { state: 'expired' }, null);
  return due.length;
}

export function requestRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { repo, hub } = ctx;

  /** Systems see requests addressed to them; investigators their own; supervisors all. */
  function visible(principal: Principal, request: VideoRequest): boolean {
    if (principal.kind === 'system') return request.systemId === principal.id;
    if (principal.role === 'investigator') {
      return (
        request.createdBy.id === principal.id || hasLevel(repo, request.caseId, principal, 'view')
      );
    }
    return true;
  }

  function find(principal: Principal, id: string): VideoRequest {
    const request = repo.getRequest(id);
    if (!request || !visible(principal, request)) {
      throw new ApiError('not_found', `no request ${id} — check the id with GET /v1/requests`);
    }
    return request;
  }

  app.post('/v1/requests', async (request, reply) => {
    const { principal } = request;
    requireRole(principal, ['investigator', 'supervisor', 'admin'], 'request footage');
    const input = parseInput(requestCreateSchema, request.body, 'request');
    const system = repo.getPrincipal(input.systemId);
    if (system?.kind !== 'system') {
      throw new ApiError('bad_request', `no system ${input.systemId}`, [
        { path: 'systemId', message: 'unknown system: see GET /v1/systems' },
      ]);
    }
    if (!system.active) {
      throw new ApiError('bad_request', `system ${system.name} is inactive`, [
        { path: 'systemId', message: 'the system is inactive: ask the service admin' },
      ]);
    }
    // The footage will be filed into this case, so asking for it takes manage.
    requireCase(repo, input.caseId, principal, 'manage');
    const known = new Set(repo.listCameras(system.id).map((c) => c.id));
    const unknown = input.cameras.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ApiError(
        'bad_request',
        `system ${system.name} has no camera ${unknown.join(', ')}`,
        [
          {
            path: 'cameras',
            message: `unknown camera ${unknown.join(', ')}: see GET /v1/cameras?systemId=${system.id}`,
          },
        ],
      );
    }
    const expiresAt = new Date(ctx.now().getTime() + ctx.requestExpiryMs).toISOString();
    const created = repo.transaction(() => {
      const made = repo.createRequest(system.id, { ...input, createdBy: principal, expiresAt });
      repo.addAudit({
        caseId: made.caseId,
        actor: principal,
        action: 'request.created',
        detail: { requestId: made.id, systemId: made.systemId, cameras: made.cameras },
      });
      return made;
    });
    hub.send(system.id, { type: 'request', request: created });
    return reply.status(201).send(created);
  });

  app.get('/v1/requests', async (request) => {
    const { principal } = request;
    const page = parseInput(requestPageQuerySchema, request.query, 'query');
    const items = repo.listRequests({
      ...page,
      systemId: principal.kind === 'system' ? principal.id : undefined,
      createdBy: principal.role === 'investigator' ? principal.id : undefined,
    });
    return { items, cursor: items.at(-1)?.cursor ?? page.after };
  });

  app.get<IdParams>('/v1/requests/:id', async (request): Promise<RequestDetail> => {
    const found = find(request.principal, request.params.id);
    return { ...found, evidence: repo.listEvidence({ requestId: found.id }).map(publicEvidence) };
  });

  app.post<IdParams>('/v1/requests/:id/state', async (request) => {
    const { principal } = request;
    const found = find(principal, request.params.id);
    if (principal.kind !== 'system') {
      throw new ApiError(
        'forbidden',
        'only the system the request is addressed to reports its state',
      );
    }
    const report = parseInput(stateReportSchema, request.body, 'state report');
    if (found.state === report.state) return found;
    if (!canMoveTo(found.state, report.state)) {
      throw new ApiError(
        'conflict',
        `request ${found.id} is ${found.state} and cannot become ${report.state}`,
      );
    }
    return changeRequest(
      ctx,
      found,
      { state: report.state, failureReason: report.reason },
      principal,
    );
  });

  app.post<IdParams>('/v1/requests/:id/decision', async (request) => {
    const { principal } = request;
    const found = find(principal, request.params.id);
    if (principal.kind === 'user')
      requireRole(principal, ['supervisor', 'admin'], 'decide requests');
    const input = parseInput(decisionInputSchema, request.body, 'decision');
    if (!isUndecided(found.state)) {
      throw new ApiError(
        'conflict',
        `request ${found.id} is already ${found.state}; a decision is final`,
      );
    }
    const decision = {
      decision: input.decision,
      reason: input.reason ?? null,
      by: { id: principal.id, kind: principal.kind, name: principal.name },
      at: ctx.now().toISOString(),
    };
    const state = input.decision === 'approve' ? 'approved' : 'denied';
    return changeRequest(ctx, found, { state, decision }, principal);
  });
}
