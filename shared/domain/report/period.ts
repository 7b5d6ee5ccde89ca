import { addDays, localDateOf } from '../time/zoned-time.js';

/** A report's period: the ISO week (周报) or the calendar month (月报) of its cut-off. */
export const REPORT_PERIODS = ['week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

export interface PeriodOf {
  period: ReportPeriod;
  /** `2026-W48` (ISO week) or `2026-11`. */
  key: string;
  /** `2026年第48周` or `2026年11月`, as the office writes it. */
  label: string;
  /** First and last local dates of the period (Monday–Sunday, or the month). */
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 1 = Monday … 7 = Sunday, for a valid `YYYY-MM-DD`. */
export function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/** How many days `month` (1–12) of `year` has. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The period a cut-off falls in, read on the plan's wall calendar: the ISO 8601 week (weeks start
 * on Monday and belong to the year of their Thursday, so 2025-12-29 is in 2026-W01) or the month.
 * @throws RangeError for an invalid Date or an unknown time zone.
 */
export function periodOf(asOf: Date, timeZone: string, period: ReportPeriod): PeriodOf {
  const today = localDateOf(asOf, timeZone);
  if (period === 'month') {
    const year = Number(today.slice(0, 4));
    const month = Number(today.slice(5, 7));
    return {
      period,
      key: today.slice(0, 7),
      label: `${year}年${month}月`,
      start: `${today.slice(0, 7)}-01`,
      end: `${today.slice(0, 7)}-${pad2(daysInMonth(year, month))}`,
    };
  }
  const monday = addDays(today, 1 - isoWeekday(today));
  const thursday = addDays(monday, 3);
  const year = thursday.slice(0, 4);
  const ordinal = Math.round(
    (new Date(`${thursday}T00:00:00Z`).getTime() - new Date(`${year}-01-01T00:00:00Z`).getTime()) / DAY_MS,
  );
  const week = Math.floor(ordinal / 7) + 1;
  return {
    period,
    key: `${year}-W${pad2(week)}`,
    label: `${year}年第${week}周`,
    start: monday,
    end: addDays(monday, 6),
  };
}

/**
 * The id of a plan's report for one period: fixed by (plan, period, period key), so asking twice —
 * the schedule and the office, two requests at once, a retried run — names the same report.
 * The suffix (`-2026-w48` or `-2026-11`) has a fixed shape, so no two plans' ids can collide.
 */
export function reportIdFor(planId: string, key: string): string {
  return `rpt-${planId}-${key.toLowerCase()}`;
}
