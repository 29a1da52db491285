/** One line of ffmpeg's `-segment_list_type csv`: `file,start,end` in seconds of stream time. */
export type SegmentListEntry = { file: string; startSeconds: number; endSeconds: number };

/**
 * Parses a line, or returns undefined for one that is not an entry. ffmpeg quotes a file name
 * holding a comma or quote the CSV way; the recorder's own names never need it, but a quoted
 * name still parses.
 */
export function parseSegmentListLine(line: string): SegmentListEntry | undefined {
  const match = /^(?:"((?:[^"]|"")*)"|([^,"]*)),([^,]+),([^,]+)$/.exec(line.trim());
  if (!match) return undefined;
  const file = match[1] !== undefined ? match[1].replaceAll('""', '"') : (match[2] ?? '');
  const startSeconds = Number(match[3]);
  const endSeconds = Number(match[4]);
  if (file === '' || !Number.isFinite(startSeconds) || !Number.isFinite(endSeconds)) {
    return undefined;
  }
  if (endSeconds < startSeconds) return undefined;
  return { file, startSeconds, endSeconds };
}
