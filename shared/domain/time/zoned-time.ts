/** The time zone a plan uses when none is given: the offices are all in mainland China. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** A wall-clock reading: what a calendar and a clock on the wall show in some time zone. */
export type LocalDateTimeParts = {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

// Building an Intl.DateTimeFormat is far slower than using one, and due-date checks call this per duty.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      // h23, not hour12: false: some ICU versions print midnight as "24" with the latter.
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Milliseconds since the epoch of a proleptic-Gregorian UTC reading; unlike Date.UTC, years 0–99 stay as given. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

// ICU switches to the Julian calendar before 1582 and has no zone rules before the 1800s (every
// zone is on local mean time until then), so older instants borrow the offset in force at this one.
const EARLIEST_ZONE_RULE_MS = utcMs(1800, 1, 1);

/** The zone's offset from UTC in milliseconds at an instant (positive east of Greenwich). */
function offsetAt(epochMs: number, timeZone: string): number {
  const at = Math.max(epochMs, EARLIEST_ZONE_RULE_MS);
  const fields = new Map<string, number>();
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    fields.set(part.type, Number(part.value));
  }
  const field = (type: Intl.DateTimeFormatPartTypes): number => {
    const value = fields.get(type);
    if (value === undefined || Number.isNaN(value)) {
      throw new Error(`Intl gave no numeric ${type} for ${timeZone}`);
    }
    return value;
  };
  const wall = utcMs(
    field('year'),
    field('month'),
    field('day'),
    field('hour') % 24,
    field('minute'),
    field('second'),
  );
  return wall - Math.floor(at / 1000) * 1000;
}

function pad(value: number, width: number): string {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${digits}` : digits;
}

function formatIsoDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

function parseIsoDate(date: string): { year: number; month: number; day: number } {
  const match = ISO_DATE.exec(date);
  if (match === null || !isValidIsoDate(date)) {
    throw new RangeError(`Not a calendar date in YYYY-MM-DD form: ${JSON.stringify(date)}`);
  }
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

function assertTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
}

function assertInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Whether `timeZone` is an IANA time zone name (or offset) that this runtime's Intl knows.
 * The empty string is refused: Intl would otherwise reject it only on some versions.
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    return false;
  }
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `s` is exactly `YYYY-MM-DD` and names a real day of the Gregorian calendar
 * (`2024-02-29` yes, `2023-02-29` and `2023-02-30` no).
 */
export function isValidIsoDate(s: string): boolean {
  if (typeof s !== 'string') {
    return false;
  }
  const match = ISO_DATE.exec(s);
  if (match === null) {
    return false;
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * The calendar date (`YYYY-MM-DD`) that a wall calendar in `timeZone` shows at `instant`.
 * @throws RangeError for an unknown time zone or an invalid Date.
 */
export function localDateOf(instant: Date, timeZone: string): string {
  assertTimeZone(timeZone);
  const epochMs = instant.getTime();
  if (Number.isNaN(epochMs)) {
    throw new RangeError('Invalid Date');
  }
  // Shifting by the offset turns the UTC fields of a Date into the local wall clock.
  const wall = new Date(epochMs + offsetAt(epochMs, timeZone));
  return formatIsoDate(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate());
}

/**
 * The instant at which the wall clock in `timeZone` shows `parts` (missing time fields are 0).
 *
 * Around daylight-saving changes this follows the "compatible" rule of Temporal and RFC 5545:
 * a reading that occurs twice (clocks go back) gives the earlier instant; a reading that never
 * occurs (clocks jump forward) is moved forward by the length of the jump, so 02:30 on the
 * spring-forward day in New York gives 03:30 EDT.
 * @throws RangeError for an unknown time zone or a field outside its calendar range.
 */
export function zonedToInstant(parts: LocalDateTimeParts, timeZone: string): Date {
  assertTimeZone(timeZone);
  const { year, month, day, hour = 0, minute = 0, second = 0, millisecond = 0 } = parts;
  assertInteger('year', year, 0, 9999);
  assertInteger('month', month, 1, 12);
  assertInteger('day', day, 1, daysInMonth(year, month));
  assertInteger('hour', hour, 0, 23);
  assertInteger('minute', minute, 0, 59);
  assertInteger('second', second, 0, 59);
  assertInteger('millisecond', millisecond, 0, 999);

  const asIfUtc = utcMs(year, month, day, hour, minute, second, millisecond);
  // The offsets a day either side bracket any transition near this reading (zones change at most
  // once in a few weeks). Each offset that maps back onto itself is a real interpretation.
  const offsetBefore = offsetAt(asIfUtc - DAY_MS, timeZone);
  const offsetAfter = offsetAt(asIfUtc + DAY_MS, timeZone);
  const candidates = [offsetBefore, offsetAfter]
    .map((offset) => asIfUtc - offset)
    .filter((epochMs) => asIfUtc - offsetAt(epochMs, timeZone) === epochMs);
  if (candidates.length > 0) {
    return new Date(Math.min(...candidates));
  }
  // A skipped reading: keep the offset in force before the jump, which lands after it.
  return new Date(asIfUtc - offsetBefore);
}

/**
 * The first instant of the local calendar day `date` in `timeZone` (normally 00:00:00.000;
 * the first existing instant where a zone skips midnight).
 * @throws RangeError for an invalid date or time zone.
 */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const { year, month, day } = parseIsoDate(date);
  return zonedToInstant({ year, month, day }, timeZone);
}

/**
 * The last millisecond of the local calendar day `date` in `timeZone`: 23:59:59.999 local time.
 * A due date given as a day means "by the end of that day".
 * @throws RangeError for an invalid date or time zone.
 */
export function endOfLocalDay(date: string, timeZone: string): Date {
  // Defined as one millisecond before the next day starts, so it stays right on days that are
  // not 24 hours long.
  return new Date(startOfLocalDay(addDays(date, 1), timeZone).getTime() - 1);
}

/**
 * Calendar arithmetic on plain dates: `addDays('2026-02-28', 1)` is `'2026-03-01'`. No time zone is
 * involved, so every day counts as one.
 * @throws RangeError for an invalid date or a non-integer `n`.
 */
export function addDays(date: string, n: number): string {
  const { year, month, day } = parseIsoDate(date);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Days must be an integer, got ${n}`);
  }
  const result = new Date(utcMs(year, month, day) + n * DAY_MS);
  if (Number.isNaN(result.getTime()) || result.getUTCFullYear() < 0 || result.getUTCFullYear() > 9999) {
    throw new RangeError(`${date} plus ${n} days is outside years 0000–9999`);
  }
  return formatIsoDate(result.getUTCFullYear(), result.getUTCMonth() + 1, result.getUTCDate());
}
