import { z } from 'zod';
import { loggingSchema, syncFolderSchema } from '../config/schema.ts';
import { uploadStates } from '../core/upload-state.ts';
import { connectionStateSchema, requestStateSchema } from './service.ts';

export const scheduleStateSchema = z.object({
  bytesPerSecond: z.number().nullable().describe('rate in force; null = unlimited, 0 = off'),
  entry: z.string().nullable().describe('the schedule entry in force, as written'),
  nextChange: z.iso.datetime().nullable(),
  nextBytesPerSecond: z.number().nullable(),
  summary: z.string(),
});

export const ffmpegStateSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), path: z.string(), source: z.string(), version: z.string() }),
  z.object({ ok: z.literal(false), problem: z.string(), fix: z.string() }),
]);

export const operatorSchema = z.object({
  name: z.string(),
  role: z.enum(['admin', 'operator', 'viewer']),
  privileges: z.array(z.enum(['export', 'upload', 'requests'])),
});

export const uploadStateSchema = z.enum(uploadStates);

/** One upload as the console lists it. */
export const uploadRowSchema = z.object({
  id: z.string(),
  name: z.string().describe('file name'),
  path: z.string(),
  sourceKind: z.enum(['dock', 'sync', 'picked', 'snapshot', 'request']),
  source: z.string().describe('dock/camera, sync folder name, "picked", camera of a snapshot…'),
  case: z.string().describe('case id, "new: <name>" or "none"'),
  destination: z.string(),
  size: z.number().int(),
  /** Bytes at the destination or on their way. */
  bytes: z.number().int(),
  /** Bytes per second (EWMA) while running, else 0. */
  rate: z.number(),
  /** null while nothing flows. */
  etaMs: z.number().nullable(),
  state: uploadStateSchema,
  error: z.string().nullable(),
  pauseReason: z.string().nullable(),
  priority: z.number().int(),
  updatedAt: z.string(),
});

export const uploadsStateSchema = z.object({
  concurrency: z.number().int(),
  schedule: z.array(z.string()),
  /** The rate uploads may use now: null = unlimited, 0 = off. */
  cap: z.number().nullable(),
  capSource: z.enum(['override', 'schedule']),
  /** Bytes per second flowing now, all jobs together. */
  rate: z.number(),
  counts: z.record(uploadStateSchema, z.number().int()),
  bytesLeft: z.number().int(),
  etaMs: z.number().nullable(),
  /** Unfinished jobs in start order, then the most recent finished ones (at most 200 rows). */
  jobs: z.array(uploadRowSchema),
});

export const deviceSchema = z.object({
  dockId: z.string(),
  dock: z.string(),
  camera: z.string(),
  connectedAt: z.iso.datetime(),
  files: z.number().int().describe('files of this camera not uploaded yet'),
  bytesLeft: z.number().int(),
});

export const requestCameraViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(['pending', 'exporting', 'held', 'delivering', 'delivered', 'failed', 'destroyed']),
  /** Plaintext bytes exported into the buffer so far; grows while exporting. */
  bytes: z.number().int(),
  /** While exporting: what the clip should come to, from the archive's segment sizes. */
  expectedBytes: z.number().int().nullable(),
  /** Share of the export done: 1 once held, null when nothing was or is held. */
  progress: z.number().min(0).max(1).nullable(),
  sha256: z.string().nullable(),
  gaps: z.array(z.object({ from: z.iso.datetime(), to: z.iso.datetime() })),
  error: z.string().nullable(),
});

/** A video request as the inbox shows it. */
export const requestViewSchema = z.object({
  id: z.string(),
  state: requestStateSchema,
  requester: z.string(),
  /** The requester's account on the service: what an auto-approve rule names. */
  requesterId: z.string(),
  caseId: z.string(),
  cameras: z.array(requestCameraViewSchema),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  reason: z.string(),
  receivedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  decision: z
    .object({
      decision: z.enum(['approve', 'deny']),
      by: z.string(),
      at: z.iso.datetime(),
      reason: z.string().nullable(),
    })
    .nullable(),
  failureReason: z.string().nullable(),
});

export const engineStateSchema = z.object({
  version: z.string(),
  workstation: z.string(),
  startedAt: z.iso.datetime(),
  configFile: z.string(),
  dataDir: z.string(),
  paths: z
    .object({
      logFile: z.string(),
      archive: z.string(),
      buffer: z.string(),
    })
    .describe('where the engine writes, for the About pane'),
  connection: z.object({ state: connectionStateSchema, reason: z.string().nullable() }),
  serviceUrl: z.string().nullable().describe('the evidence service this engine is linked to'),
  embeddedService: z
    .boolean()
    .describe('that service runs inside this engine (the demo, small sites): demo requests work'),
  logging: loggingSchema
    .required()
    .describe("the application log in force: the config's, under what an admin set in Settings"),
  schedule: scheduleStateSchema,
  ffmpeg: ffmpegStateSchema,
  cameras: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      location: z.string(),
      state: z.enum(['recording', 'online-not-recording', 'offline']),
      reason: z.string().nullable().describe('why it is not recording'),
    }),
  ),
  docks: z.array(z.object({ id: z.string(), name: z.string(), root: z.string() })),
  syncFolders: z
    .array(syncFolderSchema)
    .describe("every sync folder, switched off ones too: the console's list, else the config's"),
  uploads: uploadsStateSchema,
  devices: z.array(deviceSchema).describe('cameras docked now, for Connected devices'),
  requests: z.array(requestViewSchema).describe('undecided requests first, then recent ones'),
  operator: operatorSchema.describe('the user this console acts as'),
});

export type ConnectionState = z.infer<typeof connectionStateSchema>;
export type ScheduleState = z.infer<typeof scheduleStateSchema>;
export type EngineState = z.infer<typeof engineStateSchema>;
export type UploadRow = z.infer<typeof uploadRowSchema>;
export type UploadsState = z.infer<typeof uploadsStateSchema>;
export type Device = z.infer<typeof deviceSchema>;
export type SyncFolder = EngineState['syncFolders'][number];
export type RequestView = z.infer<typeof requestViewSchema>;
export type RequestCameraView = z.infer<typeof requestCameraViewSchema>;
