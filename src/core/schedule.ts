/**
 * rclone-style weekly bandwidth timetable (DESIGN.md, Schedule).
 *
 * Entry: `<days> <HH:MM-HH:MM> <rate>`, or `<days> * <rate>` or `<days> <rate>` for the whole
 * day (so `* * unlimited` reads as every day, all day).
 *   days  `*`, `Mon`, `Mon-Fri`, `Sat-Mon` (wraps), `Sat,Sun`, `Mon-Wed,Sat` (full names too,
 *         any case)
 *   time  00:00 to 24:00; an end before the start (`18:00-08:00`) runs past midnight into the
 *         next day, and the entry applies on the days it starts on
 *   rate  anything parseRate reads: `2M`, `512K`, `off`, `unlimited`
 * The first entry that covers an instant wins; when none does the rate is unlimited, so an
 * empty schedule never stops uploads by surprise.
 *
 * Everything is computed on wall-clock minutes of the week (0 = Sunday 00:00), and only then
 * mapped to instants, so entries keep meaning "08:00 on Monday" across DST changes.
 */

import { formatRate, formatRateSpec, parseRate } from './format.ts';

export type ScheduleEntry = {
  text: string;
  /** 0 = Sunday .. 6 = Saturday, ascending, no duplicates. */
  days: number[];
  /** Minutes after midnight, 0..1439. */
  startMinute: number;
  /** Minutes after midnight, 0..1440; below startMinute for an overnight entry. */
  endMinute: number;
  /** null = unlimited, 0 = off. */
  bytesPerSecond: number | null;
};

export type Schedule = { entries: ScheduleEntry[] };

export type ScheduleEntryResult =
  | { ok: true; entry: ScheduleEntry }
  | { ok: false; column: number; message: string };

export type ScheduleError = { index: number; entry: string; column: number; message: string };

export type ScheduleResult =
  | { ok: true; schedule: Schedule }
  | { ok: false; errors: ScheduleError[] };

export type ScheduleTimeZone = 'local' | 'UTC';

export type ScheduleEvaluation = {
  bytesPerSecond: number | null;
  /** The entry in force, or null when no entry covers the instant (unlimited). */
  entry: ScheduleEntry | null;
  /** Next instant the effective rate changes; null when it never does. */
  nextChange: Date | null;
  /** The rate from nextChange on; null also when nextChange is null. */
  nextBytesPerSecond: number | null;
};

const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;
const MINUTE_MS = 60_000;

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const FULL_DAY_NAMES = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

const EXPECTED_DAY = 'a day (Mon..Sun, *, Mon-Fri or Sat,Sun)';
const EXPECTED_TIME = 'a time HH:MM (00:00 to 24:00)';
const EXPECTED_RATE = 'a rate (2M, 512K, 800, off or unlimited)';

class EntryError {
  constructor(
    readonly column: number,
    readonly message: string,
  ) {}
}

/** null stands for the end of the entry, '' for an empty item inside a token. */
const found = (text: string | null): string =>
  text === null ? 'end of entry' : text === '' ? 'nothing' : `"${text}"`;

function expected(what: string, column: number, actual: string | null): EntryError {
  return new EntryError(column, `expected ${what} at column ${column}, found ${found(actual)}`);
}

function dayIndex(name: string): number | undefined {
  const lower = name.toLowerCase();
  const index = FULL_DAY_NAMES.findIndex((full) => full === lower || full.slice(0, 3) === lower);
  return index < 0 ? undefined : index;
}

/** `column` is the 1-based column of `token` within the entry. */
function parseDays(token: string, column: number): number[] {
  const days = new Set<number>();
  let offset = 0;
  for (const item of token.split(',')) {
    const itemColumn = column + offset;
    offset += item.length + 1;
    if (item === '*') {
      for (let day = 0; day < 7; day++) days.add(day);
      continue;
    }
    const dash = item.indexOf('-');
    const firstName = dash < 0 ? item : item.slice(0, dash);
    const first = dayIndex(firstName);
    if (first === undefined) throw expected(EXPECTED_DAY, itemColumn, firstName);
    if (dash < 0) {
      days.add(first);
      continue;
    }
    const lastName = item.slice(dash + 1);
    const last = dayIndex(lastName);
    if (last === undefined) throw expected(EXPECTED_DAY, itemColumn + dash + 1, lastName);
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

const TIME_PATTERN = /^(\d{1,2}):(\d{2})$/;

function parseTime(text: string, column: number): number {
  const match = TIME_PATTERN.exec(text);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 24 || minutes > 59 || (hours === 24 && minutes > 0)) {
    throw expected(EXPECTED_TIME, column, text);
  }
  return hours * 60 + minutes;
}

function parseTimeRange(token: string, column: number): { start: number; end: number } {
  const dash = token.indexOf('-');
  if (dash < 0) throw expected('a time range HH:MM-HH:MM or *', column, token);
  const startText = token.slice(0, dash);
  const start = parseTime(startText, column);
  if (start === DAY_MINUTES) throw expected('a start time before 24:00', column, startText);
  const endColumn = column + dash + 1;
  const endText = token.slice(dash + 1);
  const end = parseTime(endText, endColumn);
  if (end === start) {
    throw new EntryError(
      endColumn,
      `expected an end time other than the start at column ${endColumn}, found "${endText}" (for the whole day, write *)`,
    );
  }
  return { start, end };
}

const WHOLE_DAY = { start: 0, end: DAY_MINUTES };

const parseTimePart = (token: string, column: number): { start: number; end: number } =>
  token === '*' ? WHOLE_DAY : parseTimeRange(token, column);

export function parseScheduleEntry(text: string): ScheduleEntryResult {
  try {
    return { ok: true, entry: parseEntryTokens(text) };
  } catch (error) {
    if (error instanceof EntryError)
      return { ok: false, column: error.column, message: error.message };
    throw error;
  }
}

function parseEntryTokens(text: string): ScheduleEntry {
  const tokens = [...text.matchAll(/\S+/g)].map((match) => ({
    text: match[0],
    column: match.index + 1,
  }));
  const endColumn = text.trimEnd().length + 1;
  const [daysToken, second, third, extra] = tokens;
  if (!daysToken) throw expected(EXPECTED_DAY, endColumn, null);
  const days = parseDays(daysToken.text, daysToken.column);
  if (!second) throw expected(`a time range or ${EXPECTED_RATE}`, endColumn, null);
  // A time part is a range with a colon or `*`, and a rate is never either, so a missing
  // rate after a time part is reported as such.
  const hasTime = second.text === '*' || second.text.includes(':') || third !== undefined;
  const range = hasTime ? parseTimePart(second.text, second.column) : WHOLE_DAY;
  const rateToken = hasTime ? third : second;
  if (!rateToken) throw expected(EXPECTED_RATE, endColumn, null);
  const rate = parseRate(rateToken.text);
  if (!rate.ok) throw expected(EXPECTED_RATE, rateToken.column, rateToken.text);
  if (extra) throw expected('end of entry', extra.column, extra.text);
  return {
    text: text.trim(),
    days,
    startMinute: range.start,
    endMinute: range.end,
    bytesPerSecond: rate.bytesPerSecond,
  };
}

/**
 * A string is split on `;` and newlines. Blank pieces are skipped but still counted, so an
 * error's `index` is the array index for array input and the piece's position for a string.
 * Every bad entry is reported, with its column counted within the trimmed entry.
 */
export function parseSchedule(input: string | string[]): ScheduleResult {
  const pieces = typeof input === 'string' ? input.split(/[;\n]/) : input;
  const entries: ScheduleEntry[] = [];
  const errors: ScheduleError[] = [];
  pieces.forEach((piece, index) => {
    const entry = piece.trim();
    if (entry === '') return;
    const result = parseScheduleEntry(entry);
    if (result.ok) entries.push(result.entry);
    else errors.push({ index, entry, column: result.column, message: result.message });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, schedule: { entries } };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

const formatClock = (minute: number): string =>
  `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`;

function formatDays(days: number[]): string {
  const set = new Set(days);
  if (set.size === 7) return '*';
  // Monday first, so working weeks come out as Mon-Fri.
  const order = [1, 2, 3, 4, 5, 6, 0];
  const parts: string[] = [];
  for (let i = 0; i < order.length; ) {
    if (!set.has(order[i] as number)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < order.length && set.has(order[j + 1] as number)) j++;
    const first = DAY_NAMES[order[i] as number];
    const last = DAY_NAMES[order[j] as number];
    if (j === i) parts.push(`${first}`);
    else if (j === i + 1) parts.push(`${first},${last}`);
    else parts.push(`${first}-${last}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Canonical text of an entry; parseScheduleEntry reads it back to the same entry. */
export function formatScheduleEntry(entry: ScheduleEntry): string {
  const wholeDay = entry.startMinute === 0 && entry.endMinute === DAY_MINUTES;
  const time = wholeDay ? '' : ` ${formatClock(entry.startMinute)}-${formatClock(entry.endMinute)}`;
  return `${formatDays(entry.days)}${time} ${formatRateSpec(entry.bytesPerSecond)}`;
}

function covers(entry: ScheduleEntry, weekMinute: number): boolean {
  const day = Math.floor(weekMinute / DAY_MINUTES);
  const minute = weekMinute % DAY_MINUTES;
  if (entry.startMinute < entry.endMinute) {
    return entry.days.includes(day) && minute >= entry.startMinute && minute < entry.endMinute;
  }
  // Overnight: the evening on a listed day, or the morning after a listed day.
  return (
    (entry.days.includes(day) && minute >= entry.startMinute) ||
    (entry.days.includes((day + 6) % 7) && minute < entry.endMinute)
  );
}

function entryAt(schedule: Schedule, weekMinute: number): ScheduleEntry | null {
  return schedule.entries.find((entry) => covers(entry, weekMinute)) ?? null;
}

const rateOf = (entry: ScheduleEntry | null): number | null =>
  entry ? entry.bytesPerSecond : null;

/** Week minutes where some entry starts or ends: the rate is constant between them. */
const boundaryCache = new WeakMap<Schedule, number[]>();

function boundaries(schedule: Schedule): number[] {
  let cached = boundaryCache.get(schedule);
  if (!cached) {
    const points = new Set<number>();
    for (const entry of schedule.entries) {
      for (const day of entry.days) {
        const dayStart = day * DAY_MINUTES;
        const endDay = entry.startMinute < entry.endMinute ? dayStart : dayStart + DAY_MINUTES;
        points.add((dayStart + entry.startMinute) % WEEK_MINUTES);
        points.add((endDay + entry.endMinute) % WEEK_MINUTES);
      }
    }
    cached = [...points].sort((a, b) => a - b);
    boundaryCache.set(schedule, cached);
  }
  return cached;
}

/** Wall-clock minutes from `weekMinute` to the next boundary with another rate, or null. */
function minutesToChange(
  schedule: Schedule,
  weekMinute: number,
  rate: number | null,
): number | null {
  const deltas = boundaries(schedule)
    .map((point) => (point - weekMinute + WEEK_MINUTES) % WEEK_MINUTES)
    .filter((delta) => delta > 0)
    .sort((a, b) => a - b);
  for (const delta of deltas) {
    if (rateOf(entryAt(schedule, (weekMinute + delta) % WEEK_MINUTES)) !== rate) return delta;
  }
  return null;
}

function weekMinuteOf(ms: number, timeZone: ScheduleTimeZone): number {
  const d = new Date(ms);
  return timeZone === 'UTC'
    ? d.getUTCDay() * DAY_MINUTES + d.getUTCHours() * 60 + d.getUTCMinutes()
    : d.getDay() * DAY_MINUTES + d.getHours() * 60 + d.getMinutes();
}

/** Start of the wall-clock minute holding `ms` (offsets need not be whole minutes). */
function minuteStartOf(ms: number, timeZone: ScheduleTimeZone): number {
  const d = new Date(ms);
  return timeZone === 'UTC'
    ? ms - d.getUTCSeconds() * 1000 - d.getUTCMilliseconds()
    : ms - d.getSeconds() * 1000 - d.getMilliseconds();
}

const offsetOf = (ms: number, timeZone: ScheduleTimeZone): number =>
  timeZone === 'UTC' ? 0 : new Date(ms).getTimezoneOffset();

/** First instant in (from, to] whose UTC offset differs from the one at `from`. */
function offsetChangeBetween(from: number, to: number, timeZone: ScheduleTimeZone): number {
  const offset = offsetOf(from, timeZone);
  let low = from;
  let high = to;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetOf(middle, timeZone) === offset) low = middle;
    else high = middle;
  }
  return high;
}

// A rate that differs somewhere in the week is reached within a week, unless the only
// differing minutes fall into a DST gap that week; a few weeks of search covers that.
const SEARCH_LIMIT_MS = 5 * 7 * DAY_MINUTES * MINUTE_MS;

function nextChangeAfter(
  schedule: Schedule,
  at: number,
  rate: number | null,
  timeZone: ScheduleTimeZone,
): number | null {
  let t = minuteStartOf(at, timeZone);
  while (t - at < SEARCH_LIMIT_MS) {
    const weekMinute = weekMinuteOf(t, timeZone);
    const delta = minutesToChange(schedule, weekMinute, rate);
    if (delta === null) return null;
    const candidate = t + delta * MINUTE_MS;
    if (offsetOf(candidate, timeZone) === offsetOf(t, timeZone)) return candidate;
    // The wall clock jumps before the candidate: the rate changes at the jump if the clock
    // lands in another window, else the search goes on from there in the new offset.
    const jump = offsetChangeBetween(t, candidate, timeZone);
    if (rateOf(entryAt(schedule, weekMinuteOf(jump, timeZone))) !== rate) return jump;
    t = jump;
  }
  return null;
}

export function evaluateSchedule(
  schedule: Schedule,
  at: Date,
  timeZone: ScheduleTimeZone = 'local',
): ScheduleEvaluation {
  const ms = at.getTime();
  const entry = entryAt(schedule, weekMinuteOf(ms, timeZone));
  const bytesPerSecond = rateOf(entry);
  const next = nextChangeAfter(schedule, ms, bytesPerSecond, timeZone);
  if (next === null) return { bytesPerSecond, entry, nextChange: null, nextBytesPerSecond: null };
  return {
    bytesPerSecond,
    entry,
    nextChange: new Date(next),
    nextBytesPerSecond: rateOf(entryAt(schedule, weekMinuteOf(next, timeZone))),
  };
}

/**
 * Status-bar text: `2.0 MiB/s until Mon 18:00 (then unlimited)`. The weekday is left out when
 * the change falls on the same calendar day as `now`.
 */
export function formatScheduleWindow(
  result: ScheduleEvaluation,
  now: Date,
  timeZone: ScheduleTimeZone = 'local',
): string {
  const rate = formatRate(result.bytesPerSecond);
  if (!result.nextChange) return `${rate} (no scheduled change)`;
  const next = result.nextChange;
  const utc = timeZone === 'UTC';
  const dateKey = (d: Date): string =>
    utc
      ? `${d.getUTCFullYear()}-${d.getUTCMonth()}-${d.getUTCDate()}`
      : `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
  const clock = formatClock(
    utc ? next.getUTCHours() * 60 + next.getUTCMinutes() : next.getHours() * 60 + next.getMinutes(),
  );
  const day = DAY_NAMES[utc ? next.getUTCDay() : next.getDay()];
  const when = dateKey(next) === dateKey(now) ? clock : `${day} ${clock}`;
  return `${rate} until ${when} (then ${formatRate(result.nextBytesPerSecond)})`;
}
