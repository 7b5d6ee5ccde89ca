import type { Recurrence } from '../../schemas/recurrence.js';
import {
  addDays,
  endOfLocalDay,
  isValidIsoDate,
  isValidTimeZone,
  localDateOf,
  zonedToInstant,
} from '../time/zoned-time.js';

/** A rule that moves a due date off a non-working day. */
export type WorkingDayAdjustment = 'previous-working-day' | 'next-working-day';

/** One occurrence of a recurring task: one duty per unit. */
export type Occurrence = {
  /** When it is due, after any holiday adjustment. */
  dueAt: Date;
  /** Stable name of the period it belongs to ('2026-W21', '2026-05', '2026-05#2', 'S1'). */
  occurrenceKey: string;
  /** The local calendar day it is due on, after any holiday adjustment. */
  localDate: string;
};

export type ExpandOptions = {
  /** The plan's IANA time zone. */
  timeZone: string;
  /** First possible date (YYYY-MM-DD); also the rule's start when it gives none (the phase start). */
  start: string;
  /** Last possible date, inclusive (plan end or creation horizon). */
  end?: string;
  /** Only occurrences due strictly after this instant (those already created are up to it). */
  after?: Date;
  /** Hard cap on how many occurrences are returned. */
  limit: number;
  /** Moves a date off a non-working day; supplied by the caller, who owns the calendar. */
  adjust?: (date: string, rule: WorkingDayAdjustment) => string;
};

export type RecurrenceProblem = { field: string; message: string };

/** What a rule's own cross-field checks read (see `recurrenceRuleProblems`). */
export type RuleDates = {
  freq: string;
  start?: string | undefined;
  until?: string | undefined;
  windows?: readonly { start: string; end: string }[] | undefined;
};

type Nominal = { date: string; key: string };

const DAY_MS = 86_400_000;
// The last Monday from which a whole week still fits in year 9999, where calendar arithmetic ends.
const LAST_WEEK_START = '9999-12-24';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

// setUTCFullYear rather than Date.UTC, which would read years 0–99 as 1900–1999.
function utcDate(date: string): Date {
  const d = new Date(0);
  d.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return d;
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** 1 = Monday … 7 = Sunday. */
function isoWeekday(date: string): number {
  return ((utcDate(date).getUTCDay() + 6) % 7) + 1;
}

/** ISO 8601 week of a date: the week belongs to the year its Thursday falls in ('2026-W01'). */
export function isoWeekKey(date: string): string {
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = thursday.slice(0, 4);
  const ordinal = Math.round((utcDate(thursday).getTime() - utcDate(`${year}-01-01`).getTime()) / DAY_MS);
  return `${year}-W${pad2(Math.floor(ordinal / 7) + 1)}`;
}

function dayOfMonth(day: number | 'last', year: number, month: number): number {
  const length = daysInMonth(year, month);
  return day === 'last' ? length : Math.min(day, length);
}

function* monthsFrom(anchor: string, step: number): Generator<{ year: number; month: number }> {
  let year = Number(anchor.slice(0, 4));
  let month = Number(anchor.slice(5, 7));
  while (year <= 9999) {
    yield { year, month };
    month += step;
    year += Math.floor((month - 1) / 12);
    month = ((month - 1) % 12) + 1;
  }
}

/**
 * The rule's own dates on or after `anchor`, before any holiday adjustment, in date order.
 * Unbounded except by the end of year 9999: callers stop reading.
 */
function* nominalDates(rule: Recurrence, anchor: string): Generator<Nominal> {
  switch (rule.freq) {
    case 'weekly': {
      const weekdays = [...new Set(rule.weekdays)].sort((a, b) => a - b);
      // With one weekday the week names the occurrence; with several, the weekday is part of it.
      const several = weekdays.length > 1;
      for (
        let monday = addDays(anchor, 1 - isoWeekday(anchor));
        monday <= LAST_WEEK_START;
        monday = addDays(monday, 7)
      ) {
        const week = isoWeekKey(monday);
        for (const weekday of weekdays) {
          const date = addDays(monday, weekday - 1);
          if (date >= anchor) {
            yield { date, key: several ? `${week}-${weekday}` : week };
          }
        }
      }
      return;
    }
    case 'monthly':
    case 'every-n-months': {
      const step = rule.freq === 'monthly' ? 1 : rule.months;
      for (const { year, month } of monthsFrom(anchor, step)) {
        const date = isoDate(year, month, dayOfMonth(rule.day, year, month));
        if (date >= anchor) {
          yield { date, key: isoDate(year, month, 1).slice(0, 7) };
        }
      }
      return;
    }
    case 'monthly-times': {
      for (const { year, month } of monthsFrom(anchor, 1)) {
        const length = daysInMonth(year, month);
        for (let part = 1; part <= rule.times; part++) {
          const date = isoDate(year, month, Math.floor((part * length) / rule.times));
          if (date >= anchor) {
            yield { date, key: `${date.slice(0, 7)}#${part}` };
          }
        }
      }
      return;
    }
    case 'semester': {
      for (const [index, window] of rule.windows.entries()) {
        if (window.end >= anchor) {
          yield { date: window.end, key: `S${index + 1}` };
        }
      }
      return;
    }
  }
}

function parseTime(time: string | undefined): { hour: number; minute: number } | undefined {
  if (time === undefined) {
    return undefined;
  }
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (match === null) {
    throw new RangeError(`Not a local time in HH:MM form: ${JSON.stringify(time)}`);
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function assertDate(name: string, date: string): void {
  if (!isValidIsoDate(date)) {
    throw new RangeError(`${name} is not a calendar date in YYYY-MM-DD form: ${JSON.stringify(date)}`);
  }
}

// Dates compare as strings; Math.max would turn them into NaN.
function later(a: string, b: string): string {
  if (a < b) return b;
  return a;
}

/**
 * The occurrences of a recurring task, each with its due instant, a stable occurrence key and
 * the local date it is due on, ordered by due time.
 *
 * Dates and keys per rule (before holiday adjustment):
 * - `weekly`: each listed weekday at `time`; key is the ISO week (`2026-W20`), or the ISO week and
 *   weekday (`2026-W20-5`) when the rule lists several weekdays.
 * - `monthly`: `day` of every month (past the month's end, or `'last'`, means its last day); key `2026-05`.
 * - `monthly-times`: the month of D days is split into `times` equal parts and part k ends, and is
 *   due, on day ⌊k·D/times⌋: four times in a 30-day month gives the 7th, 15th, 22nd and 30th,
 *   in a 31-day month the 7th, 15th, 23rd and 31st; the last part always ends on the month's
 *   last day. Key `2026-05#2` for part 2.
 * - `every-n-months`: like `monthly`, in the start month and every `months` months after it.
 * - `semester`: the end date of each window; key `S1`, `S2` … by window position.
 *
 * With a `time` the due instant is that wall-clock time in `timeZone`; without one it is the end
 * of the day (23:59:59.999 local).
 *
 * Bounds: the rule's start is `rule.start`, or `options.start` when it gives none. `rule.count`
 * counts from the rule's start, so occurrences before `options.start` or up to `after` are counted
 * but not returned, and expanding again later with a new `after` keeps the same numbering and
 * keys. `options.start`, the rule's start and `rule.until` bound the rule's own (unadjusted) date, so
 * a change to the holiday calendar only moves an occurrence, never adds or drops one. `options.end`
 * bounds the date it is due on (adjusted), like `after`: expanding (after, end] and later
 * (end of that day, next end] returns every occurrence exactly once, even one that a holiday moves
 * back across the boundary. `adjust` is called with the unadjusted date when the rule has a
 * `holidayRule` other than `'none'`; it must be monotonic (a calendar is), which keeps adjusted
 * occurrences in order. At most `limit` occurrences are returned.
 * @throws RangeError for an unknown time zone, an invalid date in `options`, a negative or
 * non-integer `limit`, or an `adjust` that returns something other than a date.
 */
export function expandOccurrences(rule: Recurrence, options: ExpandOptions): Occurrence[] {
  const { timeZone, after, limit, adjust } = options;
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
  assertDate('start', options.start);
  if (options.end !== undefined) {
    assertDate('end', options.end);
  }
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  if (after !== undefined && Number.isNaN(after.getTime())) {
    throw new RangeError('after is an invalid Date');
  }

  const anchor = rule.start ?? options.start;
  const first = later(anchor, options.start);
  const time = parseTime('time' in rule ? rule.time : undefined);
  const holidayRule = rule.holidayRule ?? 'none';
  const shift = holidayRule === 'none' ? undefined : adjust;
  // An occurrence on a local day before the one `after` falls on is due before it; comparing
  // dates first saves a time-zone conversion per skipped occurrence.
  const afterDate = after === undefined ? undefined : localDateOf(after, timeZone);

  const occurrences: Occurrence[] = [];
  if (limit === 0) {
    return occurrences;
  }
  let number = 0;
  for (const { date, key } of nominalDates(rule, anchor)) {
    if (rule.until !== undefined && date > rule.until) break;
    number++;
    if (rule.count !== undefined && number > rule.count) break;
    if (date < first) continue;

    let localDate = date;
    if (shift !== undefined && holidayRule !== 'none') {
      localDate = shift(date, holidayRule);
      if (!isValidIsoDate(localDate)) {
        throw new RangeError(`adjust(${date}) returned ${JSON.stringify(localDate)}, not a date`);
      }
    }
    // Adjusted dates keep their order, so every later occurrence is past the end too.
    if (options.end !== undefined && localDate > options.end) break;
    if (afterDate !== undefined && localDate < afterDate) continue;

    const dueAt =
      time === undefined
        ? endOfLocalDay(localDate, timeZone)
        : zonedToInstant(
            {
              year: Number(localDate.slice(0, 4)),
              month: Number(localDate.slice(5, 7)),
              day: Number(localDate.slice(8, 10)),
              ...time,
            },
            timeZone,
          );
    if (after !== undefined && dueAt.getTime() <= after.getTime()) continue;

    occurrences.push({ dueAt, occurrenceKey: key, localDate });
    if (occurrences.length >= limit) break;
  }
  // Already in order for a monotonic `adjust`; the sort (stable) guards a rule with windows out of order.
  return occurrences.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/**
 * Cross-field checks that need nothing but the rule: `until` not before `start`, semester windows
 * each ending on or after their start, in order and not overlapping. Field names are relative to
 * the rule ('windows.1.start'); dates that do not exist are skipped here (the schema reports them).
 * Used by `RecurrenceSchema`; `validateRecurrence` includes these.
 */
export function recurrenceRuleProblems(rule: RuleDates): RecurrenceProblem[] {
  const problems: RecurrenceProblem[] = [];
  const { start, until } = rule;
  if (start !== undefined && until !== undefined && isValidIsoDate(start) && isValidIsoDate(until)) {
    if (until < start) {
      problems.push({ field: 'until', message: `结束日期 ${until} 早于开始日期 ${start}` });
    }
  }
  if (rule.freq === 'semester' && rule.windows !== undefined) {
    let previousEnd: string | undefined;
    rule.windows.forEach((window, index) => {
      const startValid = isValidIsoDate(window.start);
      const endValid = isValidIsoDate(window.end);
      if (startValid && endValid && window.end < window.start) {
        problems.push({
          field: `windows.${index}.end`,
          message: `第 ${index + 1} 个学期时段的结束日期 ${window.end} 早于其开始日期 ${window.start}`,
        });
      }
      if (startValid && previousEnd !== undefined && window.start <= previousEnd) {
        problems.push({
          field: `windows.${index}.start`,
          message: `第 ${index + 1} 个学期时段从 ${window.start} 开始,与第 ${index} 个时段(至 ${previousEnd})重叠或顺序颠倒;各时段须按先后排列且互不重叠`,
        });
      }
      previousEnd = endValid ? window.end : undefined;
    });
  }
  return problems;
}

/**
 * Everything wrong with a recurrence rule given the phase the task belongs to, for a 400 response:
 * dates that do not exist, the rule's own cross-field checks (see `recurrenceRuleProblems`), and
 * checks against the effective start (`rule.start`, or `ctx.phaseStart` when it gives none):
 * `until` not before it, no semester window ending before it or after `until`, and at least one
 * occurrence between it and `until`. Field names are from the task body's root
 * ('recurrence.windows.1.end'). Messages are in Chinese. An empty list means the rule is usable.
 * @throws RangeError when `ctx.phaseStart` is not a date: that is the caller's data, not the office's.
 */
export function validateRecurrence(rule: Recurrence, ctx: { phaseStart: string }): RecurrenceProblem[] {
  assertDate('phaseStart', ctx.phaseStart);
  const problems: RecurrenceProblem[] = [];
  const checkDate = (field: string, date: string | undefined): boolean => {
    if (date === undefined) return false;
    if (isValidIsoDate(date)) return true;
    problems.push({ field, message: `日期“${date}”不存在或格式不对(应为 YYYY-MM-DD)` });
    return false;
  };

  const startValid = checkDate('start', rule.start);
  const untilValid = checkDate('until', rule.until);
  if (rule.freq === 'semester') {
    rule.windows.forEach((window, index) => {
      checkDate(`windows.${index}.start`, window.start);
      checkDate(`windows.${index}.end`, window.end);
    });
  }
  problems.push(...recurrenceRuleProblems(rule));

  if (rule.start !== undefined && !startValid) {
    return prefixed(problems);
  }
  const start = rule.start ?? ctx.phaseStart;
  const startLabel = rule.start === undefined ? `阶段开始日期 ${start}` : `开始日期 ${start}`;
  const until = untilValid ? rule.until : undefined;
  if (until !== undefined && until < start) {
    // With its own start the rule's check above has said so already.
    if (rule.start === undefined) {
      problems.push({ field: 'until', message: `结束日期 ${until} 早于${startLabel}` });
    }
    return prefixed(problems);
  }

  if (rule.freq === 'semester') {
    rule.windows.forEach((window, index) => {
      if (!isValidIsoDate(window.end)) return;
      if (window.end < start) {
        problems.push({
          field: `windows.${index}.end`,
          message: `第 ${index + 1} 个学期时段在${startLabel}之前就已结束,不会产生督办`,
        });
      } else if (until !== undefined && window.end > until) {
        problems.push({
          field: `windows.${index}.end`,
          message: `第 ${index + 1} 个学期时段结束于 ${window.end},晚于结束日期 ${until},不会产生督办`,
        });
      }
    });
  } else if (until !== undefined) {
    const first = nominalDates(rule, start).next();
    if (first.done === true || first.value.date > until) {
      problems.push({
        field: 'until',
        message: `${startLabel}至结束日期 ${until} 之间不会产生任何一次督办`,
      });
    }
  }
  return prefixed(problems);
}

function prefixed(problems: RecurrenceProblem[]): RecurrenceProblem[] {
  return problems.map((p) => ({ field: `recurrence.${p.field}`, message: p.message }));
}
