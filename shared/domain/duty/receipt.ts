/**
 * 签收: a unit signs for what it was given before it works on it. A plan that requires it puts
 * every newly assigned (and every returned) duty in 待签收 until its unit signs, with a deadline in
 * working hours; unsigned after it, the sweep writes one `receipt` notice.
 *
 * Pure: the clock, the zone and the working calendar are parameters.
 */

import { addWorkingDays, type WorkingCalendar } from '../calendar/working-calendar.js';
import { addDays, endOfLocalDay, localDateOf, zonedToInstant } from '../time/zoned-time.js';

/**
 * A county office's working hours (作息时间): 8:30–12:00 and 14:00–17:30 local time, seven hours on
 * each working day of the calendar. A receipt deadline in working hours counts only these.
 */
export const OFFICE_HOURS: readonly { from: number; to: number }[] = [
  { from: 8 * 60 + 30, to: 12 * 60 },
  { from: 14 * 60, to: 17 * 60 + 30 },
];

/** Longest receipt deadline a plan may set, in working hours (about a month of working days). */
export const MAX_RECEIPT_WORKING_HOURS = 160;

/** Days a computation walks at most: a calendar with no working day at all must not loop forever. */
const MAX_DAYS = 3660;

/** The receipt state a duty keeps for its current round of 签收 (null: the plan does not require it). */
export interface Receipt {
  /** The duty's round when this 签收 began (assignment: 1; a return starts another). */
  round: number;
  /** When the unit was given the duty (assignment or return): the signing time counts from here. */
  since: string;
  /** Unsigned by then: the sweep writes a `receipt` notice. */
  dueAt: string;
  /** When it was signed, by whom; null while 待签收. */
  at: string | null;
  by: string | null;
  /** Working minutes from `since` to `at` (what the counters sum for the average signing time). */
  workingMinutes: number | null;
}

const windowOf = (date: string, minutes: number, timeZone: string) =>
  zonedToInstant(
    {
      year: Number(date.slice(0, 4)),
      month: Number(date.slice(5, 7)),
      day: Number(date.slice(8, 10)),
      hour: Math.floor(minutes / 60),
      minute: minutes % 60,
    },
    timeZone,
  ).getTime();

/**
 * When a 签收 begun at `since` is due: `workingHours` of office hours later (counted only within
 * {@link OFFICE_HOURS} on working days), or, when null, the end of the next working day.
 * @throws RangeError for an invalid instant or time zone, or hours not a positive integer.
 */
export function receiptDeadline(
  since: Date,
  workingHours: number | null,
  timeZone: string,
  cal: WorkingCalendar,
): Date {
  const start = since.getTime();
  if (Number.isNaN(start)) throw new RangeError('Invalid Date');
  if (workingHours === null) {
    return endOfLocalDay(addWorkingDays(localDateOf(since, timeZone), 1, cal), timeZone);
  }
  if (!Number.isInteger(workingHours) || workingHours < 1) {
    throw new RangeError(`Working hours must be a positive integer, got ${workingHours}`);
  }
  let remaining = workingHours * 60_000 * 60;
  let date = localDateOf(since, timeZone);
  for (let i = 0; i < MAX_DAYS; i++, date = addDays(date, 1)) {
    if (!cal.isWorkingDay(date)) continue;
    for (const w of OFFICE_HOURS) {
      const from = Math.max(windowOf(date, w.from, timeZone), start);
      const to = windowOf(date, w.to, timeZone);
      if (from >= to) continue;
      if (remaining <= to - from) return new Date(from + remaining);
      remaining -= to - from;
    }
  }
  throw new RangeError('No working hours in the calendar within ten years');
}

/**
 * Office-hour minutes between `from` and `to` (0 when `to` is not after `from`), rounded down: how
 * long a unit took to sign, in the time it could have signed.
 */
export function workingMinutesBetween(from: Date, to: Date, timeZone: string, cal: WorkingCalendar): number {
  const start = from.getTime();
  const end = to.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError('Invalid Date');
  if (end <= start) return 0;
  let total = 0;
  const last = localDateOf(to, timeZone);
  let date = localDateOf(from, timeZone);
  for (let i = 0; i < MAX_DAYS && date <= last; i++, date = addDays(date, 1)) {
    if (!cal.isWorkingDay(date)) continue;
    for (const w of OFFICE_HOURS) {
      const a = Math.max(windowOf(date, w.from, timeZone), start);
      const b = Math.min(windowOf(date, w.to, timeZone), end);
      if (b > a) total += b - a;
    }
  }
  return Math.floor(total / 60_000);
}

/** A new round of 签收 beginning at `now` (assignment or return). */
export function startReceipt(
  round: number,
  now: Date,
  workingHours: number | null,
  timeZone: string,
  cal: WorkingCalendar,
): Receipt {
  return {
    round,
    since: now.toISOString(),
    dueAt: receiptDeadline(now, workingHours, timeZone, cal).toISOString(),
    at: null,
    by: null,
    workingMinutes: null,
  };
}

/** The receipt signed at `now` by `by`, with the working minutes it took. */
export function signReceipt(
  receipt: Receipt,
  now: Date,
  by: string,
  timeZone: string,
  cal: WorkingCalendar,
): Receipt {
  return {
    ...receipt,
    at: now.toISOString(),
    by,
    workingMinutes: workingMinutesBetween(new Date(receipt.since), now, timeZone, cal),
  };
}

/** Whether the duty still waits for its unit to sign (待签收). */
export const awaitingReceipt = (d: { status: string; receipt: Receipt | null }): boolean =>
  d.status === 'open' && d.receipt !== null && d.receipt.at === null;

/** Signed after its deadline. */
export const signedLate = (r: Receipt): boolean => r.at !== null && r.at > r.dueAt;

/**
 * When the sweep must next look at a duty: its ladder's next level, or earlier, the receipt
 * deadline while it is unsigned and its notice not yet written. Null when neither is left.
 */
export function sweepWakeAt(d: {
  status: string;
  nextActionAt: string | null;
  receipt?: Receipt | null | undefined;
  receiptNoticedAt?: string | null | undefined;
}): string | null {
  const r = d.receipt ?? null;
  if (d.status !== 'open' || r === null || r.at !== null || (d.receiptNoticedAt ?? null) !== null) {
    return d.nextActionAt;
  }
  return d.nextActionAt === null || r.dueAt < d.nextActionAt ? r.dueAt : d.nextActionAt;
}

/** The receipt notice's level name. */
export const RECEIPT_LEVEL = 'receipt';
/** The level of a notice pressed by hand (催办). */
export const MANUAL_LEVEL = 'manual';

/** A receipt state's name as lists show it. */
export const receiptLabel = (r: Receipt | null): string | null =>
  r === null ? null : r.at === null ? '待签收' : '已签收';
