import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The static ffmpeg's drawtext needs a font file: its fontconfig has no configuration of its
 * own to find system fonts by name. Well-known places first, then the system's fc-match.
 */
const KNOWN_FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/TTF/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
  '/System/Library/Fonts/Menlo.ttc',
];

export type FontLookup = { path: string } | { path: null; reason: string };

/** Quotes, colons, backslashes and commas would need escaping inside a filter graph. */
const usable = (file: string) => !/[':\\,]/.test(file) && existsSync(file);

export function findDrawtextFont(): FontLookup {
  const known = KNOWN_FONTS.find(usable);
  if (known) return { path: known };
  const match = spawnSync('fc-match', ['-f', '%{file}', 'monospace'], {
    encoding: 'utf8',
    timeout: 5_000,
  });
  const file = match.status === 0 ? match.stdout.trim() : '';
  if (file !== '' && usable(file)) return { path: file };
  return {
    path: null,
    reason:
      'no font file found for the burnt-in clock and camera name; install fonts-dejavu-core to get them',
  };
}
