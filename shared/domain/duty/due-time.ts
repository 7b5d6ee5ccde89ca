import { endOfLocalDay, isValidIsoDate, isValidTimeZone, zonedToInstant } from '../time/zoned-time.js';

/** The result of reading a due time typed by the office. */
export type ParseDueAtResult = { ok: true; dueAt: Date } | { ok: false; message: string };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// RFC 3339 / ISO 8601 extended format; seconds and fractions optional, offset captured separately
// so a missing one can be told apart from garbage. The basic offset form (+0800) is what many
// clients' strftime("%z") emits, so it is accepted too.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const FORMAT_HINT = '应为带时区偏移的 ISO 8601 时间（如 2026-05-13T12:00:00+08:00）或日期（如 2026-05-13）';

/** The years a due time may fall in. */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2999;

/**
 * Reads a due time: an ISO 8601 date-time with an explicit offset or `Z`
 * (`2026-05-13T12:00:00+08:00`, `2026-05-13T04:00:00.5Z`), or a date alone (`2026-05-13`)
 * meaning the end of that day in the plan's `timeZone`. A date-time without an offset is refused
 * because the instant it names is ambiguous. Past times are accepted: plans are often entered
 * after they started. Failure messages are in Chinese, for the office.
 */
export function parseDueAt(input: string, timeZone: string): ParseDueAtResult {
  if (!isValidTimeZone(timeZone)) {
    return { ok: false, message: `时区“${timeZone}”无效` };
  }
  // A deadline is about this campaign, not the edge of the calendar: far years (9999-12-31) would
  // overflow the date arithmetic of reminders and escalations.
  const year = Number(input.slice(0, 4));
  if (/^\d{4}-\d{2}-\d{2}/.test(input) && (year < MIN_YEAR || year > MAX_YEAR)) {
    return { ok: false, message: `截止时间“${input}”超出允许范围(${MIN_YEAR}–${MAX_YEAR} 年)` };
  }
  if (DATE_ONLY.test(input)) {
    if (!isValidIsoDate(input)) {
      return { ok: false, message: `截止日期“${input}”不存在` };
    }
    return { ok: true, dueAt: endOfLocalDay(input, timeZone) };
  }

  const match = DATE_TIME.exec(input);
  if (match === null) {
    return { ok: false, message: `截止时间“${input}”格式无效，${FORMAT_HINT}` };
  }
  const [, date = '', hh = '', mm = '', ss = '0', fraction = '', zulu, sign, offsetHh = '0', offsetMm = '0'] =
    match;
  if (zulu === undefined && sign === undefined) {
    return {
      ok: false,
      message: `截止时间“${input}”缺少时区偏移（如 +08:00 或 Z），无法确定具体时刻`,
    };
  }
  if (!isValidIsoDate(date)) {
    return { ok: false, message: `截止时间“${input}”中的日期 ${date} 不存在` };
  }
  const hour = Number(hh);
  const minute = Number(mm);
  const second = Number(ss);
  if (hour > 23 || minute > 59 || second > 59) {
    return { ok: false, message: `截止时间“${input}”中的时刻 ${hh}:${mm}:${ss.padStart(2, '0')} 不存在` };
  }
  const offsetHours = Number(offsetHh);
  const offsetMinutes = Number(offsetMm);
  if (offsetHours > 23 || offsetMinutes > 59) {
    return { ok: false, message: `截止时间“${input}”中的时区偏移无效` };
  }

  // Computed by hand rather than with Date.parse, whose handling of the edges (fractions beyond
  // milliseconds, the basic offset form) differs between engines; extra digits are truncated.
  const wallAsUtc = zonedToInstant(
    {
      year: Number(date.slice(0, 4)),
      month: Number(date.slice(5, 7)),
      day: Number(date.slice(8, 10)),
      hour,
      minute,
      second,
      millisecond: Number(fraction.padEnd(3, '0').slice(0, 3)),
    },
    'UTC',
  );
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return { ok: true, dueAt: new Date(wallAsUtc.getTime() - offsetMs) };
}

/**
 * Whether a duty due at `dueAt` is overdue at `now`: only strictly after the due instant, so
 * submitting exactly at the due time is on time.
 */
export function isOverdue(dueAt: Date, now: Date): boolean {
  return now.getTime() > dueAt.getTime();
}
