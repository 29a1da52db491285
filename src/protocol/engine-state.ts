import { z } from 'zod';

/** The status bar's connection states (DESIGN.md, Console). */
export const connectionStateSchema = z.enum([
  'not-configured',
  'connecting',
  'ready',
  'offline',
  'paused-by-schedule',
]);

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

export const engineStateSchema = z.object({
  version: z.string(),
  workstation: z.string(),
  startedAt: z.iso.datetime(),
  configFile: z.string(),
  dataDir: z.string(),
  connection: z.object({ state: connectionStateSchema, reason: z.string().nullable() }),
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
  syncFolders: z.array(z.object({ id: z.string(), name: z.string(), path: z.string() })),
  uploads: z.object({ concurrency: z.number().int(), schedule: z.array(z.string()) }),
  operator: operatorSchema.describe('the user this console acts as'),
});

export type ConnectionState = z.infer<typeof connectionStateSchema>;
export type ScheduleState = z.infer<typeof scheduleStateSchema>;
export type EngineState = z.infer<typeof engineStateSchema>;
