import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { periodOf, reportIdFor } from '../../shared/domain/report/period.js';
import {
  monthlyReportDecision,
  nextMonthlyCheck,
  nextWeeklyRun,
} from '../../shared/domain/report/schedule.js';

const TZ = 'Asia/Shanghai';
const official = createWorkingCalendar([]);
/** 17:00 Shanghai on a date, as the schedules fire. */
const at17 = (date: string) => new Date(`${date}T17:00:00+08:00`);

describe('report periods', () => {
  it('names the ISO week and the month of the cut-off on the plan’s calendar', () => {
    expect(periodOf(at17('2026-11-27'), TZ, 'week')).toEqual({
      period: 'week',
      key: '2026-W48',
      label: '2026年第48周',
      start: '2026-11-23',
      end: '2026-11-29',
    });
    expect(periodOf(at17('2026-11-27'), TZ, 'month')).toMatchObject({
      key: '2026-11',
      label: '2026年11月',
      start: '2026-11-01',
      end: '2026-11-30',
    });
  });

  it('puts the days around New Year in the ISO week of their Thursday', () => {
    expect(periodOf(at17('2025-12-29'), TZ, 'week').key).toBe('2026-W01');
    expect(periodOf(at17('2027-01-01'), TZ, 'week').key).toBe('2026-W53');
    expect(periodOf(at17('2028-02-29'), TZ, 'month').end).toBe('2028-02-29');
  });

  it('reads the date in the plan’s zone: Monday 01:00 in Shanghai is still Sunday in UTC', () => {
    const mondayEarly = new Date('2026-11-30T01:00:00+08:00');
    expect(periodOf(mondayEarly, TZ, 'week').key).toBe('2026-W49');
    expect(periodOf(mondayEarly, 'UTC', 'week').key).toBe('2026-W48');
  });

  it('derives one id per plan and period', () => {
    expect(reportIdFor('plan-abc', '2026-W48')).toBe('rpt-plan-abc-2026-w48');
    expect(reportIdFor('plan-abc', '2026-11')).toBe('rpt-plan-abc-2026-11');
  });
});

describe('the monthly schedule', () => {
  it('acts only on the month’s last working day, cut at the scheduled time', () => {
    // September 2025 ends on Tuesday the 30th, a working day (National Day starts 10-01).
    expect(monthlyReportDecision(at17('2025-09-29'), official)).toEqual({
      act: false,
      today: '2025-09-29',
      lastWorkingDay: '2025-09-30',
    });
    expect(monthlyReportDecision(at17('2025-09-30'), official)).toEqual({
      act: true,
      asOf: at17('2025-09-30'),
      lastWorkingDay: '2025-09-30',
      catchUp: false,
    });
  });

  it('finds the last working day past weekends, holidays and adjusted working Saturdays', () => {
    // January 2026 ends on a Saturday: Friday the 30th.
    expect(monthlyReportDecision(at17('2026-01-31'), official)).toMatchObject({ act: false });
    expect(monthlyReportDecision(at17('2026-01-30'), official)).toMatchObject({ act: true });
    // Spring Festival 2025 starts 01-28; Sunday 01-26 is worked, Monday 01-27 is the last.
    expect(monthlyReportDecision(at17('2025-01-27'), official)).toMatchObject({ act: true });
    expect(monthlyReportDecision(at17('2025-01-31'), official)).toMatchObject({ act: false });
    // February 2026 ends on Saturday the 28th, an adjusted working day (调休).
    expect(monthlyReportDecision(at17('2026-02-28'), official)).toMatchObject({
      act: true,
      lastWorkingDay: '2026-02-28',
    });
  });

  it('catches up on the 24th a month whose last working day came before the window', () => {
    const days = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `2031-03-${String(from + i).padStart(2, '0')}`);
    const longBreak = createWorkingCalendar([{ year: 2031, holidays: days(20, 31), workdays: [] }]);
    expect(monthlyReportDecision(at17('2031-03-24'), longBreak)).toEqual({
      act: true,
      asOf: at17('2031-03-19'),
      lastWorkingDay: '2031-03-19',
      catchUp: true,
    });
    expect(monthlyReportDecision(at17('2031-03-25'), longBreak)).toMatchObject({ act: false });
  });

  it('finds the next monthly check (17:00, days 24 to 31) and the next Friday run', () => {
    expect(nextMonthlyCheck(new Date('2026-11-10T00:00:00Z'))).toEqual(at17('2026-11-24'));
    expect(nextMonthlyCheck(at17('2026-11-30'))).toEqual(at17('2026-12-24'));
    expect(nextMonthlyCheck(new Date('2026-11-30T08:59:59.999Z'))).toEqual(at17('2026-11-30'));
    expect(nextWeeklyRun(new Date('2026-11-23T00:00:00Z'))).toEqual(at17('2026-11-27'));
    expect(nextWeeklyRun(at17('2026-11-27'))).toEqual(at17('2026-12-04'));
  });
});
