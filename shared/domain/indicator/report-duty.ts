/**
 * Reporting indicator figures as duties on the ladder: which periods a plan's indicators are
 * reported in, when each period's report is due, and which indicators a unit owes for a period.
 * One report duty per (unit, period), however many indicators the unit reports then. Pure: the
 * working calendar is a parameter.
 */
import {
  addWorkingDays,
  lastWorkingDayOnOrBefore,
  type WorkingCalendar,
} from '../calendar/working-calendar.js';
import { type IndicatorPeriodicity, periodDates, periodWords } from './period.js';

/** 月报: the month's figures are due by the end of the 5th working day of the next month. */
export const MONTHLY_REPORT_WORKING_DAYS = 5;
/** 学期报: a semester's figures are due by the end of the 10th working day after it ends. */
export const SEMESTER_REPORT_WORKING_DAYS = 10;

/** What a report duty is called: 报送指标数据(2026年3月). */
export const REPORT_DUTY_TITLE = '报送指标数据';
export const reportDutyTitle = (period: string) => `${REPORT_DUTY_TITLE}(${periodWords(period)})`;

/** The dates a plan's reports span: its first phase's start to its last dated day. */
export interface PlanSpan {
  first: string;
  /** The last phase's end; for an open-ended last phase (稳固待检 until the inspection), its start. */
  last: string;
}

export function planSpan(
  phases: readonly { start: string; end?: string | undefined }[],
): PlanSpan | undefined {
  const first = phases[0];
  const lastPhase = phases.at(-1);
  if (first === undefined || lastPhase === undefined) return undefined;
  return { first: first.start, last: lastPhase.end ?? lastPhase.start };
}

/** How a period is written tells its periodicity: `2026-05` monthly, `2026-spring` semester, `once`. */
export function periodicityOf(period: string): IndicatorPeriodicity | undefined {
  if (period === 'once') return 'once';
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return 'monthly';
  if (/^\d{4}-(spring|autumn)$/.test(period)) return 'semester';
  return undefined;
}

/**
 * Report duties a plan's indicators create at most per indicator: three years of monthly reports.
 * A campaign runs for months; a plan dated over decades (a typo) must not make thousands of duties.
 */
export const MAX_REPORT_PERIODS = 36;

/** Every period of `periodicity` that has a day within the span, in order, at most `limit` of them. */
export function periodsWithin(
  periodicity: IndicatorPeriodicity,
  span: PlanSpan,
  limit = MAX_REPORT_PERIODS,
): string[] {
  if (periodicity === 'once') return ['once'];
  const periods: string[] = [];
  const firstYear = Number(span.first.slice(0, 4)) - 1;
  const lastYear = Number(span.last.slice(0, 4));
  for (let year = firstYear; year <= lastYear && periods.length < limit; year++) {
    const candidates =
      periodicity === 'monthly'
        ? Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`)
        : [`${year}-spring`, `${year}-autumn`];
    for (const p of candidates) {
      const dates = periodDates(p);
      if (dates !== undefined && dates.last >= span.first && dates.first <= span.last) periods.push(p);
    }
  }
  return periods.slice(0, limit);
}

/** The first and last days a period's report covers (`once`: the whole plan). */
export function reportPeriodDates(period: string, span: PlanSpan): { first: string; last: string } {
  return periodDates(period) ?? { first: span.first, last: span.last };
}

/**
 * The day a period's report is due (at the end of that local day): a month's on its next month's
 * 5th working day, a semester's on the 10th working day after it; a one-off figure by the plan's
 * last dated day (the last working day on or before it).
 */
export function reportDueDate(period: string, span: PlanSpan, calendar: WorkingCalendar): string {
  const dates = periodDates(period);
  if (dates === undefined) return lastWorkingDayOnOrBefore(span.last, calendar);
  const days =
    periodicityOf(period) === 'semester' ? SEMESTER_REPORT_WORKING_DAYS : MONTHLY_REPORT_WORKING_DAYS;
  return addWorkingDays(dates.last, days, calendar);
}

/**
 * The phase a report due on `date` belongs to: the one whose window holds the date, else the
 * latest one begun by then, else the first.
 */
export function phaseOnDate(
  phases: readonly { key: string; start: string; end?: string | undefined }[],
  date: string,
): string | undefined {
  const within = phases.find((p) => p.start <= date && (p.end === undefined || date <= p.end));
  return (within ?? [...phases].reverse().find((p) => p.start <= date) ?? phases[0])?.key;
}

/** The units each period's report is owed by, from the plan's indicators (unit ids sorted). */
export function reportsOwed(
  indicators: readonly { period: IndicatorPeriodicity; reportingUnitIds: readonly string[] }[],
  span: PlanSpan,
): Map<string, string[]> {
  const owed = new Map<string, Set<string>>();
  for (const ind of indicators) {
    for (const period of periodsWithin(ind.period, span)) {
      const units = owed.get(period) ?? new Set<string>();
      for (const u of ind.reportingUnitIds) units.add(u);
      owed.set(period, units);
    }
  }
  return new Map([...owed].map(([period, units]) => [period, [...units].sort()]));
}

/** The indicators `unitId` owes figures of for `period`. */
export function keysOwed(
  indicators: readonly { key: string; period: IndicatorPeriodicity; reportingUnitIds: readonly string[] }[],
  unitId: string,
  period: string,
): string[] {
  const periodicity = periodicityOf(period);
  return indicators
    .filter((i) => i.period === periodicity && i.reportingUnitIds.includes(unitId))
    .map((i) => i.key);
}
