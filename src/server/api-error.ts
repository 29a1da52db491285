import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ApiErrorBody, ApiErrorCode, FieldError } from '../protocol/service.ts';

const statusOf: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  // The tus checksum extension's status for "the bytes do not match the announced checksum".
  checksum_mismatch: 460,
  internal: 500,
};

/** Thrown by routes and hooks; the error handler turns it into the documented body. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return statusOf[this.code];
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, fields: this.fields } };
  }
}

/** Parses with a protocol schema; a failure names every bad field and what it should be. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}`
        : issue.message,
  }));
  const list = fields.map((f) => `${f.path}: ${f.message}`).join('; ');
  throw new ApiError('bad_request', `invalid ${what} — ${list}`, fields);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return reply.status(err.status).send(err.body());
    // Fastify's own 4xx: malformed JSON, wrong content type, body too large.
    if (err.statusCode !== undefined && err.statusCode < 500) {
      const api = new ApiError('bad_request', `${err.message} — send a JSON body`, [
        { path: '(body)', message: err.message },
      ]);
      return reply.status(err.statusCode).send(api.body());
    }
    request.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .send(new ApiError('internal', 'the service failed — see its log').body());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        new ApiError(
          'not_found',
          `no route ${request.method} ${request.url} — see docs/api.md`,
        ).body(),
      ),
  );
}
