import { lastWorkingDayOnOrBefore, type WorkingCalendar } from '../calendar/working-calendar.js';
import { addDays, localDateOf, zonedToInstant } from '../time/zoned-time.js';
import { daysInMonth, isoWeekday } from './period.js';

/** The zone the report schedules are read in, in AWS (EventBridge Scheduler) and locally. */
export const REPORT_SCHEDULE_ZONE = 'Asia/Shanghai';
/** Reports are cut at 17:00 local: the end of the office's working day. */
export const REPORT_HOUR = 17;
/** Weekly reports on Fridays (ISO weekday 5). */
export const WEEKLY_REPORT_WEEKDAY = 5;
/**
 * EventBridge cannot say "the last working day of the month", so the monthly schedule fires at
 * 17:00 on each of days 24–31 and the job decides (see `monthlyReportDecision`).
 */
export const MONTHLY_WINDOW_FIRST_DAY = 24;

export type MonthlyDecision =
  | { act: true; asOf: Date; lastWorkingDay: string; catchUp: boolean }
  | { act: false; today: string; lastWorkingDay: string };

const pad2 = (n: number) => String(n).padStart(2, '0');

function at17(date: string, timeZone: string): Date {
  return zonedToInstant(
    {
      year: Number(date.slice(0, 4)),
      month: Number(date.slice(5, 7)),
      day: Number(date.slice(8, 10)),
      hour: REPORT_HOUR,
    },
    timeZone,
  );
}

/**
 * Whether the monthly schedule's run at `scheduledAt` should make the month's report, by the
 * working calendar: only on the month's last working day, with that run's time as the cut-off.
 * A month whose last working day falls before the window (a holiday spanning its last week) is
 * made on the window's first day with that last working day's 17:00 as the cut-off, so no month
 * is skipped.
 */
export function monthlyReportDecision(
  scheduledAt: Date,
  calendar: WorkingCalendar,
  timeZone: string = REPORT_SCHEDULE_ZONE,
): MonthlyDecision {
  const today = localDateOf(scheduledAt, timeZone);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const lastWorkingDay = lastWorkingDayOnOrBefore(
    `${today.slice(0, 7)}-${pad2(daysInMonth(year, month))}`,
    calendar,
  );
  if (today === lastWorkingDay) return { act: true, asOf: scheduledAt, lastWorkingDay, catchUp: false };
  const windowStart = `${today.slice(0, 7)}-${pad2(MONTHLY_WINDOW_FIRST_DAY)}`;
  if (today === windowStart && lastWorkingDay < windowStart) {
    return { act: true, asOf: at17(lastWorkingDay, timeZone), lastWorkingDay, catchUp: true };
  }
  return { act: false, today, lastWorkingDay };
}

/** The first weekly run (Friday 17:00 in `timeZone`) strictly after `after`. */
export function nextWeeklyRun(after: Date, timeZone: string = REPORT_SCHEDULE_ZONE): Date {
  const today = localDateOf(after, timeZone);
  // Today's Friday run if it is still to come, else within the next eight days.
  for (let i = 0; ; i++) {
    const date = addDays(today, i);
    if (isoWeekday(date) !== WEEKLY_REPORT_WEEKDAY) continue;
    const run = at17(date, timeZone);
    if (run.getTime() > after.getTime()) return run;
  }
}

/** The first monthly check (17:00 on a day from the 24th on, in `timeZone`) strictly after `after`. */
export function nextMonthlyCheck(after: Date, timeZone: string = REPORT_SCHEDULE_ZONE): Date {
  const today = localDateOf(after, timeZone);
  // At most from the 24th 17:00 past to the next month's 24th: under 40 days.
  for (let i = 0; ; i++) {
    const date = addDays(today, i);
    if (Number(date.slice(8, 10)) < MONTHLY_WINDOW_FIRST_DAY) continue;
    const run = at17(date, timeZone);
    if (run.getTime() > after.getTime()) return run;
  }
}
