/**
 * Small text helpers for hand-laid tables and status lines. Everything the console prints is
 * one column per character (ASCII, box drawing, block elements), so length is width here.
 */
import { formatDuration } from '../core/format.ts';

/** Exactly `width` columns: cut with an ellipsis, or padded with spaces. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return align === 'left' ? cut.padEnd(width) : cut.padStart(width);
}

/** At most `width` columns, cut with an ellipsis, never padded. */
export function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** A progress bar of `width` cells: `█████░░░`. Reads the same without colour. */
export function bar(fraction: number, width: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(Math.max(0, width - full));
}

/** Rates as a status line can afford them: `8M`, `512K`, `1.5M`, `unl`, `off`. */
export function shortRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return 'unl';
  if (bytesPerSecond === 0) return 'off';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 100 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1);
  return `${text.replace(/\.0$/, '')}${units[unit]}`;
}

/** Sizes in a table cell: `12.3M`, `980K`, `1.04G`. */
export function shortBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  return shortRate(bytes);
}

/** `what — fix` of a CustodyError (or of one that crossed the control socket); never a stack. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'what' in err && 'fix' in err) {
    const { what, fix } = err as { what: unknown; fix: unknown };
    return `${String(what)} — ${String(fix)}`;
  }
  if (err instanceof Error) return err.message.split('\n')[0] ?? 'failed';
  return String(err);
}

/** `<1m`, `5m`, `2h`, `3d` ago or ahead; `—` for a bad date. */
export function age(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '—';
  return span(Math.abs(ms));
}

/** To the minute, as the clock that redraws ages moves (use-minute-clock). */
export function span(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) return '<1m';
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function eta(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms).replace(/ /g, '');
}

/** Local `HH:MM`, with the weekday when it is not today. */
export function clock(iso: string, now: Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? hm : `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()]} ${hm}`;
}

/** `2026-11-25 14:03` in local time, for ranges. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * A stretch of footage to the second, with its length: `12-01 17:10:08–17:10:31 (23s)`. Gaps
 * are often seconds long, where a range to the minute read `17:10–17:10`.
 */
export function exactRange(fromIso: string, toIso: string): string {
  const from = new Date(fromIso);
  const to = new Date(toIso);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return '—';
  const p = (n: number) => String(n).padStart(2, '0');
  const day = (d: Date) => `${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  const hms = (d: Date) => `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  const toText = from.toDateString() === to.toDateString() ? hms(to) : `${day(to)} ${hms(to)}`;
  const ms = to.getTime() - from.getTime();
  // Tenths under ten seconds: ends are shown to the second, so 40–42 may be 1.2 s long.
  const length = ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms);
  return `${day(from)} ${hms(from)}–${toText} (${length})`;
}

/** A range on one line: `11-25 14:03–14:10`, dates left out of the end when the same day. */
export function range(fromIso: string, toIso: string): string {
  const from = localTime(fromIso);
  const to = localTime(toIso);
  if (from.slice(0, 10) === to.slice(0, 10)) return `${from.slice(5)}–${to.slice(11)}`;
  return `${from.slice(5)}–${to.slice(5)}`;
}
