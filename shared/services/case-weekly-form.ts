/**
 * 控辍保学周报表 as duties: the office sets up one recurring weekly duty per school (Friday noon by
 * default), each an ordinary report duty on the ladder — a form not filed is overdue and escalates
 * like any other, and the plan's counters count it. Filing it submits that duty with the form
 * generated from the school's cases (never typed); 零报告 is the same click when the figures are zero.
 */
import type { Principal } from '../auth/principal.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { CaseRecord, CaseRepository } from '../db/case-repository.js';
import { CLOSED_CASE_PREFIX, OPEN_CASE_PREFIX } from '../db/keys.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import {
  isZeroReport,
  type WeeklyFormFigures,
  weeklyFormFigures,
  weeklyFormText,
} from '../domain/dropout/weekly-form.js';
import { DEFAULT_TIME_ZONE, localDateOf } from '../domain/time/zoned-time.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { Duty } from '../schemas/duties.js';
import { authorize } from './access.js';
import { type AssignEachResult, assignEach } from './assign-each.js';
import type { DutyService } from './duty-service.js';
import { fixedTaskId } from './import-service.js';
import type { PlanService } from './plan-service.js';

/** The title every school's weekly-form duty carries. */
export const WEEKLY_FORM_TITLE = '控辍保学周报表';

/** A school's weekly-form task in a plan: fixed by both, so setting up twice creates nothing new. */
export const weeklyFormTaskId = (planId: string, schoolUnitId: string) =>
  fixedTaskId('case-weekly-form', planId, schoolUnitId);

export interface WeeklyFormSetup {
  planId: string;
  phaseKey: string;
  schoolUnitIds: string[];
  /** Friday (5) by default. */
  weekday: number;
  /** 12:00 by default: 每周五中午前. */
  time: string;
}

export interface WeeklyForm {
  dutyId: string;
  schoolUnitId: string;
  week: { start: string; end: string; label: string };
  asOf: string;
  figures: WeeklyFormFigures;
  zeroReport: boolean;
  text: string;
}

export interface WeeklyFormService {
  /** The office: one recurring weekly report duty per school (idempotent per plan and school). */
  setUp(principal: Principal, input: WeeklyFormSetup, now: Date): Promise<AssignEachResult>;
  /** The form a weekly-form duty would be filed with now, from the school's cases. */
  preview(principal: Principal, dutyId: string, now: Date): Promise<WeeklyForm>;
  /**
   * Files the form: submits the duty with the generated form as its note. `zeroReport` asks for a
   * 零报告, refused (409) when the cases say otherwise: a zero report may not hide a child.
   */
  file(
    principal: Principal,
    dutyId: string,
    input: { zeroReport: boolean; version?: number | undefined },
    now: Date,
  ): Promise<{ form: WeeklyForm; duty: Duty }>;
  /** Whether a duty is a school's weekly form (the page offers the button on it). */
  isWeeklyForm(duty: Pick<Duty, 'planId' | 'taskId' | 'unitId'>): boolean;
}

export function weeklyFormService(deps: {
  cases: CaseRepository;
  calendars: CalendarRepository;
  duties: DutyService;
  plans: PlanService;
  units: UnitRepository;
  timeZone?: string;
}): WeeklyFormService {
  const { cases, calendars, duties, plans, units } = deps;
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  const isWeeklyForm = (d: Pick<Duty, 'planId' | 'taskId' | 'unitId'>) =>
    d.taskId === weeklyFormTaskId(d.planId, d.unitId);

  async function formOf(principal: Principal, dutyId: string, now: Date): Promise<WeeklyForm> {
    // The duty's own read decides who may see it (its school, the units above, office, leaders).
    const duty = await duties.get(principal, dutyId, now);
    if (!isWeeklyForm(duty) || duty.period === null || duty.period === undefined) {
      throw new ConflictError('not_weekly_form', '该任务不是控辍保学周报表');
    }
    const week = duty.period;
    const today = localDateOf(now, timeZone);
    // A past week's form counts that week to its end; this week's, to today.
    const asOf = [today, week.end].sort()[0] ?? today;
    // K2 by key: the school's open cases, and those returned since the week began.
    const [open, returned, overrides] = await Promise.all([
      cases.listAll({ by: 'school', unitId: duty.unitId }, { prefix: OPEN_CASE_PREFIX }),
      cases.listAll(
        { by: 'school', unitId: duty.unitId },
        { between: [`${CLOSED_CASE_PREFIX}${week.start}`, `${CLOSED_CASE_PREFIX}~`] },
      ),
      calendars.list(),
    ]);
    const dated = (r: CaseRecord) => ({
      firstDayAbsent: r.firstDayAbsent,
      returnedOn: r.returnedOn,
      stepsDone: r.stepsDone,
      groups: r.groups,
    });
    const figures = weeklyFormFigures(
      [...open, ...returned].map(dated),
      week,
      asOf,
      createWorkingCalendar(overrides),
    );
    return {
      dutyId: duty.id,
      schoolUnitId: duty.unitId,
      week: { start: week.start, end: week.end, label: week.label },
      asOf,
      figures,
      zeroReport: isZeroReport(figures),
      text: weeklyFormText(figures, week.label),
    };
  }

  return {
    isWeeklyForm,

    async setUp(principal, input, now) {
      authorize(principal, 'task.create');
      // Centre schools, bureau-run and private schools alike: every one a school unit, active.
      const found = await units.getMany(input.schoolUnitIds);
      const problems = input.schoolUnitIds.flatMap((id, i) => {
        const unit = found.get(id);
        return unit === undefined || !unit.active || unit.kind !== 'school'
          ? [{ field: `schoolUnitIds.${i}`, message: `不是在用的学校:${id}` }]
          : [];
      });
      if (problems.length > 0) throw new ValidationError('学校有误', problems);
      return assignEach(
        plans,
        principal,
        input.planId,
        {
          title: WEEKLY_FORM_TITLE,
          description:
            '每周由学校从控辍保学案例生成并报送(新增疑似辍学、新认定辍学、复学、劝返中);没有情况时零报告。',
          phaseKey: input.phaseKey,
          kind: 'report',
          recurrence: {
            freq: 'weekly',
            weekdays: [input.weekday],
            time: input.time,
            holidayRule: 'previous-working-day',
          },
          signOffLevels: 0,
        },
        input.schoolUnitIds,
        'case-weekly-form',
        now,
        (unitId) => weeklyFormTaskId(input.planId, unitId),
      );
    },

    preview: formOf,

    async file(principal, dutyId, input, now) {
      const form = await formOf(principal, dutyId, now);
      if (input.zeroReport && !form.zeroReport) {
        throw new ConflictError('not_zero', '本周案例中有需要报告的情况,不能零报告,请报送生成的周报表');
      }
      const duty = await duties.submit(
        principal,
        dutyId,
        {
          note: form.text,
          evidence: [],
          nothingToReport: form.zeroReport,
          ...(input.version === undefined ? {} : { version: input.version }),
        },
        now,
      );
      return { form, duty };
    },
  };
}
