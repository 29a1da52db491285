import { CustodyError } from '../../core/errors.ts';
import type { BufferStore } from '../crypto/buffer-store.ts';
import type { ClipExporter, ClipProgress } from '../video/clip-export.ts';
import type { Gap } from './request-record.ts';

export type ExportOutcome =
  | {
      kind: 'held';
      bytes: number;
      sha256: string;
      gaps: Gap[];
      startMs: number;
      endMs: number;
    }
  /** The camera has no footage at all in the range: reported, never silently skipped. */
  | { kind: 'missing'; reason: string; gaps: Gap[] }
  | { kind: 'failed'; reason: string };

export type ExportClip = {
  fileId: string;
  cameraId: string;
  range: { fromMs: number; toMs: number };
};

/**
 * One camera's range straight from the archive into the encrypted buffer: ffmpeg's MPEG-TS
 * output is encrypted as it arrives, so no plaintext footage is ever written to disk. Safe to
 * run again after a crash: whatever an earlier try left (a key, a file) is shredded first.
 */
export async function exportClip(
  clips: ClipExporter | null,
  buffer: BufferStore,
  clip: ExportClip,
  signal: AbortSignal,
  onProgress?: ClipProgress,
): Promise<ExportOutcome> {
  if (clips === null) {
    return {
      kind: 'failed',
      reason:
        'ffmpeg is not available, so footage cannot be exported; install ffmpeg (custody doctor) and restart custody',
    };
  }
  await buffer.shred(clip.fileId);
  let source: ReturnType<ClipExporter['stream']>;
  try {
    source = clips.stream(clip.cameraId, clip.range, onProgress);
  } catch (err) {
    // The plan found nothing to export: the whole range is a gap.
    return {
      kind: 'missing',
      reason: err instanceof CustodyError ? err.what : String(err),
      gaps: [{ fromMs: clip.range.fromMs, toMs: clip.range.toMs }],
    };
  }
  const stop = () => source.stream.destroy(new Error('export stopped: custody is shutting down'));
  signal.addEventListener('abort', stop, { once: true });
  try {
    const written = await buffer.write(clip.fileId, source.stream);
    return {
      kind: 'held',
      bytes: written.plaintextBytes,
      sha256: written.sha256,
      gaps: source.info.gaps,
      startMs: source.info.startMs,
      endMs: source.info.endMs,
    };
  } catch (err) {
    if (signal.aborted) throw err;
    return { kind: 'failed', reason: err instanceof CustodyError ? err.what : String(err) };
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
