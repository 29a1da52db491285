import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError } from '../../core/errors.ts';
import { type Destination, PermanentUploadError, type TransferContext } from './destination.ts';
import { sha256File } from './file-hash.ts';
import { checkSourceUnchanged } from './job-source.ts';
import type { UploadJob } from './upload-job.ts';

/** What the sidecar `<file>.json` next to each archived file says. */
export type ArchiveSidecar = {
  jobId: string;
  file: string;
  size: number;
  sha256: string;
  source: string;
  case: UploadJob['caseChoice'];
  metadata: Record<string, string>;
  archivedAt: string;
};

/**
 * A folder such as a mounted video archive share. A file appears there only whole and
 * verified: bytes go to a hidden temp file (resumed by its length after a crash), which is
 * fsynced, hashed, and renamed into place after its sidecar.
 */
export class ArchiveDestination implements Destination {
  readonly id: string;
  readonly verifiesHash = true;
  readonly #dir: string;
  readonly #now: () => Date;

  constructor(options: { id: string; path: string; now?: () => Date }) {
    this.id = options.id;
    this.#dir = path.resolve(options.path);
    this.#now = options.now ?? (() => new Date());
  }

  async transfer(job: UploadJob, context: TransferContext): Promise<void> {
    if ((await this.#placed(job)) !== undefined) return;
    await mkdir(this.#dir, { recursive: true }).catch((err: unknown) => {
      throw new PermanentUploadError(
        `cannot create the archive folder ${this.#dir} (${(err as Error).message})`,
        'check that the archive is mounted and writable',
        { cause: err },
      );
    });
    const temp = this.#tempPath(job);
    const had = await stat(temp).then(
      (s) => s.size,
      () => 0,
    );
    let offset = had <= job.size ? had : 0;
    const file = await open(temp, constants.O_RDWR | constants.O_CREAT, 0o640);
    try {
      await file.truncate(offset);
      context.onProgress(null, offset);
      while (offset < job.size) {
        await checkSourceUnchanged(job, context.source);
        await context.gate.whenOpen(context.signal);
        const end = Math.min(job.size, offset + context.chunkSize);
        for await (const bytes of context.source.read(
          offset,
          end,
          context.gate,
          context.signal,
          context.onSent,
        )) {
          await writeAll(file, bytes, offset);
          offset += bytes.length;
        }
        await file.datasync();
        context.onProgress(null, offset);
      }
      await file.sync();
    } finally {
      await file.close();
    }
  }

  async verify(job: UploadJob, signal: AbortSignal): Promise<void> {
    const placed = await this.#placed(job);
    const candidate = placed ?? this.#tempPath(job);
    const actual = await sha256File(candidate, signal);
    if (actual !== job.sha256) {
      if (placed === undefined) await unlink(candidate).catch(() => undefined);
      throw new CustodyError(
        `the archive copy of ${job.path} has SHA-256 ${actual}, expected ${job.sha256}`,
        'the copy was discarded and is sent again',
      );
    }
    if (placed !== undefined) return;
    const target = await this.#targetPath(job);
    const sidecar: ArchiveSidecar = {
      jobId: job.id,
      file: path.basename(target),
      size: job.size,
      sha256: actual,
      source: job.path,
      case: job.caseChoice,
      metadata: job.metadata,
      archivedAt: this.#now().toISOString(),
    };
    // Sidecar first: a file in place always has one, and the sidecar's jobId tells a restart
    // that the rename below is this job's to finish.
    await writeAtomically(`${target}.json`, `${JSON.stringify(sidecar, null, 2)}\n`);
    await rename(candidate, target);
    await syncDir(this.#dir);
  }

  /** The archived file of this job, if it is in place. */
  async #placed(job: UploadJob): Promise<string | undefined> {
    for (const target of this.#candidates(job)) {
      const owner = await readOwner(target);
      if (owner === job.id && (await exists(target))) return target;
    }
    return undefined;
  }

  /** The plain name, unless another job's file holds it; then the name with the job id. */
  async #targetPath(job: UploadJob): Promise<string> {
    const [plain, unique] = this.#candidates(job) as [string, string];
    const owner = await readOwner(plain);
    if (owner === job.id || (owner === undefined && !(await exists(plain)))) return plain;
    return unique;
  }

  #candidates(job: UploadJob): string[] {
    const name = fileName(job);
    const ext = path.extname(name);
    return [
      path.join(this.#dir, name),
      path.join(
        this.#dir,
        `${name.slice(0, name.length - ext.length)}.${job.id.slice(0, 8)}${ext}`,
      ),
    ];
  }

  #tempPath(job: UploadJob): string {
    return path.join(this.#dir, `.${fileName(job)}.${job.id}.part`);
  }
}

/** A request clip keeps its evidence name; its buffer file name means nothing in an archive. */
function fileName(job: UploadJob): string {
  const base = path.basename(job.path);
  return job.sourceKind === 'request' ? path.basename(job.metadata.filename ?? base) : base;
}

async function writeAll(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

async function writeAtomically(target: string, text: string): Promise<void> {
  const temp = `${target}.tmp`;
  const file = await open(temp, 'w', 0o640);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, target);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readOwner(target: string): Promise<string | undefined> {
  try {
    const sidecar = JSON.parse(await readFile(`${target}.json`, 'utf8')) as Partial<ArchiveSidecar>;
    return sidecar.jobId;
  } catch {
    return undefined;
  }
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );
