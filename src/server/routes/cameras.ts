import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { cameraListInputSchema } from '../../protocol/service.ts';
import { ApiError, parseInput } from '../api-error.ts';
import type { ServiceContext } from '../context.ts';

const cameraQuerySchema = z.object({ systemId: z.string().min(1).optional() });

export function cameraRoutes(app: FastifyInstance, { repo }: ServiceContext): void {
  // The full list each time: a camera missing from it has been removed from the workstation.
  app.put('/v1/cameras', async (request, reply) => {
    const { principal } = request;
    if (principal.kind !== 'system') {
      throw new ApiError(
        'forbidden',
        'only systems (workstations) register cameras; you are a user',
      );
    }
    const { cameras } = parseInput(cameraListInputSchema, request.body, 'camera list');
    repo.replaceCameras(principal.id, cameras);
    return reply.status(204).send();
  });

  app.get('/v1/cameras', async (request) => {
    const { systemId } = parseInput(cameraQuerySchema, request.query, 'query');
    return { items: repo.listCameras(systemId) };
  });
}
