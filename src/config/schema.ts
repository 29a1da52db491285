/**
 * The whole config file as one zod schema: parsing, defaults, error messages and the JSON
 * Schema for editors all come from here. Objects are strict so a misspelt key is an error
 * rather than a silently ignored setting.
 */
import { z } from 'zod';
import { parseDuration, parseRate } from '../core/format.ts';
import { parseScheduleEntry } from '../core/schedule.ts';
import { logLevelSchema } from '../protocol/log-level.ts';
import { crossCheck } from './cross-check.ts';
import { filePath, folderPath, withInfo } from './fields.ts';

const SLUG = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The id a name suggests: "Front Lobby #2" → "front-lobby-2"; '' when nothing is left. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);
}

function slugSuggestion(value: unknown): string {
  const slug = typeof value === 'string' ? slugOf(value) : '';
  return `use 1 to 32 lowercase letters, digits or dashes, e.g. "${slug || 'front-lobby'}"`;
}

const slug = (description: string) =>
  withInfo(
    z
      .string()
      .regex(SLUG, 'must be 1 to 32 lowercase letters, digits or dashes, not starting with a dash')
      .describe(description),
    { fix: slugSuggestion },
  );

const label = (description: string) =>
  z.string().trim().min(1, 'must not be empty').describe(description);

const duration = (description: string) =>
  withInfo(
    z
      .string()
      .superRefine((text, ctx) => {
        const parsed = parseDuration(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
        else if (parsed.ms <= 0) ctx.addIssue({ code: 'custom', message: 'must be longer than 0' });
      })
      .describe(`${description}: a duration such as 90s, 15m, 1h30m, 7d or 2w`),
    { fix: 'write a duration such as "15m", "24h" or "7d"' },
  );

const rate = (description: string) =>
  withInfo(
    z
      .string()
      .superRefine((text, ctx) => {
        const parsed = parseRate(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
      })
      .describe(`${description}: bytes per second such as 2M, 512K or 800, or off, or unlimited`),
    { fix: 'write a rate such as "2M" (2 MiB/s), "512K", "off" or "unlimited"' },
  );

const scheduleEntry = withInfo(
  z
    .string()
    .superRefine((text, ctx) => {
      const parsed = parseScheduleEntry(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    })
    .describe(
      '<days> [<HH:MM-HH:MM> or * for the whole day] <rate>, e.g. "Mon-Fri 08:00-18:00 2M" or "Sat-Sun off"',
    ),
  {
    fix: 'write entries like "Mon-Fri 08:00-18:00 2M", "Sat,Sun off" or "* 18:00-08:00 unlimited"',
  },
);

/** A message for a malformed value only; a missing or mistyped one keeps the general wording. */
const formatError =
  (message: string) =>
  (issue: z.core.$ZodRawIssue): string | undefined =>
    issue.code === 'invalid_format' ? message : undefined;

const httpUrl = (description: string) =>
  withInfo(
    z
      .url({ protocol: /^https?$/, error: formatError('must be an http:// or https:// URL') })
      .describe(description),
    { fix: 'write a full URL such as "https://archive.example.org/files/"' },
  );

const enabled = z.boolean().default(true).describe('false keeps the entry but switches it off');

const destinationRef = slug(
  'Id of the destination to upload to: "service" (the evidence service) or an id from destinations',
).default('service');

const afterUploadSchema = z
  .discriminatedUnion('policy', [
    z.object({ policy: z.literal('keep').describe('leave the source file where it is') }).strict(),
    z
      .object({
        policy: z.literal('move').describe('move the source file into doneFolder'),
        doneFolder: folderPath('Folder the uploaded files are moved to'),
      })
      .strict(),
    z.object({ policy: z.literal('delete').describe('delete the source file') }).strict(),
  ])
  .describe(
    'What happens to a source file once the destination has confirmed its SHA-256: keep, move or delete (move and delete need the service or an archive destination; a plain tus endpoint confirms only the size)',
  );

const afterUpload = afterUploadSchema.default({ policy: 'keep' });

const cameraSchema = z
  .object({
    id: slug('Camera id, used in file names, requests and events'),
    name: label('Camera name shown on its tile'),
    location: z.string().default('').describe('Where the camera is, sent with its footage'),
    source: z
      .discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('demo').describe('a synthetic ffmpeg test pattern, for the demo'),
            pattern: z
              .enum(['testsrc', 'testsrc2', 'smptebars', 'rgbtestsrc', 'mandelbrot'])
              .default('testsrc2')
              .describe('ffmpeg test pattern to draw'),
            width: z
              .number()
              .int()
              .min(16)
              .max(3840)
              .multipleOf(2, 'must be even (H.264 needs even dimensions)')
              .default(640)
              .describe('Frame width in pixels'),
            height: z
              .number()
              .int()
              .min(16)
              .max(2160)
              .multipleOf(2, 'must be even (H.264 needs even dimensions)')
              .default(360)
              .describe('Frame height in pixels'),
            fps: z.number().int().min(1).max(60).default(10).describe('Frames per second'),
          })
          .strict(),
        z
          .object({
            kind: z.literal('url').describe('a network camera stream'),
            url: withInfo(
              z
                .url({
                  protocol: /^(rtsps?|https?)$/,
                  error: formatError('must be an rtsp://, rtsps://, http:// or https:// URL'),
                })
                .describe('Stream address, e.g. rtsp://10.0.0.5:554/stream1'),
              { fix: 'write the stream address, e.g. "rtsp://10.0.0.5:554/stream1"' },
            ),
          })
          .strict(),
      ])
      .describe('Where the video comes from'),
    segmentSeconds: z
      .number()
      .int()
      .min(1)
      .max(600)
      .default(10)
      .describe('Length of each archive segment in seconds'),
    retention: duration('How long recorded footage stays in the archive').default('1h'),
    enabled,
  })
  .strict();

const destinationSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        id: slug('Destination id, referenced by docks and sync folders'),
        kind: z
          .literal('service')
          .describe('the evidence service this workstation is associated with'),
      })
      .strict(),
    z
      .object({
        id: slug('Destination id, referenced by docks and sync folders'),
        kind: z.literal('tus').describe('any tus (resumable upload) endpoint'),
        url: httpUrl('tus endpoint that creates uploads'),
        headers: z
          .record(z.string(), z.string())
          .optional()
          .describe('Extra HTTP headers sent with every request (never shown or logged)'),
      })
      .strict(),
    z
      .object({
        id: slug('Destination id, referenced by docks and sync folders'),
        kind: z.literal('archive').describe('a folder, e.g. a mounted video archive share'),
        path: folderPath('Folder files are copied into'),
      })
      .strict(),
  ])
  .describe('A named upload destination');

const dockSchema = z
  .object({
    id: slug('Dock id'),
    name: label('Dock name shown in Connected devices'),
    root: folderPath('Dock folder: one subfolder per connected body-worn camera'),
    destination: destinationRef,
    afterUpload,
    enabled,
  })
  .strict();

const caseChoice = withInfo(
  z
    .union(
      [
        z.object({ id: z.string().min(1).describe('Id of an existing case') }).strict(),
        z.object({ newCase: z.string().min(1).describe('Name of a case to create') }).strict(),
        z.literal('none').describe('file the uploads into no case'),
      ],
      { error: 'must be {"id": "<case id>"}, {"newCase": "<name>"} or "none"' },
    )
    .describe('Case the uploads are filed into'),
  { fix: 'write {"id": "C-2024-001"}, {"newCase": "Interview 12"} or "none"' },
);

export const syncFolderSchema = z
  .object({
    id: slug('Sync folder id'),
    name: label('Sync folder name shown in Uploads'),
    path: folderPath('Watched folder'),
    enabled,
    destination: destinationRef,
    include: z
      .array(z.string().min(1, 'must not be empty'))
      .default(['**/*'])
      .describe('Glob patterns of files to upload, relative to path'),
    exclude: z
      .array(z.string().min(1, 'must not be empty'))
      .default([])
      .describe('Glob patterns of files to skip, relative to path'),
    afterUpload,
    case: caseChoice.optional(),
  })
  .strict();

/**
 * A sync folder list set at the console, checked against the rest of the config as the file's
 * own list is: ids, destinations, the hash check that moving or deleting needs, shared folders.
 * Issues carry the config's paths (`syncFolders[1].id`).
 */
export function syncFolderListSchema(rest: { destinations: unknown[]; docks: unknown[] }) {
  return z
    .object({ syncFolders: z.array(syncFolderSchema) })
    .superRefine((value, ctx) => crossCheck({ ...rest, ...value }, ctx), { when: () => true });
}

const MAX_CONCURRENCY = 26;
const MIB = 1024 * 1024;

const uploadsSchema = z
  .object({
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(
        MAX_CONCURRENCY,
        `must be at most ${MAX_CONCURRENCY} (one workstation runs at most ${MAX_CONCURRENCY} uploads at once)`,
      )
      .default(4)
      .describe(`Uploads running at once (1 to ${MAX_CONCURRENCY})`),
    bandwidth: rate(
      'Bandwidth cap for all uploads together, when no schedule entry applies',
    ).default('unlimited'),
    schedule: z
      .array(scheduleEntry)
      .default([])
      .describe('Weekly timetable of bandwidth caps; the first matching entry wins'),
    chunkSize: withInfo(
      z
        .number()
        .int()
        .min(256 * 1024, 'must be at least 262144 (256 KiB)')
        .max(64 * MIB, 'must be at most 67108864 (64 MiB)')
        // Each request costs the service a few milliseconds of its own: at 8 MiB a 1 GiB upload
        // to our service ran at 0.71x of one curl PATCH, at 64 MiB 0.93x (bench/upload-throughput).
        // Memory does not grow with it (the body is streamed), and a cut request keeps what
        // arrived (tus), so resuming re-sends no more.
        .default(64 * MIB)
        .describe('Bytes sent per upload request (256 KiB to 64 MiB)'),
      { fix: 'use a byte count from 262144 (256 KiB) to 67108864 (64 MiB), e.g. 8388608 (8 MiB)' },
    ),
    retry: z
      .object({
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(10)
          .describe('Tries before a job fails'),
        baseMs: z.number().int().min(1).max(3_600_000).default(1000).describe('First retry delay'),
        maxMs: z
          .number()
          .int()
          .min(1)
          .max(86_400_000)
          .default(300_000)
          .describe('Longest retry delay'),
      })
      .strict()
      .superRefine((retry, ctx) => {
        if (retry.maxMs < retry.baseMs) {
          ctx.addIssue({
            code: 'custom',
            path: ['maxMs'],
            message: `must not be below baseMs (${retry.baseMs})`,
            params: { fix: `use ${retry.baseMs} or more, or lower baseMs` },
          });
        }
      })
      .prefault({})
      .describe('Retry with exponential backoff after a failed upload request'),
  })
  .strict();

const requestsSchema = z
  .object({
    bufferDir: folderPath(
      'Folder of the encrypted request buffer (default: <dataDir>/buffer)',
    ).optional(),
    defaultExpiry: duration('How long a held request waits for a decision').default('7d'),
    maxRange: duration('Longest time range one request may ask for').default('24h'),
    autoApprove: z
      .array(
        z
          .object({
            camera: slug('Camera id the rule applies to').optional(),
            requester: withInfo(
              z
                .string()
                .regex(
                  /^usr_[0-9a-f]{16}$/,
                  "must be the requester's account id (usr_ and 16 hex digits), not a name: a name can be given to another account",
                )
                .describe(
                  "Account id of the requester the rule applies to (the Inbox details show it after the requester's name)",
                ),
              {
                fix: 'open a request from them in the Inbox (Enter) and copy the id after their name',
              },
            ).optional(),
          })
          .strict()
          .refine((rule) => rule.camera !== undefined || rule.requester !== undefined, {
            message: 'needs camera, requester or both (an empty rule would approve every request)',
            params: { fix: 'add "camera": "<camera id>" or "requester": "<usr_ account id>"' },
          }),
      )
      .default([])
      .describe('Requests matching a rule are approved without asking'),
  })
  .strict();

export const loggingSchema = z
  .object({
    level: logLevelSchema.default('info').describe('Least severe level written to the log'),
    file: filePath('Log file (default: <dataDir>/logs/custody.log)').optional(),
    maxSize: withInfo(
      z
        .string()
        .regex(/^\d+(\.\d+)?[bkmg]?$/i, 'must be a size such as 10m, 512k or 1g')
        .default('10m')
        .describe('Size at which the log rolls over: a number with k, m (the default unit) or g'),
      { fix: 'write a size such as "10m" (10 MiB), "512k" or "1g"' },
    ),
    maxFiles: z.number().int().min(1).max(1000).default(10).describe('Rolled log files kept'),
  })
  .strict();

const PRIVILEGES = ['export', 'upload', 'requests'] as const;
type Privilege = (typeof PRIVILEGES)[number];
const ROLE_PRIVILEGES: Record<'admin' | 'operator' | 'viewer', Privilege[]> = {
  admin: [...PRIVILEGES],
  operator: [...PRIVILEGES],
  viewer: [],
};

const userSchema = z
  .object({
    name: label('User name'),
    role: z
      .enum(['admin', 'operator', 'viewer'])
      .describe('admin: everything, including Settings; operator: daily work; viewer: look only'),
    privileges: z
      .array(z.enum(PRIVILEGES))
      .optional()
      .describe('What the user may do; default by role: admin and operator all, viewer none'),
    active: z.boolean().default(true).describe('false keeps the user but refuses them'),
  })
  .strict()
  .transform((user) => ({ ...user, privileges: user.privileges ?? ROLE_PRIVILEGES[user.role] }));

export const configSchema = z
  .object({
    $schema: z.string().optional().describe('JSON Schema of this file, for editors'),
    workstation: z
      .object({
        name: label('Workstation name shown to the service and in the console').default(
          'Workstation',
        ),
      })
      .strict()
      .prefault({})
      .describe('This workstation'),
    dataDir: folderPath('Data folder: store, archive, buffer, logs (default: ./data)', {
      parentMustExist: true,
    }).optional(),
    ffmpegPath: filePath(
      'ffmpeg binary (default: FFMPEG_PATH, then the bundled ffmpeg, then PATH)',
    ).optional(),
    service: z
      .discriminatedUnion('mode', [
        z
          .object({
            mode: z
              .literal('embedded')
              .describe('run the reference evidence service in-process (the demo)'),
            port: z
              .number()
              .int()
              .min(0)
              .max(65535)
              .default(0)
              .describe('Loopback port of the embedded service; 0 = any free port'),
            dataDir: folderPath(
              'Data folder of the embedded service (default: <dataDir>/service)',
            ).optional(),
          })
          .strict(),
        z
          .object({
            mode: z.literal('remote').describe('connect to an evidence service'),
            integrationFile: filePath('Integration file written by `custody server associate`'),
          })
          .strict(),
        z
          .object({
            mode: z.literal('none').describe('no service yet: the console shows Not configured'),
          })
          .strict(),
      ])
      .default({ mode: 'none' })
      .describe('Evidence service: embedded, remote or none'),
    cameras: z.array(cameraSchema).default([]).describe('Cameras recorded into the archive'),
    destinations: z
      .array(destinationSchema)
      .default([])
      .describe(
        'Upload destinations besides the built-in "service" (the evidence service; jobs for it wait while service.mode is "none")',
      ),
    docks: z.array(dockSchema).default([]).describe('Body-worn camera docks'),
    syncFolders: z
      .array(syncFolderSchema)
      .default([])
      .describe('Watched folders uploaded automatically'),
    uploads: uploadsSchema.prefault({}).describe('Upload queue, bandwidth and schedule'),
    requests: requestsSchema.prefault({}).describe('Video requests from investigators'),
    logging: loggingSchema.prefault({}).describe('Application log'),
    users: withInfo(
      z.array(userSchema).min(1, 'needs at least one user (the console acts as one)'),
      { fix: 'list the users, e.g. [{"name": "operator", "role": "admin"}]' },
    )
      .prefault([{ name: 'operator', role: 'admin' }])
      .describe('People who use this console'),
    operator: z
      .string()
      .optional()
      .describe('The user this console acts as (default: the first active user)'),
  })
  .strict()
  // Runs even when fields have type errors, so every problem in the file is reported at once.
  .superRefine(crossCheck, { when: () => true })
  .transform((config) => ({
    ...config,
    operator: config.operator ?? config.users.find((user) => user.active)?.name ?? '',
  }));

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
