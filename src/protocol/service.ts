/**
 * The Evidence service's wire format: every REST body and response, the push events and the
 * tus upload metadata. The server validates what comes in with these schemas and the client
 * validates what comes back, so the two cannot drift apart (docs/api.md shows examples).
 */
import { z } from 'zod';

const id = z.string().trim().min(1, 'must not be empty').max(100);
const text = (max: number) => z.string().trim().max(max);
const name = text(200).min(1, 'must not be empty');
const isoTime = z.iso.datetime({
  offset: true,
  message: 'an ISO 8601 time such as 2026-11-25T08:00:00Z',
});
/** The status bar's connection states (DESIGN.md, Console). */
export const connectionStateSchema = z.enum([
  'not-configured',
  'connecting',
  'ready',
  'offline',
  'paused-by-schedule',
]);

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex');

export const roleSchema = z.enum(['investigator', 'supervisor', 'admin']);
export const principalKindSchema = z.enum(['user', 'system']);

export const principalSchema = z.object({
  id: z.string(),
  kind: principalKindSchema,
  name: z.string(),
  /** Users only; systems act with the rights their cases and requests give them. */
  role: roleSchema.nullable(),
  active: z.boolean(),
  createdAt: isoTime,
});

/** Who did something, as shown in decisions and the audit trail. */
export const actorSchema = principalSchema.pick({ id: true, kind: true, name: true });

export const systemSummarySchema = principalSchema.pick({ id: true, name: true, active: true });
export const systemListSchema = z.object({ items: z.array(systemSummarySchema) });

// Departments and categories

export const departmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  isDefault: z.boolean(),
});
export const departmentInputSchema = z
  .object({ name, isDefault: z.boolean().default(false) })
  .strict();
export const categorySchema = z.object({ id: z.string(), name: z.string() });
export const categoryInputSchema = z.object({ name }).strict();
export const departmentListSchema = z.object({ items: z.array(departmentSchema) });
export const categoryListSchema = z.object({ items: z.array(categorySchema) });

// Cases

export const permissionLevelSchema = z.enum(['view', 'manage']);

export const caseInputSchema = z
  .object({
    name,
    /** The default department when left out. */
    departmentId: id.optional(),
    categoryId: id.optional(),
    description: text(5000).default(''),
    info: z.record(text(100).min(1, 'keys must not be empty'), text(2000)).default({}),
  })
  .strict();

export const caseSchema = z.object({
  id: z.string(),
  name: z.string(),
  departmentId: z.string(),
  categoryId: z.string().nullable(),
  description: z.string(),
  info: z.record(z.string(), z.string()),
  createdBy: actorSchema,
  createdAt: isoTime,
});
/** A case as the API answers it: with the caller's own permission on it. */
export const caseViewSchema = caseSchema.extend({
  access: permissionLevelSchema.describe("the caller's permission on the case"),
});
export const caseListSchema = z.object({ items: z.array(caseViewSchema) });

export const grantInputSchema = z
  .object({ principalId: id, level: permissionLevelSchema })
  .strict();
export const grantSchema = z.object({
  caseId: z.string(),
  principalId: z.string(),
  level: permissionLevelSchema,
});

// Camera registry

export const cameraStatusSchema = z.enum(['recording', 'online', 'offline']);
export const cameraSchema = z
  .object({ id, name, location: text(200).default(''), status: cameraStatusSchema })
  .strict();
export const cameraListInputSchema = z
  .object({
    cameras: z
      .array(cameraSchema)
      .max(1000)
      .refine((cameras) => new Set(cameras.map((c) => c.id)).size === cameras.length, {
        message: 'camera ids must be unique',
      }),
  })
  .strict();
export const registeredCameraSchema = cameraSchema.extend({
  systemId: z.string(),
  systemName: z.string(),
  updatedAt: isoTime,
});
export const cameraListSchema = z.object({ items: z.array(registeredCameraSchema) });

// Video requests (DESIGN.md, Data flows: Video request)

export const requestStateSchema = z.enum([
  'received',
  'exporting',
  'held',
  'approved',
  'denied',
  'delivering',
  'delivered',
  'expired',
  'destroyed',
  'failed',
]);

export const requestCreateSchema = z
  .object({
    systemId: id,
    cameras: z.array(id).min(1, 'name at least one camera').max(26),
    from: isoTime,
    to: isoTime,
    caseId: id,
    reason: text(2000).min(1, 'say why the footage is needed'),
  })
  .strict()
  .refine((r) => Date.parse(r.to) > Date.parse(r.from), {
    path: ['to'],
    message: 'must be after from',
  });

export const decisionInputSchema = z
  .object({
    decision: z.enum(['approve', 'deny']),
    reason: text(2000).optional(),
  })
  .strict()
  .refine((d) => d.decision === 'approve' || (d.reason ?? '') !== '', {
    path: ['reason'],
    message: 'a denial needs a reason',
  });

/** The states the engine reports; decisions and expiry are the service's own. */
export const reportedStateSchema = requestStateSchema.extract([
  'exporting',
  'held',
  'delivering',
  'delivered',
  'destroyed',
  'failed',
]);
export const stateReportSchema = z
  .object({ state: reportedStateSchema, reason: text(2000).optional() })
  .strict()
  .refine((r) => r.state !== 'failed' || (r.reason ?? '') !== '', {
    path: ['reason'],
    message: 'a failure needs a reason',
  });

export const decisionSchema = z.object({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().nullable(),
  by: actorSchema,
  at: isoTime,
});

export const videoRequestSchema = z.object({
  id: z.string(),
  /** Position in the system's change feed: grows on every change, see GET /v1/requests. */
  cursor: z.number().int().nonnegative(),
  systemId: z.string(),
  caseId: z.string(),
  cameras: z.array(z.string()),
  from: isoTime,
  to: isoTime,
  reason: z.string(),
  state: requestStateSchema,
  createdBy: actorSchema,
  createdAt: isoTime,
  updatedAt: isoTime,
  expiresAt: isoTime,
  decision: decisionSchema.nullable(),
  failureReason: z.string().nullable(),
});

export const requestPageQuerySchema = z.object({
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const requestPageSchema = z.object({
  items: z.array(videoRequestSchema),
  /** Pass as `after` next time; equal to `after` when nothing changed. */
  cursor: z.number().int().nonnegative(),
});

// Evidence

export const evidenceKindSchema = z.enum(['clip', 'snapshot', 'file']);

/**
 * tus Upload-Metadata: every value travels as a string. `size`, when given, must equal
 * Upload-Length; `sha256` is checked against the bytes before the file joins the case.
 */
export const uploadMetadataSchema = z.object({
  caseId: id,
  kind: evidenceKindSchema,
  filename: name,
  /** What the operator called it (a snapshot's name) and what it shows. */
  name: name.optional(),
  description: text(5000).optional(),
  sha256: sha256Schema,
  size: z.string().regex(/^\d+$/, 'a whole number of bytes').transform(Number).optional(),
  cameraId: id.optional(),
  cameraName: text(200).optional(),
  cameraLocation: text(200).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  requestId: id.optional(),
});

export const evidenceSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: evidenceKindSchema,
  filename: z.string(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  size: z.number().int().nonnegative(),
  sha256: sha256Schema,
  cameraId: z.string().nullable(),
  cameraName: z.string().nullable(),
  cameraLocation: z.string().nullable(),
  from: isoTime.nullable(),
  to: isoTime.nullable(),
  requestId: z.string().nullable(),
  uploadedBy: actorSchema,
  createdAt: isoTime,
});
export const evidenceListSchema = z.object({ items: z.array(evidenceSchema) });

/** Body of the final tus response (PATCH or creation-with-upload). */
export const uploadResultSchema = z.object({
  evidence: evidenceSchema,
  /** The same bytes were already in the case: nothing new was stored. */
  duplicate: z.boolean(),
});

export const requestDetailSchema = videoRequestSchema.extend({
  evidence: z.array(evidenceSchema),
});

export const auditActionSchema = z.enum([
  'case.created',
  'case.granted',
  'evidence.filed',
  'evidence.duplicate',
  'evidence.rejected',
  'request.created',
  'request.decided',
  'request.state',
  'request.expired',
]);
export const auditEntrySchema = z.object({
  seq: z.number().int().positive(),
  caseId: z.string(),
  time: isoTime,
  actor: actorSchema.nullable(),
  action: auditActionSchema,
  detail: z.record(z.string(), z.unknown()),
});
export const auditListSchema = z.object({ items: z.array(auditEntrySchema) });

// Push (ws /v1/push, service → system)

export const pushEventSchema = z.discriminatedUnion('type', [
  /** A request for this system was created or changed; carries its new cursor. */
  z.object({ type: z.literal('request'), request: videoRequestSchema }),
]);

// Errors

export const apiErrorCodeSchema = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'checksum_mismatch',
  'internal',
]);
export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export const apiErrorSchema = z.object({
  error: z.object({
    code: apiErrorCodeSchema,
    message: z.string(),
    fields: z.array(fieldErrorSchema).optional(),
  }),
});

// Client status for the console's status bar (paused-by-schedule is the engine's own)

export const serviceStatusSchema = z.object({
  state: connectionStateSchema.exclude(['paused-by-schedule']),
  /** Why the service is offline or not configured; null otherwise. */
  reason: z.string().nullable(),
});

// Integration file (written by `custody server associate`, imported by the engine)

/** A TLS certificate's SHA-256 fingerprint as Node prints it (`X509Certificate.fingerprint256`). */
export const fingerprintSchema = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 fingerprint like AB:CD:…');

export const integrationSchema = z
  .object({
    version: z.literal(1),
    url: z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' }),
    systemId: id,
    systemName: name,
    apiKey: z.string().regex(/^cst_[A-Za-z0-9]{20,}$/, 'a key starting with cst_'),
    caFingerprint: fingerprintSchema.optional(),
  })
  .strict()
  // Plain HTTP has no certificate: a pin there would silently protect nothing.
  .refine((file) => file.caFingerprint === undefined || /^https:/i.test(file.url), {
    path: ['caFingerprint'],
    message: 'pins a TLS certificate, so url must be https://',
  });

export type Role = z.infer<typeof roleSchema>;
export type PrincipalKind = z.infer<typeof principalKindSchema>;
export type Principal = z.infer<typeof principalSchema>;
export type Actor = z.infer<typeof actorSchema>;
export type SystemSummary = z.infer<typeof systemSummarySchema>;
export type Department = z.infer<typeof departmentSchema>;
export type DepartmentInput = z.infer<typeof departmentInputSchema>;
export type Category = z.infer<typeof categorySchema>;
export type PermissionLevel = z.infer<typeof permissionLevelSchema>;
export type CaseInput = z.infer<typeof caseInputSchema>;
/** What a client sends: defaults (description, info, department) may be left out. */
export type NewCaseBody = z.input<typeof caseInputSchema>;
export type Case = z.infer<typeof caseSchema>;
export type CaseView = z.infer<typeof caseViewSchema>;
export type Grant = z.infer<typeof grantSchema>;
export type Camera = z.infer<typeof cameraSchema>;
export type CameraListInput = z.input<typeof cameraListInputSchema>;
export type RegisteredCamera = z.infer<typeof registeredCameraSchema>;
export type RequestState = z.infer<typeof requestStateSchema>;
export type RequestCreate = z.infer<typeof requestCreateSchema>;
export type DecisionInput = z.infer<typeof decisionInputSchema>;
export type Decision = z.infer<typeof decisionSchema>;
export type ReportedState = z.infer<typeof reportedStateSchema>;
export type StateReport = z.infer<typeof stateReportSchema>;
export type VideoRequest = z.infer<typeof videoRequestSchema>;
export type RequestPage = z.infer<typeof requestPageSchema>;
export type RequestDetail = z.infer<typeof requestDetailSchema>;
export type EvidenceKind = z.infer<typeof evidenceKindSchema>;
export type UploadMetadata = z.infer<typeof uploadMetadataSchema>;
export type UploadMetadataInput = z.input<typeof uploadMetadataSchema>;
export type Evidence = z.infer<typeof evidenceSchema>;
export type UploadResult = z.infer<typeof uploadResultSchema>;
export type AuditAction = z.infer<typeof auditActionSchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type PushEvent = z.infer<typeof pushEventSchema>;
export type ApiErrorCode = z.infer<typeof apiErrorCodeSchema>;
export type FieldError = z.infer<typeof fieldErrorSchema>;
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;
export type Integration = z.infer<typeof integrationSchema>;
