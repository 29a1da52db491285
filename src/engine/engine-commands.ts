import { type Dirent, mkdirSync, rmSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { formatCount, formatRate } from '../core/format.ts';
import type { CaseChoice, CommandInput, CommandOutput } from '../protocol/control.ts';
import type { EngineState } from '../protocol/engine-state.ts';
import type { CommandHandlers, ParsedInput } from './commands.ts';
import type { EngineVideo } from './engine.ts';
import type { EventLog } from './events/event-log.ts';
import type { ServiceRestClient } from './service/rest-client.ts';
import { sha256File } from './uploads/file-hash.ts';
import type { JobTarget, UploadEngine } from './uploads/upload-engine.ts';

type Privilege = EngineState['operator']['privileges'][number];

/** What the command handlers need from the engine, and nothing more. */
export type CommandContext = {
  readonly events: EventLog;
  readonly uploads: UploadEngine;
  readonly operator: EngineState['operator'];
  readonly video: EngineVideo | null;
  readonly ffmpegState: EngineState['ffmpeg'];
  /** Waits for a service link still being made; null without a service. */
  serviceClient(): Promise<ServiceRestClient | null>;
  readonly dataDir: string;
  cameras(): Array<{ id: string; name: string; location: string }>;
  scheduleChanged(): void;
  approveRequest(id: string, by: string): Promise<{ state: string }>;
  denyRequest(id: string, reason: string, by: string): Promise<{ state: string }>;
  importIntegration(file: string, by: string): Promise<{ url: string; systemName: string }>;
  demoRequest(input: ParsedInput<'demo.request'>): Promise<CommandOutput<'demo.request'>>;
  setLogging(change: CommandInput<'settings.logging'>, by: string): Promise<EngineState['logging']>;
  setSyncFolders(folders: unknown, by: string): Promise<EngineState['syncFolders']>;
};

const JOB_ACTIONS = {
  pause: 'pausing',
  resume: 'resuming',
  retry: 'retrying',
  cancel: 'cancelling',
} as const;

const PRIVILEGE_NAMES: Record<Privilege, string> = {
  export: 'Export',
  upload: 'Upload',
  requests: 'Requests',
};

/** The engine's commands (DESIGN.md, Engine API); each checks the operator's privilege first. */
export function engineCommands(engine: CommandContext): CommandHandlers {
  const need = (privilege: Privilege, action: string): void => {
    if (!engine.operator.privileges.includes(privilege)) {
      throw new CustodyError(
        `${action} needs the ${PRIVILEGE_NAMES[privilege]} privilege, which user "${engine.operator.name}" (${engine.operator.role}) lacks`,
        `ask an administrator to give "${engine.operator.name}" the ${privilege} privilege, or run as another user`,
        ExitCode.notPermitted,
      );
    }
  };
  const needAdmin = (action: string): void => {
    if (engine.operator.role !== 'admin') {
      throw new CustodyError(
        `${action} is a setting, which needs the admin role; "${engine.operator.name}" is ${engine.operator.role}`,
        'ask an administrator, or run the console as an admin user (config "operator")',
        ExitCode.notPermitted,
      );
    }
  };
  const video = () => {
    if (engine.video) return engine.video;
    const reason = engine.ffmpegState.ok ? 'no cameras are configured' : engine.ffmpegState.problem;
    const fix = engine.ffmpegState.ok ? 'add cameras to the config' : engine.ffmpegState.fix;
    throw new CustodyError(`video is not available: ${reason}`, fix, ExitCode.failed);
  };
  const rest = async (action: string): Promise<ServiceRestClient> => {
    const client = await engine.serviceClient();
    if (client) return client;
    throw new CustodyError(
      `${action} needs the evidence service, and service.mode is "none"`,
      'import an integration file in Settings, or set service.mode in the config',
      ExitCode.unreachable,
    );
  };
  /** A new case is opened now, so the operator gets its id and a retry cannot open two. */
  const settleCase = async (choice: CaseChoice): Promise<CaseChoice> => {
    if (choice === 'none' || 'id' in choice) return choice;
    const { newCase, ...fields } = choice;
    const client = await rest('opening a case');
    const created = await client.createCase({ name: newCase, ...fields });
    engine.events.append({
      level: 'info',
      kind: 'case.created',
      subject: created.id,
      message: `case "${created.name}" opened (${created.id})`,
      data: { caseId: created.id, name: created.name, by: engine.operator.name },
    });
    return { id: created.id };
  };
  /**
   * Attaching evidence to an existing case needs manage on it: asked now, so the operator hears
   * it in the wizard, not later from a failed upload (or before the snapshot is taken).
   */
  const ensureManage = async (choice: CaseChoice): Promise<void> => {
    if (choice === 'none' || !('id' in choice)) return;
    const client = await rest('filing into a case');
    const found = await client.getCase(choice.id);
    if (found.access === 'manage') return;
    throw new CustodyError(
      `no Manage permission on case "${found.name}" (${found.id}) for this workstation`,
      'ask someone who manages the case to grant it manage, or choose another case',
      ExitCode.notPermitted,
    );
  };
  const jobs =
    (action: keyof typeof JOB_ACTIONS) =>
    async (target: JobTarget): Promise<{ changed: number }> => {
      need('upload', `${JOB_ACTIONS[action]} uploads`);
      return { changed: engine.uploads[action](target) };
    };

  return {
    'events.list': async ({ since, ...filter }) =>
      engine.events.list({ ...filter, ...(since ? { since: new Date(since) } : {}) }),

    'uploads.add': async ({ paths, caseChoice, destination }) => {
      need('upload', 'uploading files');
      if (destination === undefined) await ensureManage(caseChoice);
      const choice = await settleCase(caseChoice);
      return engine.uploads.add(paths, choice, destination);
    },
    'uploads.pause': jobs('pause'),
    'uploads.resume': jobs('resume'),
    'uploads.retry': jobs('retry'),
    'uploads.cancel': jobs('cancel'),
    'uploads.moveToFront': async ({ id }) => {
      need('upload', 'reordering uploads');
      engine.uploads.moveToFront(id);
      return { changed: 1 };
    },

    'bandwidth.set': async ({ bytesPerSecond }) => {
      need('upload', 'changing the bandwidth cap');
      const result = engine.uploads.setBandwidth(bytesPerSecond);
      engine.events.append({
        level: 'info',
        kind: 'bandwidth.changed',
        subject: null,
        message:
          result.source === 'override'
            ? `bandwidth cap set by ${engine.operator.name}`
            : `bandwidth back to the schedule (${engine.operator.name})`,
        data: { ...result, by: engine.operator.name },
      });
      engine.scheduleChanged();
      return result;
    },
    'schedule.set': async ({ entries }) => {
      need('upload', 'changing the upload schedule');
      const saved = engine.uploads.setSchedule(entries);
      engine.scheduleChanged();
      engine.events.append({
        level: 'info',
        kind: 'schedule.set',
        subject: null,
        message: `upload schedule set by ${engine.operator.name}: ${saved.join('; ') || '(none)'}`,
        data: { entries: saved, by: engine.operator.name },
      });
      const state = engine.uploads.state();
      return {
        entries: saved,
        summary: `${formatRate(state.cap)} now`,
      };
    },
    'concurrency.set': async ({ concurrency }) => {
      need('upload', 'changing upload concurrency');
      engine.uploads.setConcurrency(concurrency);
      engine.events.append({
        level: 'info',
        kind: 'concurrency.set',
        subject: null,
        message: `${concurrency} uploads at once (${engine.operator.name})`,
        data: { concurrency, by: engine.operator.name },
      });
      return { concurrency };
    },

    'snapshot.export': async ({ cameraId, at, name, description, caseChoice, out }) => {
      need('export', 'taking a snapshot');
      const { snapshots } = video();
      const stamp = (at ? new Date(at) : new Date()).toISOString().replace(/[:.]/g, '-');
      const file =
        out !== undefined
          ? path.resolve(out)
          : path.join(engine.dataDir, 'snapshots', `${cameraId}-${stamp}-${fileSafe(name)}.jpg`);
      mkdirSync(path.dirname(file), { recursive: true });
      // Before the frame is taken: a case it may not be filed into is the operator's to
      // change, whatever the camera does.
      const service = await engine.serviceClient();
      if (service) await ensureManage(caseChoice);
      const shot = await snapshots.export({
        cameraId,
        outPath: file,
        privileges: engine.operator.privileges,
        ...(at ? { at: new Date(at) } : {}),
      });
      const camera = engine.cameras().find((c) => c.id === cameraId);
      const taken = new Date(shot.at).toISOString();
      let jobId: string | null = null;
      if (service) {
        // A new case is opened only once there is a snapshot to file; if that fails (the
        // service went away), no JPEG is left behind unasked.
        const choice = await settleCase(caseChoice).catch((err: unknown) => {
          if (out === undefined) rmSync(shot.path, { force: true });
          throw err;
        });
        const { job } = engine.uploads.queue.enqueue({
          sourceKind: 'snapshot',
          sourceId: cameraId,
          path: shot.path,
          destinationId: 'service',
          caseChoice: choice,
          metadata: {
            cameraId,
            cameraName: camera?.name ?? cameraId,
            cameraLocation: camera?.location ?? '',
            from: taken,
            to: taken,
            name,
            description,
          },
        });
        jobId = job.id;
      }
      engine.events.append({
        level: 'info',
        kind: 'snapshot.exported',
        subject: cameraId,
        message: `snapshot "${name}" of ${camera?.name ?? cameraId} at ${taken}`,
        data: { cameraId, path: shot.path, at: taken, name, jobId, by: engine.operator.name },
      });
      return {
        path: shot.path,
        bytes: shot.bytes,
        width: shot.width,
        height: shot.height,
        at: taken,
        jobId,
      };
    },

    'clip.export': async ({ cameraId, from, to, out }) => {
      need('export', 'exporting a clip');
      const { clips } = video();
      const file = path.resolve(out);
      mkdirSync(path.dirname(file), { recursive: true });
      const info = await clips.toFile(
        cameraId,
        { fromMs: Date.parse(from), toMs: Date.parse(to) },
        file,
      );
      const sha256 = await sha256File(file);
      const gaps = info.gaps.map((gap) => ({
        from: new Date(gap.fromMs).toISOString(),
        to: new Date(gap.toMs).toISOString(),
      }));
      engine.events.append({
        level: gaps.length > 0 ? 'warn' : 'info',
        kind: 'clip.exported',
        subject: cameraId,
        message: `clip of ${cameraId} ${from} – ${to} exported to ${file}${gaps.length ? ` (${formatCount(gaps.length, 'gap')})` : ''}`,
        data: { cameraId, from, to, path: file, sha256, gaps, by: engine.operator.name },
      });
      return { path: file, bytes: statSync(file).size, sha256, gaps };
    },

    'thumbnails.get': async ({ cameraId }) => {
      const thumbnail = await video().thumbnails.get(cameraId);
      return thumbnail
        ? {
            cameraId,
            width: thumbnail.width,
            height: thumbnail.height,
            rgb: thumbnail.rgb.toString('base64'),
            fetchedAt: new Date(thumbnail.fetchedAtMs).toISOString(),
          }
        : null;
    },

    'requests.approve': async ({ id }) => {
      need('requests', 'approving a video request');
      return engine.approveRequest(id, engine.operator.name);
    },
    'requests.deny': async ({ id, reason }) => {
      need('requests', 'denying a video request');
      return engine.denyRequest(id, reason, engine.operator.name);
    },
    'demo.request': async (input) => {
      need('requests', 'asking for demo footage');
      return engine.demoRequest(input);
    },

    'files.list': async ({ dir }) => {
      need('upload', 'browsing files to upload');
      return listFolder(path.resolve(dir ?? '.'));
    },

    'settings.importIntegration': async ({ file }) => {
      needAdmin('importing an integration file');
      return engine.importIntegration(file, engine.operator.name);
    },
    'settings.logging': async (change) => {
      needAdmin('changing the log settings');
      return engine.setLogging(change, engine.operator.name);
    },
    'settings.syncFolders': async ({ syncFolders }) => {
      needAdmin('changing the sync folders');
      return { syncFolders: await engine.setSyncFolders(syncFolders, engine.operator.name) };
    },

    'cases.list': async () => {
      const client = await rest('listing cases');
      const [cases, departments, categories] = await Promise.all([
        client.listCases(),
        client.listDepartments(),
        client.listCategories(),
      ]);
      return {
        cases: cases.items,
        departments: departments.items,
        categories: categories.items,
      };
    },
  };
}

/** At most this many entries go to the picker: a folder of 100,000 files is no list to scroll. */
const MAX_ENTRIES = 2000;

async function listFolder(dir: string): Promise<CommandOutput<'files.list'>> {
  let names: Dirent[];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CustodyError(
      `cannot list ${dir} (${code})`,
      code === 'ENOTDIR'
        ? 'pick a folder, not a file'
        : 'pick a folder that exists and custody may read',
      ExitCode.badInput,
    );
  }
  // Hidden files are no evidence anyone means to pick; dock mounts put them everywhere.
  const visible = names.filter((entry) => !entry.name.startsWith('.'));
  const entries = (
    await Promise.all(
      visible.slice(0, MAX_ENTRIES).map(async (entry) => {
        const full = path.join(dir, entry.name);
        const info = await stat(full).catch(() => undefined);
        if (!info || (!info.isDirectory() && !info.isFile())) return [];
        return [
          {
            name: entry.name,
            kind: info.isDirectory() ? ('dir' as const) : ('file' as const),
            size: info.isFile() ? info.size : 0,
            modifiedAt: info.mtime.toISOString(),
          },
        ];
      }),
    )
  )
    .flat()
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
  const parent = path.dirname(dir);
  return {
    dir,
    parent: parent === dir ? null : parent,
    entries,
    truncated: visible.length > MAX_ENTRIES,
  };
}

/** A name as it can appear in a file name on any system. */
function fileSafe(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'snapshot'
  );
}
