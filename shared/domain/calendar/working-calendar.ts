// The package's raw data file, not its helpers: those default to "today" by reading the clock, and
// they cannot be told that an office has overridden a year. The JSON is a documented artefact of
// the package (its README links it for non-JS users), and esbuild inlines it when bundling.
import officialJson from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, isValidIsoDate, isValidTimeZone, localDateOf, zonedToInstant } from '../time/zoned-time.js';

/**
 * One year of the official schedule (or an office's replacement for it). Dates are `YYYY-MM-DD`.
 * `holidays` are days off (normally weekdays; weekend days listed too are harmless);
 * `workdays` are weekend days that are working days (调休上班).
 */
export interface YearCalendar {
  year: number;
  holidays: string[];
  workdays: string[];
}

/** Where a year's working days come from: the office's override, the package's data, or plain Mon–Fri. */
export type CalendarSource = 'override' | 'official' | 'weekdays';

/** The official schedule, one entry per covered year. */
export type OfficialData = readonly YearCalendar[];

export interface WorkingCalendar {
  isWorkingDay(date: string): boolean;
  sourceOf(year: number): CalendarSource;
  /** Years asked about that had no data, so plain Mon–Fri was used; sorted, unique. */
  fallbackYearsUsed(): number[];
  /**
   * The same calendar with its own record of fallbacks, for one of several computations that run
   * side by side (one duty of a sweep): its `fallbackYearsUsed` lists only what it was asked, while
   * this calendar still sees every year any of its views fell back for.
   */
  view(): WorkingCalendar;
}

type RawDays = Readonly<Record<string, string>>;
const rawOfficial: { holidays: RawDays; workdays: RawDays } = officialJson;

const WEEKDAY_NAMES = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'] as const;

let officialCache: OfficialData | undefined;

// Built on first use rather than at import, so modules that only import a type or the validator
// pay nothing for it.
function officialData(): OfficialData {
  if (officialCache === undefined) {
    const byYear = new Map<number, YearCalendar>();
    const calendarOf = (date: string): YearCalendar => {
      const year = Number(date.slice(0, 4));
      let calendar = byYear.get(year);
      if (calendar === undefined) {
        calendar = { year, holidays: [], workdays: [] };
        byYear.set(year, calendar);
      }
      return calendar;
    };
    // A year counts as covered when the package lists any date in it: every year's notice lists at
    // least 元旦, and no notice reaches into a year the package does not otherwise cover (the
    // tests check both against the installed data).
    for (const date of Object.keys(rawOfficial.holidays)) calendarOf(date).holidays.push(date);
    for (const date of Object.keys(rawOfficial.workdays)) calendarOf(date).workdays.push(date);
    officialCache = [...byYear.values()]
      .sort((a, b) => a.year - b.year)
      .map((calendar) => ({
        ...calendar,
        holidays: calendar.holidays.sort(),
        workdays: calendar.workdays.sort(),
      }));
  }
  return officialCache;
}

function copyOf(calendar: YearCalendar): YearCalendar {
  return { year: calendar.year, holidays: [...calendar.holidays], workdays: [...calendar.workdays] };
}

function assertDate(date: string): void {
  if (!isValidIsoDate(date)) {
    throw new RangeError(`Not a calendar date in YYYY-MM-DD form: ${JSON.stringify(date)}`);
  }
}

function assertSteps(n: number): void {
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Working days must be an integer, got ${n}`);
  }
}

function assertInstant(name: string, instant: Date): void {
  if (Number.isNaN(instant.getTime())) {
    throw new RangeError(`${name} is an invalid Date`);
  }
}

/** 0 = Sunday … 6 = Saturday, for a date already known to be valid. */
function dayOfWeek(date: string): number {
  // A date-only ISO string is read as UTC midnight, so no time zone can move it to another day.
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function isWeekend(date: string): boolean {
  const day = dayOfWeek(date);
  return day === 0 || day === 6;
}

/** The years the installed `chinese-days` data covers, ascending. */
export function officialYears(): number[] {
  return officialData().map((calendar) => calendar.year);
}

/**
 * The installed `chinese-days` data for `year` (a fresh copy, dates sorted), or `undefined` for a
 * year it does not cover. Lets the office see what an override would replace.
 */
export function officialYearCalendar(year: number): YearCalendar | undefined {
  const calendar = officialData().find((entry) => entry.year === year);
  return calendar === undefined ? undefined : copyOf(calendar);
}

/**
 * Checks a year's calendar as an office would type it. Returns one `{ field, message }` per
 * problem (empty when valid), messages in Chinese, fields like `year`, `holidays[2]`,
 * `workdays[0]`. Rules: the year is an integer 0–9999; every date is a real `YYYY-MM-DD` date in
 * that year; no date is listed twice in a list; no date is both a holiday and a workday; a workday
 * (调休上班) falls on a Saturday or Sunday. A holiday on a weekend is accepted: it changes nothing,
 * and official notices list whole holiday spans including their weekends.
 */
export function validateYearCalendar(input: YearCalendar): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  const yearOk = Number.isInteger(input.year) && input.year >= 0 && input.year <= 9999;
  if (!yearOk) {
    errors.push({ field: 'year', message: `年份必须是 0 到 9999 之间的整数，收到“${String(input.year)}”` });
  }

  const holidaySet = new Set<string>();
  const lists = [
    { name: 'holidays', label: '放假日', dates: input.holidays },
    { name: 'workdays', label: '调休上班日', dates: input.workdays },
  ] as const;
  for (const { name, label, dates } of lists) {
    // The type promises an array, but this guards data read back from storage or a request body.
    if (!Array.isArray(dates)) {
      errors.push({ field: name, message: `${label}必须是日期列表` });
      continue;
    }
    const seen = new Set<string>();
    dates.forEach((date: unknown, index) => {
      const field = `${name}[${index}]`;
      if (typeof date !== 'string' || !isValidIsoDate(date)) {
        errors.push({
          field,
          message: `${label}“${String(date)}”不是有效日期，应为 YYYY-MM-DD 格式的真实日期`,
        });
        return;
      }
      if (yearOk && Number(date.slice(0, 4)) !== input.year) {
        errors.push({ field, message: `${label} ${date} 不在 ${input.year} 年内` });
      }
      if (seen.has(date)) {
        errors.push({ field, message: `${label} ${date} 重复` });
      }
      seen.add(date);
      if (name === 'holidays') {
        holidaySet.add(date);
        return;
      }
      if (holidaySet.has(date)) {
        errors.push({ field, message: `${date} 不能既是放假日又是调休上班日` });
      }
      if (!isWeekend(date)) {
        errors.push({
          field,
          message: `调休上班日 ${date} 是${WEEKDAY_NAMES[dayOfWeek(date)] ?? ''}，只能是星期六或星期日`,
        });
      }
    });
  }
  return errors;
}

/**
 * A working-day calendar: for each year, the office's override if there is one, else the official
 * data, else plain Monday–Friday. An override replaces the official data for its year entirely —
 * the office's word wins, and it is how next year's 调休 gets in before a package update.
 *
 * The calendar remembers every year it fell back to weekdays for (see `fallbackYearsUsed`), so a
 * computation can report that its answer rests on no official data; make one calendar (or one
 * `view()` of it) per computation whose fallbacks you want to report, never one shared by
 * computations that run side by side.
 *
 * @param overrides the office's years; at most one per year, each valid by `validateYearCalendar`.
 * @param official the official schedule; defaults to the installed `chinese-days` data.
 * @throws RangeError when an override is invalid or two overrides name the same year: stored
 *   overrides were validated when written, so either means corrupt data, which must not silently
 *   shift deadlines.
 */
export function createWorkingCalendar(
  overrides: readonly YearCalendar[],
  official: OfficialData = officialData(),
): WorkingCalendar {
  const years = new Map<number, YearDays>();
  for (const calendar of official) {
    years.set(calendar.year, {
      source: 'official',
      holidays: new Set(calendar.holidays),
      workdays: new Set(calendar.workdays),
    });
  }
  const overridden = new Set<number>();
  for (const calendar of overrides) {
    const errors = validateYearCalendar(calendar);
    if (errors.length > 0) {
      const details = errors.map((error) => `${error.field}: ${error.message}`).join('; ');
      throw new RangeError(`Invalid calendar override for ${String(calendar.year)}: ${details}`);
    }
    if (overridden.has(calendar.year)) {
      throw new RangeError(`Two calendar overrides for ${calendar.year}`);
    }
    overridden.add(calendar.year);
    years.set(calendar.year, {
      source: 'override',
      holidays: new Set(calendar.holidays),
      workdays: new Set(calendar.workdays),
    });
  }

  return calendarOver(years, []);
}

type YearDays = { source: 'override' | 'official'; holidays: Set<string>; workdays: Set<string> };

/** A calendar over `years` (never changed after it is built) that records its fallbacks in its own set and in `outer`. */
function calendarOver(years: ReadonlyMap<number, YearDays>, outer: readonly Set<number>[]): WorkingCalendar {
  const fallbackYears = new Set<number>();
  const records = [fallbackYears, ...outer];
  return {
    isWorkingDay(date: string): boolean {
      assertDate(date);
      const year = Number(date.slice(0, 4));
      const days = years.get(year);
      if (days === undefined) {
        for (const record of records) record.add(year);
        return !isWeekend(date);
      }
      if (days.workdays.has(date)) return true;
      if (days.holidays.has(date)) return false;
      return !isWeekend(date);
    },
    sourceOf(year: number): CalendarSource {
      return years.get(year)?.source ?? 'weekdays';
    },
    fallbackYearsUsed(): number[] {
      return [...fallbackYears].sort((a, b) => a - b);
    },
    view(): WorkingCalendar {
      return calendarOver(years, records);
    },
  };
}

/**
 * Moves `date` by `n` working days of `cal`: for n > 0 the n-th working day strictly after
 * `date`, for n < 0 the |n|-th working day strictly before it; n = 0 returns `date` unchanged,
 * even when it is not a working day.
 * @throws RangeError for an invalid date or a non-integer `n`.
 */
export function addWorkingDays(date: string, n: number, cal: WorkingCalendar): string {
  assertDate(date);
  assertSteps(n);
  const step = n > 0 ? 1 : -1;
  let remaining = Math.abs(n);
  let current = date;
  while (remaining > 0) {
    current = addDays(current, step);
    if (cal.isWorkingDay(current)) remaining -= 1;
  }
  return current;
}

/**
 * `date` itself if it is a working day, else the nearest working day before it — for rules such
 * as "Friday before noon; if Friday is a holiday, the working day before it" and "the last
 * working day of the month" (pass the month's last date).
 * @throws RangeError for an invalid date.
 */
export function lastWorkingDayOnOrBefore(date: string, cal: WorkingCalendar): string {
  let current = date;
  while (!cal.isWorkingDay(current)) current = addDays(current, -1);
  return current;
}

/**
 * `date` itself if it is a working day, else the nearest working day after it — for rules such
 * as "the first working day of the month" or a deadline that may not land on a day off.
 * @throws RangeError for an invalid date.
 */
export function firstWorkingDayOnOrAfter(date: string, cal: WorkingCalendar): string {
  let current = date;
  while (!cal.isWorkingDay(current)) current = addDays(current, 1);
  return current;
}

// Building an Intl.DateTimeFormat is far slower than using one; sweeps call this per duty.
const clockFormatters = new Map<string, Intl.DateTimeFormat>();

/** The hour, minute and second a wall clock in `timeZone` shows at `instant`. */
function wallClockOf(instant: Date, timeZone: string): { hour: number; minute: number; second: number } {
  let formatter = clockFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      numberingSystem: 'latn',
      // h23, not hour12: false: some ICU versions print midnight as "24" with the latter.
      hourCycle: 'h23',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    clockFormatters.set(timeZone, formatter);
  }
  const fields = new Map<string, number>();
  for (const part of formatter.formatToParts(instant)) fields.set(part.type, Number(part.value));
  return {
    hour: fields.get('hour') ?? 0,
    minute: fields.get('minute') ?? 0,
    second: fields.get('second') ?? 0,
  };
}

/**
 * The instant `n` working days from `instant` at the same local wall-clock time in `timeZone`:
 * the local date moves by `addWorkingDays(localDateOf(instant), n)`, the time of day stays
 * (a duty due Friday 12:00 shifted by +1 is due Monday 12:00 unless Monday is off). n = 0
 * returns the instant unchanged. If that wall-clock time does not exist on the target date
 * (a daylight-saving jump), it moves forward as `zonedToInstant` does.
 * @throws RangeError for an invalid Date, an unknown time zone or a non-integer `n`.
 */
export function shiftByWorkingDays(instant: Date, n: number, timeZone: string, cal: WorkingCalendar): Date {
  assertInstant('instant', instant);
  assertSteps(n);
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
  if (n === 0) return new Date(instant.getTime());
  const target = addWorkingDays(localDateOf(instant, timeZone), n, cal);
  const { hour, minute, second } = wallClockOf(instant, timeZone);
  // Zone offsets are whole seconds, so the milliseconds read the same in every zone.
  const millisecond = ((instant.getTime() % 1000) + 1000) % 1000;
  return zonedToInstant(
    {
      year: Number(target.slice(0, 4)),
      month: Number(target.slice(5, 7)),
      day: Number(target.slice(8, 10)),
      hour,
      minute,
      second,
      millisecond,
    },
    timeZone,
  );
}

/**
 * How many working days late `at` is for a duty due at `dueAt`, counted by local date in
 * `timeZone`: the number of working days d with localDate(dueAt) < d <= localDate(at).
 *
 * - 0 when `at` is on or before `dueAt` (on time, including exactly at the due instant);
 * - 0 when `at` is later the same local day (late, but by less than a working day);
 * - 0 when every day after the due date up to `at` is off (due Friday, submitted Sunday);
 * - due Friday 12:00, submitted Monday 09:00: 1 (Monday), the weekend not counted — even though
 *   fewer than 24 hours of Monday have passed, the unit is into its first working day of delay.
 *
 * For when an escalation fires, use `shiftByWorkingDays(dueAt, n)`, which keeps the time of day.
 * @throws RangeError for an invalid Date or an unknown time zone.
 */
export function workingDaysLate(dueAt: Date, at: Date, timeZone: string, cal: WorkingCalendar): number {
  assertInstant('dueAt', dueAt);
  assertInstant('at', at);
  const dueDate = localDateOf(dueAt, timeZone);
  const atDate = localDateOf(at, timeZone);
  if (at.getTime() <= dueAt.getTime()) return 0;
  let late = 0;
  // YYYY-MM-DD strings of four-digit years sort as the dates they name.
  for (let date = addDays(dueDate, 1); date <= atDate; date = addDays(date, 1)) {
    if (cal.isWorkingDay(date)) late += 1;
  }
  return late;
}

/** Moves a date off a non-working day as a recurrence's holiday rule says, on `cal`. */
export const workingDayAdjuster =
  (cal: WorkingCalendar) =>
  (date: string, rule: 'previous-working-day' | 'next-working-day'): string =>
    rule === 'previous-working-day'
      ? lastWorkingDayOnOrBefore(date, cal)
      : firstWorkingDayOnOrAfter(date, cal);
