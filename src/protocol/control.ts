/**
 * The engine's commands (DESIGN.md, Engine API): one name, one input schema, one output schema
 * each. The console calls them in process; `custody attach` and the headless commands send the
 * same names and inputs over the control socket, which checks them against these schemas.
 */
import { z } from 'zod';
import { syncFolderSchema } from '../config/schema.ts';
import { engineStateSchema } from './engine-state.ts';
import { custodyEventSchema, eventLevelSchema } from './events.ts';
import { caseViewSchema, categorySchema, departmentSchema } from './service.ts';

const isoTime = z.iso.datetime({ offset: true });

/** Which case an upload, a snapshot or a picked file is filed into. */
export const caseChoiceSchema = z.union([
  z.object({ id: z.string().min(1) }).strict(),
  z
    .object({
      newCase: z.string().min(1).describe('name of the case to create'),
      departmentId: z.string().min(1).optional(),
      categoryId: z.string().min(1).optional(),
      description: z.string().optional(),
      info: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
  z.literal('none'),
]);

/** One job, several jobs by id, or every job the command applies to. */
const jobTarget = z.object({ id: z.string().min(1) }).or(z.object({ all: z.literal(true) }));

const changed = z.object({ changed: z.number().int().nonnegative() });

const eventListInput = z.object({
  since: isoTime.optional(),
  afterSeq: z.number().int().nonnegative().optional(),
  /** With order 'desc', pages back: the oldest seq already shown. */
  beforeSeq: z.number().int().positive().optional(),
  kinds: z.array(z.string()).optional(),
  level: eventLevelSchema.optional(),
  subject: z.string().optional(),
  requestId: z.string().optional(),
  search: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

const addedFile = z.discriminatedUnion('ok', [
  z.object({ path: z.string(), ok: z.literal(true), jobId: z.string(), queued: z.boolean() }),
  z.object({ path: z.string(), ok: z.literal(false), error: z.string() }),
]);

const thumbnailSchema = z.object({
  cameraId: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  /** Packed rgb24, base64. */
  rgb: z.string(),
  fetchedAt: isoTime,
});

/** Every command: `[input, output]`. */
export const commandSchemas = {
  'events.list': [eventListInput, z.array(custodyEventSchema)],
  'uploads.add': [
    z.object({
      paths: z.array(z.string().min(1)).min(1, 'name at least one file or folder'),
      caseChoice: caseChoiceSchema.default('none'),
      /** A destination id from the config, or a tus endpoint URL; default the service. */
      destination: z.string().min(1).optional(),
    }),
    z.array(addedFile),
  ],
  'uploads.pause': [jobTarget, changed],
  'uploads.resume': [jobTarget, changed],
  'uploads.retry': [jobTarget, changed],
  'uploads.cancel': [jobTarget, changed],
  'uploads.moveToFront': [z.object({ id: z.string().min(1) }), changed],
  /** null = unlimited, 0 = off, 'schedule' = back to the schedule. */
  'bandwidth.set': [
    z.object({
      bytesPerSecond: z.number().int().nonnegative().nullable().or(z.literal('schedule')),
    }),
    z.object({ bytesPerSecond: z.number().nullable(), source: z.enum(['override', 'schedule']) }),
  ],
  'schedule.set': [
    z.object({ entries: z.array(z.string()) }),
    z.object({ entries: z.array(z.string()), summary: z.string() }),
  ],
  'concurrency.set': [
    z.object({ concurrency: z.number().int().min(1).max(26) }),
    z.object({ concurrency: z.number().int() }),
  ],
  'snapshot.export': [
    z.object({
      cameraId: z.string().min(1),
      at: isoTime.optional(),
      // The service's bounds (uploadMetadataSchema): past them it would refuse the upload.
      name: z.string().trim().min(1, 'give the snapshot a name').max(200),
      description: z.string().trim().max(5000).default(''),
      caseChoice: caseChoiceSchema.default('none'),
      /** Also (or only, with caseChoice 'none' and no service) keep the JPEG here. */
      out: z.string().min(1).optional(),
    }),
    z.object({
      path: z.string(),
      bytes: z.number().int(),
      width: z.number().int(),
      height: z.number().int(),
      at: isoTime,
      jobId: z.string().nullable(),
    }),
  ],
  'clip.export': [
    z.object({
      cameraId: z.string().min(1),
      from: isoTime,
      to: isoTime,
      out: z.string().min(1),
    }),
    z.object({
      path: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      gaps: z.array(z.object({ from: isoTime, to: isoTime })),
    }),
  ],
  'thumbnails.get': [z.object({ cameraId: z.string().min(1) }), thumbnailSchema.nullable()],
  'requests.approve': [z.object({ id: z.string().min(1) }), z.object({ state: z.string() })],
  'requests.deny': [
    z.object({ id: z.string().min(1), reason: z.string().trim().min(1, 'say why it is denied') }),
    z.object({ state: z.string() }),
  ],
  /** The demo investigator asks this workstation for recent footage (embedded service only). */
  'demo.request': [
    z.object({
      cameras: z.array(z.string().min(1)).min(1).optional().describe('default: every camera'),
      seconds: z.number().int().min(1).max(600).default(20),
      reason: z.string().trim().min(1).max(2000).default('Demo request from custody request demo'),
    }),
    z.object({
      id: z.string(),
      state: z.string(),
      cameras: z.array(z.string()),
      from: isoTime,
      to: isoTime,
      caseId: z.string(),
      requester: z.string(),
    }),
  ],
  /** A folder on the engine's machine, for the console's file picker. */
  'files.list': [
    z.object({ dir: z.string().min(1).optional().describe("default: the engine's folder") }),
    z.object({
      dir: z.string(),
      parent: z.string().nullable(),
      entries: z.array(
        z.object({
          name: z.string(),
          kind: z.enum(['dir', 'file']),
          size: z.number().int(),
          modifiedAt: isoTime,
        }),
      ),
      /** More entries than were sent. */
      truncated: z.boolean(),
    }),
  ],
  /** Account set-up: link a workstation with no service to the one an integration file names. */
  'settings.importIntegration': [
    z.object({ file: z.string().min(1, 'name the integration file') }),
    z.object({ url: z.string(), systemName: z.string() }),
  ],
  /**
   * The application log, live and kept: the fields given change, the rest stay. Only their
   * types are checked here; the engine checks the values as the config's `logging`, with its
   * field schemas, so a refusal names `logging.<field>` and says how to write it.
   */
  'settings.logging': [
    z
      .object({ level: z.string(), file: z.string(), maxSize: z.string(), maxFiles: z.number() })
      .partial()
      .strict(),
    engineStateSchema.shape.logging,
  ],
  /**
   * The whole sync folder list, each folder as the config writes it (relative paths are from
   * the config file's folder); kept, it wins over the config's list from then on.
   */
  'settings.syncFolders': [
    z.object({ syncFolders: z.array(syncFolderSchema) }),
    z.object({ syncFolders: z.array(syncFolderSchema) }),
  ],
  'cases.list': [
    z.object({}),
    z.object({
      cases: z.array(caseViewSchema),
      departments: z.array(departmentSchema),
      categories: z.array(categorySchema),
    }),
  ],
} as const satisfies Record<string, readonly [z.ZodType, z.ZodType]>;

export type CommandName = keyof typeof commandSchemas;
export type CommandInput<K extends CommandName> = z.input<(typeof commandSchemas)[K][0]>;
export type CommandOutput<K extends CommandName> = z.output<(typeof commandSchemas)[K][1]>;
export type CaseChoice = z.infer<typeof caseChoiceSchema>;
export type Thumbnail = z.infer<typeof thumbnailSchema>;

/** A refused or failed command, as it crosses the control socket. */
export const commandErrorSchema = z.object({
  what: z.string(),
  fix: z.string(),
  exitCode: z.number().int().min(1).max(4),
});

/** Control socket frames: the client asks, the engine answers, and pushes state changes. */
export const controlRequestSchema = z.object({
  id: z.number().int(),
  command: z.string(),
  input: z.unknown(),
});
export const controlMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), output: z.unknown() }),
  z.object({ type: z.literal('error'), id: z.number().int(), error: commandErrorSchema }),
  z.object({ type: z.literal('state'), state: z.unknown() }),
]);
export type CommandError = z.infer<typeof commandErrorSchema>;
