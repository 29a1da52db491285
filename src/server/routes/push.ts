import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.ts';
import type { ServiceContext } from '../context.ts';

/**
 * Push only; a system never sends on this socket. Authentication runs in the onRequest hook
 * before the upgrade, so a bad key gets a plain 401 response, not a socket.
 */
export function pushRoutes(app: FastifyInstance, { hub }: ServiceContext): void {
  app.get(
    '/v1/push',
    {
      websocket: true,
      preHandler: async (request) => {
        if (request.principal.kind !== 'system') {
          throw new ApiError(
            'forbidden',
            'push is for systems (workstations); users poll GET /v1/requests',
          );
        }
      },
    },
    (socket, request) => {
      hub.add(request.principal.id, socket, request.keyHash);
    },
  );
}
