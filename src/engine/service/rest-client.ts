/**
 * Typed REST calls to the Evidence service. Every response is checked against the shared
 * protocol schema, and every failure becomes a CustodyError whose exit code says whether the
 * input was bad (2), not permitted (3) or the service unreachable (4).
 */
import got, { type Got, HTTPError } from 'got';
import type { z } from 'zod';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import {
  apiErrorSchema,
  auditListSchema,
  type CameraListInput,
  cameraListSchema,
  caseListSchema,
  caseViewSchema,
  categoryListSchema,
  type DecisionInput,
  departmentListSchema,
  evidenceListSchema,
  type Grant,
  grantSchema,
  type NewCaseBody,
  principalSchema,
  type RequestCreate,
  requestDetailSchema,
  requestPageSchema,
  type StateReport,
  systemListSchema,
  uploadResultSchema,
  videoRequestSchema,
} from '../../protocol/service.ts';
import { pinnedAgent } from './tls-pin.ts';
import { unreachableService } from './transport-error.ts';

export type RestClientOptions = {
  url: string;
  apiKey: string;
  /** The integration file's pin: the only certificate this client will talk to. */
  caFingerprint?: string;
  timeoutMs?: number;
};

type Method = 'GET' | 'POST' | 'PUT';

export class ServiceRestClient {
  readonly url: string;
  readonly #http: Got;

  constructor(options: RestClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#http = got.extend({
      prefixUrl: `${this.url}/v1`,
      agent: { https: pinnedAgent(this.url, options.caFingerprint) },
      headers: { authorization: `Bearer ${options.apiKey}` },
      // No automatic retry: a POST repeated after a lost answer could create twice; callers
      // (and the push loop) decide when to try again.
      retry: { limit: 0 },
      timeout: { request: options.timeoutMs ?? 15_000 },
    });
  }

  me() {
    return this.#call('GET', 'me', principalSchema);
  }
  listSystems() {
    return this.#call('GET', 'systems', systemListSchema);
  }
  listDepartments() {
    return this.#call('GET', 'departments', departmentListSchema);
  }
  listCategories() {
    return this.#call('GET', 'categories', categoryListSchema);
  }
  createCase(input: NewCaseBody) {
    return this.#call('POST', 'cases', caseViewSchema, input);
  }
  listCases() {
    return this.#call('GET', 'cases', caseListSchema);
  }
  getCase(id: string) {
    return this.#call('GET', `cases/${encodeURIComponent(id)}`, caseViewSchema);
  }
  grant(caseId: string, grant: Omit<Grant, 'caseId'>) {
    return this.#call(
      'POST',
      `cases/${encodeURIComponent(caseId)}/permissions`,
      grantSchema,
      grant,
    );
  }
  listEvidence(caseId: string) {
    return this.#call('GET', `cases/${encodeURIComponent(caseId)}/evidence`, evidenceListSchema);
  }
  listAudit(caseId: string) {
    return this.#call('GET', `cases/${encodeURIComponent(caseId)}/audit`, auditListSchema);
  }
  async putCameras(input: CameraListInput): Promise<void> {
    await this.#call('PUT', 'cameras', undefined, input);
  }
  listCameras(systemId?: string) {
    const query = systemId ? `?systemId=${encodeURIComponent(systemId)}` : '';
    return this.#call('GET', `cameras${query}`, cameraListSchema);
  }
  createRequest(input: RequestCreate) {
    return this.#call('POST', 'requests', videoRequestSchema, input);
  }
  getRequest(id: string) {
    return this.#call('GET', `requests/${encodeURIComponent(id)}`, requestDetailSchema);
  }
  listRequests(after = 0, limit = 100) {
    return this.#call('GET', `requests?after=${after}&limit=${limit}`, requestPageSchema);
  }
  reportState(id: string, report: StateReport) {
    return this.#call(
      'POST',
      `requests/${encodeURIComponent(id)}/state`,
      videoRequestSchema,
      report,
    );
  }
  decide(id: string, input: DecisionInput) {
    return this.#call(
      'POST',
      `requests/${encodeURIComponent(id)}/decision`,
      videoRequestSchema,
      input,
    );
  }

  /** What a finished tus upload became; a 404 (exit code 2) while it is not filed. */
  uploadResult(uploadId: string) {
    return this.#call('GET', `uploads/${encodeURIComponent(uploadId)}/result`, uploadResultSchema);
  }

  async #call<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S | undefined,
    body?: unknown,
  ): Promise<z.infer<S>> {
    let text: string;
    try {
      const response = await this.#http(path, { method, json: body });
      text = response.body;
    } catch (err) {
      throw this.#failure(method, path, err);
    }
    if (!schema) return undefined as z.infer<S>;
    const parsed = schema.safeParse(text === '' ? undefined : jsonOrUndefined(text));
    if (!parsed.success) {
      throw new CustodyError(
        `the service at ${this.url} sent an unexpected answer to ${method} /v1/${path}`,
        'check that the URL points at a Custody evidence service of the same version',
        ExitCode.failed,
      );
    }
    return parsed.data;
  }

  #failure(method: Method, path: string, err: unknown): CustodyError {
    if (err instanceof HTTPError) {
      const status = err.response.statusCode;
      const body = apiErrorSchema.safeParse(jsonOrUndefined(String(err.response.body)));
      const message = body.success ? body.data.error.message : `HTTP ${status}`;
      const [what, fix] = splitMessage(message);
      const code =
        status === 400 || status === 404
          ? ExitCode.badInput
          : status === 401 || status === 403
            ? ExitCode.notPermitted
            : ExitCode.failed;
      return new CustodyError(what, fix ?? `see the service log (${method} /v1/${path})`, code, {
        cause: err,
      });
    }
    return unreachableService(this.url, err);
  }
}

/** Service messages read "what — fix"; the CLI prints them the same way. */
function splitMessage(message: string): [string, string | undefined] {
  const at = message.indexOf(' — ');
  return at < 0 ? [message, undefined] : [message.slice(0, at), message.slice(at + 3)];
}

/** Bodies that are not JSON fail the schema check that follows, with its own message. */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
