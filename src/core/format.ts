/**
 * Parsing and display of the quantities the operator types and reads: rates, durations, sizes.
 *
 * Units are binary throughout (1K = 1024 bytes), like rclone, so a cap copied from an rclone
 * setup means the same thing here. A bare number is bytes per second, not KiB/s as in rclone:
 * config files are read by people who do not know rclone, and "800" reading as 800 bytes is
 * the least surprising.
 */

export type RateResult =
  | { ok: true; bytesPerSecond: number | null }
  | { ok: false; message: string };
export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

/** Shown in every rate error so the reader learns the syntax from the message alone. */
export const RATE_FORMS = '2M, 512K, 1.5G or 800 (bytes/s, binary units), off or unlimited';

const KIB = 1024;
// T and P are beyond any real cap, but formatRate can print them and must be read back.
const RATE_MULTIPLIER: Record<string, number> = {
  '': 1,
  b: 1,
  k: KIB,
  m: KIB ** 2,
  g: KIB ** 3,
  t: KIB ** 4,
  p: KIB ** 5,
};

// number, optional unit (B, or K | M | G | T | P optionally followed by B or iB), optional /s
const RATE_PATTERN = /^(\d+(?:\.\d*)?|\.\d+)\s*(?:([kmgtp])(?:i?b)?|(b))?(?:\/s)?$/;

export function parseRate(text: string): RateResult {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (lower === 'off') return { ok: true, bytesPerSecond: 0 };
  if (lower === 'unlimited') return { ok: true, bytesPerSecond: null };
  const expected = `expected a rate such as ${RATE_FORMS}`;
  if (lower === '') return { ok: false, message: `${expected}; found nothing` };
  if (lower.startsWith('-')) {
    return { ok: false, message: `${expected}; found "${trimmed}" (a rate cannot be negative)` };
  }
  const match = RATE_PATTERN.exec(lower);
  if (!match) return { ok: false, message: `${expected}; found "${trimmed}"` };
  const value = Number(match[1]);
  const multiplier = RATE_MULTIPLIER[match[2] ?? match[3] ?? ''] ?? 1;
  // Whole bytes: a rate is written back to config files and must survive the round trip exactly.
  const bytesPerSecond = Math.round(value * multiplier);
  if (!Number.isSafeInteger(bytesPerSecond)) {
    return { ok: false, message: `${expected}; found "${trimmed}" (too large)` };
  }
  if (bytesPerSecond === 0 && value > 0) {
    return {
      ok: false,
      message: `${expected}; found "${trimmed}" (below 1 byte/s: write off to stop uploads)`,
    };
  }
  return { ok: true, bytesPerSecond };
}

/**
 * A log file size as the config writes it ('10m', '512k', '1g'; a bare number is MiB, since
 * nobody rotates logs by the byte). The config schema has checked the form; anything else is 1 MiB.
 */
export function logSizeBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(text.trim());
  if (match === null) return KIB ** 2;
  const multiplier = RATE_MULTIPLIER[(match[2] || 'm').toLowerCase()] ?? KIB ** 2;
  return Math.max(1, Math.round(Number(match[1]) * multiplier));
}

const DURATION_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

// `ms` must come before `m` so that 500ms is not read as 500 minutes and a stray s.
const DURATION_PART = /\s*(\d+(?:\.\d+)?)(ms|s|m|h|d|w)\s*/y;

export function parseDuration(text: string): DurationResult {
  const lower = text.trim().toLowerCase();
  const fail = (): DurationResult => ({
    ok: false,
    message: `expected a duration such as 90s, 15m, 1h30m, 7d, 2w or 500ms; found ${
      lower === '' ? 'nothing' : `"${text.trim()}"`
    }`,
  });
  if (lower === '') return fail();
  DURATION_PART.lastIndex = 0;
  let ms = 0;
  while (DURATION_PART.lastIndex < lower.length) {
    const match = DURATION_PART.exec(lower);
    if (!match) return fail();
    ms += Number(match[1]) * (DURATION_UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(ms)) return fail();
  return { ok: true, ms: Math.round(ms) };
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
// Gigabytes get a second decimal: evidence files sit in that range and 1.0 vs 1.04 GiB matters.
const BYTE_DECIMALS = [0, 1, 1, 2, 2, 2] as const;

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  let value = Math.abs(n);
  let unit = 0;
  while (value >= KIB && unit < BYTE_UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  let text = value.toFixed(BYTE_DECIMALS[unit]);
  // 1023.96 KiB rounds to "1024.0 KiB"; show it as the next unit instead.
  if (Number(text) >= KIB && unit < BYTE_UNITS.length - 1) {
    value /= KIB;
    unit++;
    text = value.toFixed(BYTE_DECIMALS[unit]);
  }
  return `${sign}${text} ${BYTE_UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return 'unlimited';
  if (bytesPerSecond === 0) return 'off';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * The shortest text parseRate reads back to exactly the same rate, for writing settings
 * (`2M`, `1536K`, `800`), unlike formatRate which rounds for display.
 */
export function formatRateSpec(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return 'unlimited';
  if (bytesPerSecond === 0) return 'off';
  for (const [suffix, multiplier] of [
    ['G', KIB ** 3],
    ['M', KIB ** 2],
    ['K', KIB],
  ] as const) {
    if (bytesPerSecond % multiplier === 0) return `${bytesPerSecond / multiplier}${suffix}`;
  }
  return String(bytesPerSecond);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Two units at most: a status line needs the order of magnitude, not the exact figure. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad2(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad2(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `—` when the time cannot be known: no rate yet, uploads off, or no cap to divide by. */
export function formatEta(remainingBytes: number, bytesPerSecond: number | null): string {
  if (!Number.isFinite(remainingBytes) || remainingBytes < 0) return '—';
  if (remainingBytes === 0) return '0s';
  if (bytesPerSecond === null || !(bytesPerSecond > 0)) return '—';
  return formatDuration(Math.ceil((remainingBytes / bytesPerSecond) * 1000));
}

function shortSpan(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

export function formatRelative(from: Date, now: Date): string {
  const diff = from.getTime() - now.getTime();
  if (Number.isNaN(diff)) return '—';
  if (Math.abs(diff) < 1000) return 'now';
  return diff < 0 ? `${shortSpan(-diff)} ago` : `in ${shortSpan(diff)}`;
}

/** `1 request`, `3 requests`: English plurals by `s`, which covers every word counted here. */
export function formatCount(n: number | bigint, what: string): string {
  return `${n} ${what}${Number(n) === 1 ? '' : 's'}`;
}

/** Items typed into one line (schedule entries, paths, patterns): `;` or newline between. */
export function splitList(text: string): string[] {
  return text
    .split(/[;\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
