/**
 * 疑似失学辍学人员台账: the county's open cases, each with its age in working days of the official
 * calendar, the persuasion step it is at, whether that step is late, and a light (亮灯): red when
 * the child is a dropout or the step is late, blue when the step is due within two working days,
 * yellow when suspected and no step recorded yet, green otherwise. Pure; dates are local dates.
 */
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { type ProgressLight, workingDaysBetween } from '../duty/light.js';
import { addDays } from '../time/zoned-time.js';
import {
  CASE_STAGE_LABELS,
  type CaseDates,
  type CaseStage,
  caseStanding,
  PERSUASION_STEPS,
  type PersuasionStepKey,
  type StepDeadlines,
} from './case-ladder.js';

const SPECIAL_GROUP_KEYS = ['registeredPoor', 'monitored', 'disabled', 'homeTeaching'] as const;

/** The special groups as the pages and exports name them, in their order. */
export function specialGroupWords(g: SpecialGroups): string[] {
  return [
    g.registeredPoor && '建档立卡',
    g.monitored && '监测对象',
    g.disabled && '残疾',
    g.homeTeaching && '送教上门',
  ].filter((x): x is string => typeof x === 'string');
}

/** Blue when the next step is due within this many working days (today not counted). */
export const CASE_NEAR_WORKING_DAYS = 2;

export const CASE_LIGHT_LABELS: Record<ProgressLight, string> = {
  red: '红灯 · 辍学或劝返逾期',
  yellow: '黄灯 · 疑似辍学尚未劝返',
  blue: '蓝灯 · 劝返期限临近',
  green: '绿灯 · 正常',
};

export interface LedgerStanding {
  /** Working days of absence up to today, the first day absent counted when it is one. */
  ageWorkingDays: number;
  stage: CaseStage;
  stageLabel: string;
  step: { step: PersuasionStepKey; label: string; dueOn: string; late: boolean } | null;
  light: ProgressLight;
}

/** Where an open case stands in the ledger on `today`. */
export function ledgerStanding(
  dates: CaseDates,
  today: string,
  calendar: WorkingCalendar,
  deadlines: StepDeadlines,
): LedgerStanding {
  const s = caseStanding(dates, today, calendar, deadlines);
  const next = s.next;
  const light: ProgressLight =
    s.stage === 'dropout' || next?.late === true
      ? 'red'
      : next !== null && workingDaysBetween(today, next.dueOn, calendar) <= CASE_NEAR_WORKING_DAYS
        ? 'blue'
        : s.stage === 'suspected' && Object.keys(dates.stepsDone).length === 0
          ? 'yellow'
          : 'green';
  return {
    ageWorkingDays: workingDaysBetween(addDays(dates.firstDayAbsent, -1), today, calendar),
    stage: s.stage,
    stageLabel: CASE_STAGE_LABELS[s.stage],
    step:
      next === null
        ? null
        : {
            ...next,
            label: PERSUASION_STEPS.find((p) => p.key === next.step)?.label ?? next.step,
          },
    light,
  };
}

/**
 * The first day of the semester `today` is in, when the office gave none: the autumn semester from
 * 1 September, the spring semester from 1 February.
 */
export function semesterStartOf(today: string): string {
  const year = Number(today.slice(0, 4));
  if (today >= `${year}-09-01`) return `${year}-09-01`;
  if (today >= `${year}-02-01`) return `${year}-02-01`;
  return `${year - 1}-09-01`;
}

/** The special-group flags a case carries (建档立卡, 监测对象, 残疾, 送教上门). */
export interface SpecialGroups {
  registeredPoor: boolean;
  monitored: boolean;
  disabled: boolean;
  homeTeaching: boolean;
}

export interface LedgerTotals {
  open: number;
  suspected: number;
  dropout: number;
  late: number;
  returned: number;
  lights: Record<ProgressLight, number>;
  /** Open cases per special group (a child may be in several). */
  groups: Record<keyof SpecialGroups, number>;
}

export const emptyTotals = (): LedgerTotals => ({
  open: 0,
  suspected: 0,
  dropout: 0,
  late: 0,
  returned: 0,
  lights: { red: 0, yellow: 0, blue: 0, green: 0 },
  groups: { registeredPoor: 0, monitored: 0, disabled: 0, homeTeaching: 0 },
});

/**
 * Adds an open case's standing and groups (or, with null, a return this semester) to each of
 * `totals`.
 */
export function countInto(
  open: { standing: LedgerStanding; groups: SpecialGroups } | null,
  ...totals: LedgerTotals[]
): void {
  for (const t of totals) {
    if (open === null) {
      t.returned++;
      continue;
    }
    const { standing, groups } = open;
    t.open++;
    for (const key of SPECIAL_GROUP_KEYS) if (groups[key]) t.groups[key]++;
    if (standing.stage === 'suspected') t.suspected++;
    if (standing.stage === 'dropout') t.dropout++;
    if (standing.step?.late === true) t.late++;
    t.lights[standing.light]++;
  }
}

/**
 * A case as it stood at the end of the local day `asOf` (a ledger's cut-off): null when its first
 * day absent came later; a return after the cut-off undone, and only the steps done by then. What a
 * case does not keep (a step's date changed later) cannot be replayed; the case's dates can.
 */
export function datesAsOf(dates: CaseDates, asOf: string): CaseDates | null {
  if (dates.firstDayAbsent > asOf) return null;
  const stepsDone: CaseDates['stepsDone'] = {};
  for (const [step, on] of Object.entries(dates.stepsDone) as [PersuasionStepKey, string][]) {
    if (on <= asOf) stepsDone[step] = on;
  }
  const returnedOn = dates.returnedOn !== null && dates.returnedOn <= asOf ? dates.returnedOn : null;
  return { firstDayAbsent: dates.firstDayAbsent, returnedOn, stepsDone };
}
