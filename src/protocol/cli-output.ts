/**
 * What the headless commands print with `--json` (one document each), where it is not simply
 * a command's output from `commandSchemas` or a part of `engineStateSchema`:
 *
 *   status            → engineStateSchema
 *   cameras list      → engineStateSchema.shape.cameras
 *   uploads list      → uploadsStateSchema.shape.jobs
 *   uploads pause|…   → commandSchemas['uploads.pause'][1]   ({ changed })
 *   bandwidth set     → commandSchemas['bandwidth.set'][1]
 *   schedule set      → commandSchemas['schedule.set'][1]
 *   snapshot          → commandSchemas['snapshot.export'][1]
 *   export            → commandSchemas['clip.export'][1]
 *   requests list     → engineStateSchema.shape.requests
 *   requests show     → requestViewSchema
 *   errors (stderr)   → cliErrorSchema
 */
import { z } from 'zod';
import { commandErrorSchema, commandSchemas } from './control.ts';
import { scheduleStateSchema } from './engine-state.ts';

/** `custody upload` without --wait: what the engine queued. */
export const uploadQueuedOutputSchema = z.object({ files: commandSchemas['uploads.add'][1] });

/** `custody upload --wait`: every file's end, and whether all arrived with a verified hash. */
export const uploadWaitOutputSchema = z.object({
  ok: z.boolean(),
  files: z.array(
    z.object({
      path: z.string(),
      jobId: z.string().nullable(),
      state: z.enum(['done', 'failed', 'cancelled', 'refused', 'unknown']),
      sha256: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
});

export const bandwidthShowOutputSchema = z.object({
  bytesPerSecond: z.number().nullable(),
  source: z.enum(['override', 'schedule']),
  rate: z.number(),
});

export const scheduleShowOutputSchema = scheduleStateSchema.extend({
  entries: z.array(z.string()),
});

export const requestDecisionOutputSchema = z.object({ id: z.string(), state: z.string() });

/** Any command's failure with --json, on stderr. */
export const cliErrorSchema = z.object({
  error: commandErrorSchema.extend({
    issues: z.array(z.object({ path: z.string() }).passthrough()).optional(),
  }),
});
