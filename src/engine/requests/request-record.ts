import { z } from 'zod';
import { requestCameraViewSchema } from '../../protocol/engine-state.ts';
import { requestStateSchema, videoRequestSchema } from '../../protocol/service.ts';

/** A camera's clip of a request, as the inbox shows it (`pending` until its export starts). */
export const clipStateSchema = requestCameraViewSchema.shape.state;

export const gapSchema = z.object({ fromMs: z.number(), toMs: z.number() });

/** One requested camera: its buffer file and where its clip is in the flow. */
export const storedClipSchema = z.object({
  requestId: z.string(),
  position: z.number().int(),
  cameraId: z.string(),
  cameraName: z.string(),
  cameraLocation: z.string(),
  fileId: z.string(),
  state: clipStateSchema,
  bytes: z.number().int(),
  sha256: z.string().nullable(),
  gaps: z.array(gapSchema),
  startMs: z.number().nullable(),
  endMs: z.number().nullable(),
  error: z.string().nullable(),
  jobId: z.string().nullable(),
  shreddedAt: z.string().nullable(),
});

export const localDecisionSchema = z.object({
  decision: z.enum(['approve', 'deny']),
  by: z.string(),
  at: z.string(),
  reason: z.string().nullable(),
});

/** A decision or state the service has not been told yet. */
export const pendingDecisionSchema = z.object({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().optional(),
});
export const pendingReportSchema = z.object({
  state: z.enum(['exporting', 'held', 'delivering', 'delivered', 'destroyed', 'failed']),
  reason: z.string().optional(),
});

export const storedRequestSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  cursor: z.number().int(),
  /** The request as last received from the service. */
  request: videoRequestSchema,
  /** The engine's own state, which leads the service's until reports arrive. */
  state: requestStateSchema,
  receivedAt: z.string(),
  expiresAt: z.string(),
  decision: localDecisionSchema.nullable(),
  failureReason: z.string().nullable(),
  pendingDecision: pendingDecisionSchema.nullable(),
  pendingReport: pendingReportSchema.nullable(),
  reportAttempts: z.number().int(),
  updatedAt: z.string(),
});

export type ClipState = z.infer<typeof clipStateSchema>;
export type Gap = z.infer<typeof gapSchema>;
export type StoredClip = z.infer<typeof storedClipSchema>;
export type LocalDecision = z.infer<typeof localDecisionSchema>;
export type PendingDecision = z.infer<typeof pendingDecisionSchema>;
export type PendingReport = z.infer<typeof pendingReportSchema>;
export type StoredRequest = z.infer<typeof storedRequestSchema>;
