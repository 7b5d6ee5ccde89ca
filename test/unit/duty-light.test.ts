import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  DEFAULT_LIGHT_POLICY,
  dutyLight,
  type LightInput,
  lightRuleText,
  lightSettingsOf,
  missedProgressReport,
  plannedPercent,
  progressLight,
  workingDaysBetween,
  worstProgressLight,
} from '../../shared/domain/duty/light.js';
import {
  compareByLight,
  emptyLightCounts,
  lightCountsByUnit,
} from '../../shared/domain/duty/light-counts.js';

const official = createWorkingCalendar([]);
const weekdaysOnly = createWorkingCalendar([], []);
const settings = { timeZone: 'Asia/Shanghai', calendar: official };
const at = (local: string) => new Date(`${local}+08:00`);

// Assigned Thu 2025-09-25, due Fri 2025-10-10 17:00. On the official calendar the working days
// after the start are 09-26, Sun 09-28 (调休), 09-29, 09-30, then 10-09 and 10-10 (国庆 10-01…10-08).
const duty: LightInput = {
  status: 'open',
  startedAt: '2025-09-25T01:00:00.000Z',
  dueAt: '2025-10-10T09:00:00.000Z',
};

describe('序时进度 on the official calendar', () => {
  it('counts working days, with 调休 and the National Day holiday', () => {
    expect(workingDaysBetween('2025-09-25', '2025-10-10', official)).toBe(6);
    expect(workingDaysBetween('2025-09-25', '2025-10-10', weekdaysOnly)).toBe(11);
    expect(workingDaysBetween('2025-10-10', '2025-10-10', official)).toBe(0);
  });

  it('is linear in working days from assignment to the due date', () => {
    expect(plannedPercent(duty, at('2025-09-25T18:00:00'), settings)).toBe(0);
    expect(plannedPercent(duty, at('2025-09-28T10:00:00'), settings)).toBe(33);
    // A holiday adds nothing: 4 of 6 working days have begun, all week long.
    expect(plannedPercent(duty, at('2025-09-30T10:00:00'), settings)).toBe(67);
    expect(plannedPercent(duty, at('2025-10-08T10:00:00'), settings)).toBe(67);
    expect(plannedPercent(duty, at('2025-10-10T08:00:00'), settings)).toBe(100);
    expect(plannedPercent(duty, at('2025-10-08T10:00:00'), { ...settings, calendar: weekdaysOnly })).toBe(82);
  });

  it('follows the office’s milestones when there are some', () => {
    const milestones = [
      { date: '2025-09-30', percent: 30 },
      { date: '2025-10-09', percent: 80 },
    ];
    expect(plannedPercent({ ...duty, milestones }, at('2025-09-29T10:00:00'), settings)).toBe(0);
    expect(plannedPercent({ ...duty, milestones }, at('2025-10-08T10:00:00'), settings)).toBe(30);
    expect(plannedPercent({ ...duty, milestones }, at('2025-10-09T10:00:00'), settings)).toBe(80);
  });
});

describe('the light rule', () => {
  const light = (input: Partial<LightInput>, local: string, extra = {}) =>
    progressLight({ ...duty, ...input }, at(local), { ...settings, ...extra });

  it('is red once past due, whatever the progress', () => {
    expect(
      light({ progress: { percent: 95, at: '2025-10-09T01:00:00Z' } }, '2025-10-10T17:00:01'),
    ).toMatchObject({
      light: 'red',
      reason: '已超过截止时间',
    });
  });

  it('is yellow more than the tolerance behind 序时进度, and names the lag', () => {
    const behind = light({ progress: { percent: 50, at: '2025-09-30T01:00:00Z' } }, '2025-09-30T10:00:00');
    expect(behind).toMatchObject({ light: 'yellow', plannedPercent: 67, reportedPercent: 50, lagPoints: 17 });
    expect(behind.reason).toBe('已报进度 50%,序时进度 67%,落后 17 个百分点');
    // Exactly at the tolerance is not behind; a wider tolerance clears it.
    expect(
      light({ progress: { percent: 57, at: '2025-09-30T01:00:00Z' } }, '2025-09-30T10:00:00').light,
    ).not.toBe('yellow');
    expect(
      light({ progress: { percent: 50, at: '2025-09-30T01:00:00Z' } }, '2025-09-30T10:00:00', {
        tolerancePoints: 20,
      }).light,
    ).not.toBe('yellow');
  });

  it('is yellow with no report on a task that requires them, not on one that does not', () => {
    expect(light({ progressRequired: true }, '2025-09-29T10:00:00')).toMatchObject({
      light: 'yellow',
      reason: '应报未报进度(序时进度 50%)',
    });
    expect(light({}, '2025-09-29T10:00:00').light).toBe('green');
  });

  it('is blue within two working days of the due date — ten calendar days out over National Day', () => {
    const tuesday = light({ progress: { percent: 70, at: '2025-09-30T01:00:00Z' } }, '2025-09-30T10:00:00');
    expect(tuesday).toMatchObject({ light: 'blue', workingDaysLeft: 2, reason: '还有 2 个工作日截止' });
    const sunday = light({ progress: { percent: 40, at: '2025-09-28T01:00:00Z' } }, '2025-09-28T10:00:00');
    expect(sunday).toMatchObject({ light: 'green', workingDaysLeft: 4 });
    expect(light({}, '2025-09-28T10:00:00', { nearWorkingDays: 4 }).light).toBe('blue');
    // On plain weekdays the same Tuesday is 8 working days out: green.
    expect(light({}, '2025-09-30T10:00:00', { calendar: weekdaysOnly })).toMatchObject({
      light: 'green',
      workingDaysLeft: 8,
    });
  });

  it('is green once submitted or accepted, and ranks red > yellow > blue > green', () => {
    expect(light({ status: 'submitted' }, '2025-10-11T10:00:00')).toMatchObject({
      light: 'green',
      plannedPercent: null,
    });
    expect(worstProgressLight(['green', 'blue', 'yellow'])).toBe('yellow');
    expect(worstProgressLight(['blue', 'red', 'green'])).toBe('red');
    expect(worstProgressLight([])).toBe('green');
  });
});

describe('counts by light', () => {
  it('counts a unit’s open duties by light, and sorts worst first', () => {
    const now = at('2025-09-30T10:00:00');
    const stored = { status: 'open' as const, roundStartedAt: duty.startedAt, dueAt: duty.dueAt };
    const { all, byUnit } = lightCountsByUnit(
      [
        { ...stored, unitId: 'a', progress: { percent: 10, at: '2025-09-29T01:00:00Z' } },
        { ...stored, unitId: 'a', dueAt: '2025-09-29T09:00:00.000Z' },
        {
          ...stored,
          unitId: 'b',
          dueAt: '2025-12-31T09:00:00.000Z',
          progress: { percent: 50, at: '2025-09-29T01:00:00Z' },
        },
      ],
      now,
      settings,
    );
    expect(byUnit.get('a')).toEqual({ red: 1, yellow: 1, blue: 0, green: 0 });
    expect(byUnit.get('b')).toEqual({ red: 0, yellow: 0, blue: 0, green: 1 });
    expect(all).toEqual({ red: 1, yellow: 1, blue: 0, green: 1 });
    expect(
      compareByLight(byUnit.get('a') ?? emptyLightCounts(), byUnit.get('b') ?? emptyLightCounts()),
    ).toBeLessThan(0);
  });
});

describe('the rule as printed', () => {
  it('is the README’s, word for word, and carries a plan’s own figures', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(lightRuleText(DEFAULT_LIGHT_POLICY));
    const text = lightRuleText({ tolerancePoints: 15, nearWorkingDays: 3 });
    expect(text).toContain('超过 15 个百分点');
    expect(text).toContain('蓝灯 = 3 个工作日内截止');
  });

  it('reads a stored duty with the plan’s settings, defaults where the plan sets none', () => {
    const stored = {
      status: 'open' as const,
      roundStartedAt: duty.startedAt,
      dueAt: duty.dueAt,
      progress: { percent: 50, at: '2025-09-30T01:00:00Z' },
    };
    const now = at('2025-09-30T10:00:00');
    const plain = lightSettingsOf({ timezone: 'Asia/Shanghai' }, official);
    expect(plain).toMatchObject({ tolerancePoints: 10, nearWorkingDays: 2 });
    expect(dutyLight(stored, now, plain).light).toBe('yellow');
    const lenient = lightSettingsOf(
      { timezone: 'Asia/Shanghai', lightSettings: { tolerancePoints: 20, nearWorkingDays: 1 } },
      official,
    );
    // 17 points behind is within 20; 2 working days left is outside 1 → green.
    expect(dutyLight(stored, now, lenient)).toMatchObject({ light: 'green', lagPoints: 17 });
    // Stored milestones are the line: 30% by 09-30 → 50% reported is ahead, and blue (2 days left).
    expect(
      dutyLight({ ...stored, milestones: [{ date: '2025-09-30', percent: 30 }] }, now, plain),
    ).toMatchObject({
      light: 'blue',
      plannedPercent: 30,
    });
  });
});

describe('progress reports on a schedule (应报未报)', () => {
  // Every Friday 12:00; Fri 10-03 falls in the National Day holiday and moves back to Tue 09-30.
  const weekly = {
    freq: 'weekly' as const,
    weekdays: [5],
    time: '12:00',
    holidayRule: 'previous-working-day' as const,
  };
  const light = (input: Partial<LightInput>, local: string) =>
    progressLight({ ...duty, progressReports: weekly, ...input }, at(local), settings);

  it('is not yellow before the first report is due, and yellow once it passes unreported', () => {
    expect(light({}, '2025-09-26T11:59:00').light).toBe('green');
    expect(light({}, '2025-09-26T12:01:00')).toMatchObject({
      light: 'yellow',
      reason: '应报未报进度(应于 2025-09-26 12:00 前报告本期进度)',
    });
  });

  it('asks a report in each period, the holiday moving the due day to the working day before', () => {
    const reported = { percent: 20, at: at('2025-09-26T10:00:00').toISOString() };
    expect(light({ progress: reported }, '2025-09-26T13:00:00').light).toBe('green');
    expect(
      missedProgressReport(
        { ...duty, progressReports: weekly, progress: reported },
        at('2025-09-30T12:30:00'),
        settings,
      ),
    ).toBe('2025-09-30 12:00');
    const again = { percent: 60, at: at('2025-09-29T16:00:00').toISOString() };
    expect(light({ progress: again }, '2025-09-30T12:30:00').light).toBe('blue');
    // No schedule, no such rule.
    expect(missedProgressReport({ ...duty }, at('2025-09-30T12:30:00'), settings)).toBeNull();
  });
});
