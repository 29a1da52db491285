import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.ts';

export function accountRoutes(app: FastifyInstance, { repo }: ServiceContext): void {
  app.get('/v1/me', async (request) => request.principal);

  // Investigators pick the system (workstation) a request goes to from this list.
  app.get('/v1/systems', async () => ({
    items: repo.listPrincipals('system').map(({ id, name, active }) => ({ id, name, active })),
  }));
}
