import { z } from 'zod';

export const eventLevels = ['debug', 'info', 'warn', 'error'] as const;

export const eventLevelSchema = z.enum(eventLevels);

/** Dotted lowercase, at least two parts (`upload.done`), so kinds group by prefix in filters. */
export const eventKindSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/,
    'a dotted lowercase kind such as "upload.done" or "request.denied"',
  );

const hexHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex');

export const newEventSchema = z.object({
  level: eventLevelSchema,
  kind: eventKindSchema,
  /** What the event is about: job id, request id, camera id… */
  subject: z.string().min(1).nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
});

export const custodyEventSchema = newEventSchema.extend({
  seq: z.number().int().positive(),
  time: z.iso.datetime(),
  prevHash: hexHashSchema,
  hash: hexHashSchema,
});

export type EventLevel = z.infer<typeof eventLevelSchema>;
/** What callers hand to the log: `data` may be left out. */
export type NewEvent = z.input<typeof newEventSchema>;
export type CustodyEvent = z.infer<typeof custodyEventSchema>;
