import { z } from 'zod';
import { uploadStates } from '../../core/upload-state.ts';

/** Which case the uploaded file is filed into (DESIGN.md, Snapshot and Sources). */
export const caseChoiceSchema = z.union([
  z.object({ id: z.string().min(1) }).strict(),
  z.object({ newCase: z.string().min(1) }).strict(),
  z.literal('none'),
]);

export const sourceKindSchema = z.enum(['dock', 'sync', 'picked', 'snapshot', 'request']);

export const uploadJobSchema = z.object({
  id: z.string(),
  sourceKind: sourceKindSchema,
  /** Dock camera folder, sync folder id…; null for picked files. */
  sourceId: z.string().nullable(),
  path: z.string(),
  destinationId: z.string(),
  caseChoice: caseChoiceSchema,
  /** Sent to the destination as tus metadata (strings only, like tus itself). */
  metadata: z.record(z.string(), z.string()),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().int(),
  sha256: z.string().nullable(),
  uploadUrl: z.string().nullable(),
  offset: z.number().int().nonnegative(),
  state: z.enum(uploadStates),
  attempts: z.number().int().nonnegative(),
  error: z.string().nullable(),
  /** Why a paused job is paused: the operator, an unplugged camera… */
  pauseReason: z.string().nullable(),
  priority: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const newUploadJobSchema = z.object({
  sourceKind: sourceKindSchema,
  sourceId: z.string().nullable().default(null),
  path: z.string().min(1),
  destinationId: z.string().min(1),
  caseChoice: caseChoiceSchema.default('none'),
  metadata: z.record(z.string(), z.string()).default({}),
});

export type CaseChoice = z.infer<typeof caseChoiceSchema>;
export type UploadJob = z.infer<typeof uploadJobSchema>;
export type NewUploadJob = z.input<typeof newUploadJobSchema>;
