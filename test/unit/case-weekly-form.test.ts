import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  type FormCase,
  isZeroReport,
  weeklyFormFigures,
  weeklyFormText,
} from '../../shared/domain/dropout/weekly-form.js';

const calendar = createWorkingCalendar([]);
const NONE = { registeredPoor: false, monitored: false, disabled: false };
const child = (over: Partial<FormCase>): FormCase => ({
  firstDayAbsent: '2025-09-25',
  returnedOn: null,
  stepsDone: {},
  groups: NONE,
  ...over,
});
// Week 41 of 2025: Monday 6 to Sunday 12 October.
const WEEK = { start: '2025-10-06', end: '2025-10-12' };

describe('the weekly form generated from cases', () => {
  it('counts a child suspected in the week (after the National Day break) and still out, by group', () => {
    const f = weeklyFormFigures(
      [child({ groups: { ...NONE, registeredPoor: true, disabled: true } })],
      WEEK,
      '2025-10-10',
      calendar,
    );
    expect(f.newSuspected).toEqual({ total: 1, registeredPoor: 1, monitored: 0, disabled: 1 });
    expect(f.inPersuasion.total).toBe(1);
    expect(f.newDropouts.total).toBe(0);
    expect(isZeroReport(f)).toBe(false);
  });

  it('does not count what happens after the day filed, nor a child back before the suspicion', () => {
    // Suspected on 9 October; filed on Wednesday 8: nothing yet.
    expect(isZeroReport(weeklyFormFigures([child({})], WEEK, '2025-10-08', calendar))).toBe(true);
    const back = weeklyFormFigures([child({ returnedOn: '2025-10-09' })], WEEK, '2025-10-10', calendar);
    expect(back.newSuspected.total).toBe(0);
    expect(back.returned.total).toBe(1);
    expect(back.inPersuasion.total).toBe(0);
  });

  it('counts a new dropout in the week of its day, one month and a day after the suspicion', () => {
    // Suspected 9 October → dropout 10 November (week 46: 10–16 November).
    const f = weeklyFormFigures(
      [child({})],
      { start: '2025-11-10', end: '2025-11-16' },
      '2025-11-14',
      calendar,
    );
    expect(f.newDropouts.total).toBe(1);
    expect(f.newSuspected.total).toBe(0);
    expect(f.inPersuasion.total).toBe(1);
  });

  it('writes the form in words, a 零报告 when all is zero', () => {
    const zero = weeklyFormFigures([], WEEK, '2025-10-10', calendar);
    expect(weeklyFormText(zero, '第41周')).toContain('零报告');
    const one = weeklyFormFigures([child({})], WEEK, '2025-10-10', calendar);
    expect(weeklyFormText(one, '第41周')).toContain('新增疑似辍学 1 人(建档立卡 0,监测对象 0,残疾 0)');
  });
});
