import type { FastifyInstance } from 'fastify';
import {
  caseInputSchema,
  categoryInputSchema,
  departmentInputSchema,
  grantInputSchema,
} from '../../protocol/service.ts';
import { requireCase, requireRole, viewOf } from '../access.ts';
import { ApiError, parseInput } from '../api-error.ts';
import type { ServiceContext } from '../context.ts';
import { openCase } from '../open-case.ts';

type IdParams = { Params: { id: string } };

export function caseRoutes(app: FastifyInstance, { repo, store }: ServiceContext): void {
  app.get('/v1/departments', async () => ({ items: repo.listDepartments() }));

  app.post('/v1/departments', async (request, reply) => {
    requireRole(request.principal, ['admin'], 'add departments');
    const input = parseInput(departmentInputSchema, request.body, 'department');
    return reply.status(201).send(repo.createDepartment(input.name, input.isDefault));
  });

  app.get('/v1/categories', async () => ({ items: repo.listCategories() }));

  app.post('/v1/categories', async (request, reply) => {
    requireRole(request.principal, ['admin'], 'add categories');
    const input = parseInput(categoryInputSchema, request.body, 'category');
    return reply.status(201).send(repo.createCategory(input.name));
  });

  app.get('/v1/cases', async (request) => {
    const { principal } = request;
    const everything = principal.role === 'admin' || principal.role === 'supervisor';
    const cases = repo.listCases(everything ? undefined : principal.id);
    return { items: cases.map((found) => viewOf(repo, found, principal)) };
  });

  // Anyone may open a case (a workstation files a snapshot into a new one); the creator
  // manages it.
  app.post('/v1/cases', async (request, reply) => {
    const { principal } = request;
    const input = parseInput(caseInputSchema, request.body, 'case');
    const departmentId = input.departmentId ?? repo.defaultDepartment().id;
    if (!repo.getDepartment(departmentId)) {
      throw new ApiError('bad_request', `no department ${departmentId}`, [
        { path: 'departmentId', message: 'unknown department: see GET /v1/departments' },
      ]);
    }
    if (input.categoryId !== undefined && !repo.getCategory(input.categoryId)) {
      throw new ApiError('bad_request', `no category ${input.categoryId}`, [
        { path: 'categoryId', message: 'unknown category: see GET /v1/categories' },
      ]);
    }
    const created = openCase(
      repo,
      { ...input, departmentId, categoryId: input.categoryId ?? null },
      principal,
    );
    return reply.status(201).send(viewOf(repo, created, principal));
  });

  app.get<IdParams>('/v1/cases/:id', async (request) =>
    viewOf(
      repo,
      requireCase(repo, request.params.id, request.principal, 'view'),
      request.principal,
    ),
  );

  app.post<IdParams>('/v1/cases/:id/permissions', async (request) => {
    const { principal } = request;
    const caseId = request.params.id;
    requireCase(repo, caseId, principal, 'manage');
    const input = parseInput(grantInputSchema, request.body, 'permission');
    if (!repo.getPrincipal(input.principalId)) {
      throw new ApiError('bad_request', `no user or system ${input.principalId}`, [
        { path: 'principalId', message: 'unknown user or system id' },
      ]);
    }
    repo.transaction(() => {
      repo.grant(caseId, input.principalId, input.level);
      repo.addAudit({ caseId, actor: principal, action: 'case.granted', detail: { ...input } });
    });
    return { caseId, ...input };
  });

  app.get<IdParams>('/v1/cases/:id/evidence', async (request) => {
    requireCase(repo, request.params.id, request.principal, 'view');
    return { items: repo.listEvidence({ caseId: request.params.id }).map(publicEvidence) };
  });

  app.get<IdParams>('/v1/cases/:id/audit', async (request) => {
    requireCase(repo, request.params.id, request.principal, 'view');
    return { items: repo.listAudit(request.params.id) };
  });

  app.get<IdParams>('/v1/evidence/:id', async (request) => {
    const evidence = repo.getEvidence(request.params.id);
    if (!evidence) throw new ApiError('not_found', `no evidence ${request.params.id}`);
    requireCase(repo, evidence.caseId, request.principal, 'view');
    return publicEvidence(evidence);
  });

  app.get<IdParams>('/v1/evidence/:id/content', async (request, reply) => {
    const evidence = repo.getEvidence(request.params.id);
    if (!evidence) throw new ApiError('not_found', `no evidence ${request.params.id}`);
    requireCase(repo, evidence.caseId, request.principal, 'view');
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', evidence.size)
      .header('x-content-sha256', evidence.sha256)
      .send(store.read(evidence.storageId));
  });
}

/** Where the bytes sit is the service's business. */
export function publicEvidence<T extends { storageId: string }>({ storageId: _, ...rest }: T) {
  return rest;
}
