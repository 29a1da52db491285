import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BufferStore } from '../crypto/buffer-store.ts';
import type { BandwidthGate } from './bandwidth-gate.ts';
import { PermanentUploadError, unreadable } from './destination.ts';
import { sha256File } from './file-hash.ts';
import { readThrottled, throttled } from './throttled-read.ts';
import type { UploadJob } from './upload-job.ts';

/**
 * Where a job's bytes come from. A plain file is read as it is; a video request's clip lives
 * encrypted in the buffer and is decrypted on the fly, so its plaintext never touches disk.
 */
export interface JobSource {
  /** The name the destination files the bytes under. */
  readonly name: string;
  /** Plaintext size, and the mtime that tells whether the source changed since it was queued. */
  stat(): Promise<{ size: number; mtimeMs: number }>;
  /** SHA-256 (hex) of the plaintext; only called when the queue has none for the current stat. */
  sha256(signal: AbortSignal): Promise<string>;
  /** Plaintext bytes [start, end), each granted by the gate; may end early (see readThrottled). */
  read(
    start: number,
    end: number,
    gate: BandwidthGate,
    signal: AbortSignal,
    onSent: (bytes: number) => void,
  ): AsyncGenerator<Uint8Array>;
}

/** Picks each job's source by its kind. */
export interface JobSources {
  forJob(job: UploadJob): JobSource;
}

/** Throws unless the source still has the size and mtime its hash was computed for. */
export async function checkSourceUnchanged(job: UploadJob, source: JobSource): Promise<void> {
  let current: { size: number; mtimeMs: number };
  try {
    current = await source.stat();
  } catch (err) {
    throw unreadable(job, err);
  }
  if (current.size !== job.size || Math.floor(current.mtimeMs) !== job.mtimeMs) {
    throw new PermanentUploadError(
      `source file ${job.path} changed after it was queued`,
      'queue the file again once it stops changing',
    );
  }
}

export class FileSource implements JobSource {
  readonly name: string;
  readonly #path: string;

  constructor(filePath: string) {
    this.#path = filePath;
    this.name = path.basename(filePath);
  }

  async stat(): Promise<{ size: number; mtimeMs: number }> {
    const { size, mtimeMs } = await stat(this.#path);
    return { size, mtimeMs };
  }

  sha256(signal: AbortSignal): Promise<string> {
    return sha256File(this.#path, signal);
  }

  read(
    start: number,
    end: number,
    gate: BandwidthGate,
    signal: AbortSignal,
    onSent: (bytes: number) => void,
  ): AsyncGenerator<Uint8Array> {
    return readThrottled(this.#path, start, end, gate, signal, onSent);
  }
}

/** A clip in the encrypted request buffer; `name` is the clip's evidence file name. */
export class BufferSource implements JobSource {
  readonly name: string;
  readonly #buffer: BufferStore;
  readonly #fileId: string;

  constructor(buffer: BufferStore, fileId: string, name: string) {
    this.#buffer = buffer;
    this.#fileId = fileId;
    this.name = name;
  }

  stat(): Promise<{ size: number; mtimeMs: number }> {
    return this.#buffer.plaintextBytes(this.#fileId);
  }

  async sha256(signal: AbortSignal): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(this.#buffer.read(this.#fileId), hash, { signal });
    return hash.digest('hex');
  }

  async *read(
    start: number,
    end: number,
    gate: BandwidthGate,
    signal: AbortSignal,
    onSent: (bytes: number) => void,
  ): AsyncGenerator<Uint8Array> {
    if (end <= start) return;
    const stream = await this.#buffer.readRange(this.#fileId, start);
    yield* throttled(stream, end - start, gate, signal, onSent);
  }
}

/**
 * Files by default; with a buffer store, `request` jobs whose path is one of its files read
 * decrypted from there.
 */
export class DefaultJobSources implements JobSources {
  readonly #buffer: BufferStore | undefined;

  constructor(options: { buffer?: BufferStore } = {}) {
    this.#buffer = options.buffer;
  }

  forJob(job: UploadJob): JobSource {
    if (job.sourceKind !== 'request') return new FileSource(job.path);
    const fileId = this.#buffer?.idOfPath(job.path);
    if (this.#buffer === undefined || fileId === undefined) {
      throw new PermanentUploadError(
        `upload ${job.id} is a request clip at ${job.path}, which is not in the request buffer`,
        'the buffer folder moved or the clip was destroyed; the request must be exported again',
      );
    }
    return new BufferSource(this.#buffer, fileId, job.metadata.filename ?? path.basename(job.path));
  }
}
