import { z } from 'zod';
import { uploadStates } from '../../core/upload-state.ts';
import { caseChoiceSchema } from '../../protocol/control.ts';

// One case choice for the console, the control protocol and the queue (DESIGN.md, Snapshot).
export { caseChoiceSchema };

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
  /**
   * Size and SHA-256 of the bytes to send, when the source knows them already (a request clip
   * hashed while it was encrypted into the buffer): the job starts without a hashing pass.
   */
  known: z
    .object({
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  /** Ahead of every job queued so far (request deliveries). */
  first: z.boolean().default(false),
});

export type CaseChoice = z.infer<typeof caseChoiceSchema>;
export type UploadJob = z.infer<typeof uploadJobSchema>;
export type NewUploadJob = z.input<typeof newUploadJobSchema>;
