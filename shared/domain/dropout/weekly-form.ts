/**
 * 控辍保学周报表: each school's weekly form, generated from its cases — never typed. For the week a
 * form covers, as of the day it is filed (or the week's last day, whichever is earlier):
 * 新增疑似辍学 (cases that became suspected in the week), 新认定辍学 (became dropouts), 复学
 * (returned in the week) and 劝返中 (out and suspected or worse on that day), each with its
 * special groups (建档立卡脱贫户, 监测对象, 残疾儿童). All four zero is a 零报告. Pure.
 */
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { type CaseDates, dropoutOn, suspectedOn } from './case-ladder.js';

export interface FormCount {
  total: number;
  registeredPoor: number;
  monitored: number;
  disabled: number;
}

export const WEEKLY_FORM_ROWS = [
  { key: 'newSuspected', label: '新增疑似辍学' },
  { key: 'newDropouts', label: '新认定辍学' },
  { key: 'returned', label: '复学' },
  { key: 'inPersuasion', label: '劝返中' },
] as const;
export type WeeklyFormRow = (typeof WEEKLY_FORM_ROWS)[number]['key'];
export type WeeklyFormFigures = Record<WeeklyFormRow, FormCount>;

/** What of a case the form counts: its dates and its group flags, nothing that names the child. */
export interface FormCase extends CaseDates {
  groups: { registeredPoor: boolean; monitored: boolean; disabled: boolean };
}

const zero = (): FormCount => ({ total: 0, registeredPoor: 0, monitored: 0, disabled: 0 });

function add(count: FormCount, c: FormCase) {
  count.total++;
  if (c.groups.registeredPoor) count.registeredPoor++;
  if (c.groups.monitored) count.monitored++;
  if (c.groups.disabled) count.disabled++;
}

/**
 * The form's figures for the week `start`–`end` as of `asOf` (a date in or after the week). A case
 * counts as new suspected (or dropout) when that day falls in the week on or before `asOf` and the
 * child was not back by then.
 */
export function weeklyFormFigures(
  cases: readonly FormCase[],
  week: { start: string; end: string },
  asOf: string,
  calendar: WorkingCalendar,
): WeeklyFormFigures {
  const upTo = asOf < week.end ? asOf : week.end;
  const out: WeeklyFormFigures = {
    newSuspected: zero(),
    newDropouts: zero(),
    returned: zero(),
    inPersuasion: zero(),
  };
  const inWeek = (d: string) => d >= week.start && d <= upTo;
  for (const c of cases) {
    const suspected = suspectedOn(c.firstDayAbsent, calendar);
    const dropout = dropoutOn(suspected);
    const outOn = (d: string) => c.returnedOn === null || c.returnedOn > d;
    if (inWeek(suspected) && outOn(suspected)) add(out.newSuspected, c);
    if (inWeek(dropout) && outOn(dropout)) add(out.newDropouts, c);
    if (c.returnedOn !== null && inWeek(c.returnedOn)) add(out.returned, c);
    if (suspected <= upTo && outOn(upTo)) add(out.inPersuasion, c);
  }
  return out;
}

/** 零报告: nothing happened in the week and no child is out. */
export const isZeroReport = (f: WeeklyFormFigures): boolean =>
  WEEKLY_FORM_ROWS.every(({ key }) => f[key].total === 0);

/** The form as the note of the filed duty, one line a row, in the words the offices use. */
export function weeklyFormText(f: WeeklyFormFigures, weekLabel: string): string {
  if (isZeroReport(f))
    return `控辍保学周报表(${weekLabel}):零报告,本周无新增疑似辍学、辍学和复学,无劝返中学生。`;
  const lines = WEEKLY_FORM_ROWS.map(({ key, label }) => {
    const c = f[key];
    return `${label} ${c.total} 人(建档立卡 ${c.registeredPoor},监测对象 ${c.monitored},残疾 ${c.disabled})`;
  });
  return `控辍保学周报表(${weekLabel},由案例生成):\n${lines.join('\n')}`;
}
