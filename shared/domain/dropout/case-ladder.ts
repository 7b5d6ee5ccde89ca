/**
 * 控辍保学: where a child's case stands on the dropout ladder of seed 001, computed from its dates
 * on the official working-day calendar — never typed.
 *
 * - Absent without an excuse for more than 5 working days → 疑似辍学 (suspected) on the 6th working
 *   day of absence (the first day absent is the 1st).
 * - Suspected for more than one month without returning → 辍学 (dropout) on the day after the
 *   same date one month later (a month is a calendar month; 31 January + 1 month is the end of
 *   February).
 * - A return (复学) at any point closes the ladder; the school must then update the national
 *   student registry (学籍系统), a step it confirms.
 *
 * Persuasion (劝返复学) runs as steps, each with a deadline in working days after the step before
 * (defaults as data; the office may change them). Pure: dates are `YYYY-MM-DD` local dates.
 */
import { addWorkingDays, type WorkingCalendar } from '../calendar/working-calendar.js';
import { addDays } from '../time/zoned-time.js';

/** Working days of unexcused absence after which a child is suspected of dropping out. */
export const SUSPECTED_AFTER_WORKING_DAYS = 5;

export type CaseStage = 'absent' | 'suspected' | 'dropout' | 'returned';

/** How the pages name each stage. */
export const CASE_STAGE_LABELS: Record<CaseStage, string> = {
  absent: '缺课',
  suspected: '疑似辍学',
  dropout: '辍学',
  returned: '已复学',
};

/** The persuasion steps, in order, with who acts. */
export const PERSUASION_STEPS = [
  { key: 'contact', label: '联系家长和学生劝返', actor: 'school' },
  { key: 'notice', label: '发放劝返通知书', actor: 'school' },
  { key: 'report-bureau', label: '书面报告县教体局', actor: 'school' },
  { key: 'notify-township', label: '通报乡镇政府并书面报告县政府', actor: 'bureau' },
  { key: 'arrange', label: '乡镇或教体局安排人员劝返', actor: 'township' },
] as const;
export type PersuasionStepKey = (typeof PERSUASION_STEPS)[number]['key'];

/** Each step's deadline, in working days after the step before (the first: after suspicion). */
export type StepDeadlines = Record<PersuasionStepKey, number>;

/** The defaults the office starts from. */
export const DEFAULT_STEP_DEADLINES: StepDeadlines = {
  contact: 2,
  notice: 3,
  'report-bureau': 2,
  'notify-township': 3,
  arrange: 10,
};

/** The same date one calendar month later, clamped to the month's last day. */
export function addOneMonth(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  const lastDay = new Date(Date.UTC(nextYear, nextMonth, 0)).getUTCDate();
  return `${nextYear}-${String(nextMonth).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
}

/** The date a child absent since `firstDayAbsent` becomes suspected (the 6th working day absent). */
export function suspectedOn(firstDayAbsent: string, calendar: WorkingCalendar): string {
  // The first day absent counts when it is a working day; absence "starting" on a day off starts
  // counting on the next working day.
  const counted = calendar.isWorkingDay(firstDayAbsent)
    ? firstDayAbsent
    : addWorkingDays(firstDayAbsent, 1, calendar);
  return addWorkingDays(counted, SUSPECTED_AFTER_WORKING_DAYS, calendar);
}

/** The date a suspected child becomes a dropout: more than one month after the suspicion. */
export function dropoutOn(suspected: string): string {
  return addDays(addOneMonth(suspected), 1);
}

export interface CaseDates {
  firstDayAbsent: string;
  /** The date back in class, once the child returned. */
  returnedOn: string | null;
  /** Steps done, with the date each was done. */
  stepsDone: Partial<Record<PersuasionStepKey, string>>;
}

export interface CaseStanding {
  stage: CaseStage;
  suspectedOn: string;
  dropoutOn: string;
  /** The next persuasion step and its deadline, while the child is out and suspected or worse. */
  next: { step: PersuasionStepKey; dueOn: string; late: boolean } | null;
}

/**
 * Where a case stands on `today`. A return closes it whatever stage it reached; before suspicion
 * there is no persuasion step yet; after it, the next step not done is due a number of working
 * days after the last done (or after the suspicion).
 */
export function caseStanding(
  dates: CaseDates,
  today: string,
  calendar: WorkingCalendar,
  deadlines: StepDeadlines = DEFAULT_STEP_DEADLINES,
): CaseStanding {
  const suspected = suspectedOn(dates.firstDayAbsent, calendar);
  const dropout = dropoutOn(suspected);
  if (dates.returnedOn !== null && dates.returnedOn <= today) {
    return { stage: 'returned', suspectedOn: suspected, dropoutOn: dropout, next: null };
  }
  const stage: CaseStage = today >= dropout ? 'dropout' : today >= suspected ? 'suspected' : 'absent';
  if (stage === 'absent') return { stage, suspectedOn: suspected, dropoutOn: dropout, next: null };
  let from = suspected;
  for (const { key } of PERSUASION_STEPS) {
    const done = dates.stepsDone[key];
    if (done !== undefined) {
      if (done > from) from = done;
      continue;
    }
    const dueOn = addWorkingDays(from, deadlines[key], calendar);
    return {
      stage,
      suspectedOn: suspected,
      dropoutOn: dropout,
      next: { step: key, dueOn, late: today > dueOn },
    };
  }
  // Every step done and the child still out: the township or bureau keeps persuading.
  return { stage, suspectedOn: suspected, dropoutOn: dropout, next: null };
}

/**
 * The first days of absence that put an open case at each stage on `today`, as bounds: a case
 * absent since a date on or before `suspectedIfAbsentBy` is suspected (or worse), on or before
 * `dropoutIfAbsentBy` a dropout. Both stage dates only grow with the first day absent, so a listing
 * ordered by that day reads one stage as one key range — the stage is still computed on the day
 * read, with the calendar in force, and never stored.
 */
export function stageBounds(
  today: string,
  calendar: WorkingCalendar,
): { suspectedIfAbsentBy: string; dropoutIfAbsentBy: string } {
  // Six working days fit in well under a month of days off; a month and a bit more in under three.
  const latest = (reached: (firstDayAbsent: string) => boolean, maxDays: number) => {
    let day = today;
    for (let i = 0; i < maxDays && !reached(day); i++) day = addDays(day, -1);
    return day;
  };
  const suspectedIfAbsentBy = latest((d) => suspectedOn(d, calendar) <= today, 60);
  const dropoutIfAbsentBy = latest((d) => dropoutOn(suspectedOn(d, calendar)) <= today, 120);
  return { suspectedIfAbsentBy, dropoutIfAbsentBy };
}

/** Something on a case's ladder that is owed a notice, once. */
export interface CaseEscalation {
  /**
   * Fixed by the case and what happened (`<caseId>-suspected`, `<caseId>-dropout`,
   * `<caseId>-late-<step>`): the key of the exactly-once write, whichever sweep finds it first.
   */
  id: string;
  kind: 'suspected' | 'dropout' | 'step-late';
  /** The day it became due. */
  on: string;
  step: PersuasionStepKey | null;
  /** Who the notice goes up to, along the 包保 chain: the school's leader, the township, the bureau. */
  escalateTo: 'school-leader' | 'township' | 'bureau';
}

/**
 * What a case's ladder owes notices for on `today`, in the order it became due: the suspicion
 * (to the school leader), the dropout (to the bureau), and the next persuasion step once it is
 * late (to whoever stands above the step's actor). A closed case owes nothing more. Pure, so the
 * sweep that writes the notices and the page that shows them agree.
 */
export function caseEscalations(
  caseId: string,
  dates: CaseDates,
  today: string,
  calendar: WorkingCalendar,
  deadlines: StepDeadlines = DEFAULT_STEP_DEADLINES,
): CaseEscalation[] {
  const standing = caseStanding(dates, today, calendar, deadlines);
  if (standing.stage === 'returned' || standing.stage === 'absent') return [];
  const due: CaseEscalation[] = [
    {
      id: `${caseId}-suspected`,
      kind: 'suspected',
      on: standing.suspectedOn,
      step: null,
      escalateTo: 'school-leader',
    },
  ];
  if (standing.next?.late) {
    const actor = PERSUASION_STEPS.find((s) => s.key === standing.next?.step)?.actor;
    due.push({
      id: `${caseId}-late-${standing.next.step}`,
      kind: 'step-late',
      on: addDays(standing.next.dueOn, 1),
      step: standing.next.step,
      escalateTo: actor === 'school' ? 'township' : 'bureau',
    });
  }
  if (standing.stage === 'dropout') {
    due.push({
      id: `${caseId}-dropout`,
      kind: 'dropout',
      on: standing.dropoutOn,
      step: null,
      escalateTo: 'bureau',
    });
  }
  return due.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
}

/**
 * The next day on which what a case owes (caseEscalations) can grow: the earliest of its
 * suspicion, its next step's first day late and its dropout that falls after `after` (any of them
 * when `after` is null: a case just written may owe something today). Null once the child is back
 * or nothing is left to come — a recorded step, which changes the case, asks again. The sweep
 * reads a case on this day and not before.
 */
export function nextEscalationOn(
  dates: CaseDates,
  after: string | null,
  calendar: WorkingCalendar,
  deadlines: StepDeadlines = DEFAULT_STEP_DEADLINES,
): string | null {
  if (dates.returnedOn !== null) return null;
  // Read on the day of the dropout, the ladder's next step no longer depends on the day read.
  const suspected = suspectedOn(dates.firstDayAbsent, calendar);
  const standing = caseStanding(dates, dropoutOn(suspected), calendar, deadlines);
  const milestones = [
    standing.suspectedOn,
    standing.dropoutOn,
    ...(standing.next === null ? [] : [addDays(standing.next.dueOn, 1)]),
  ].filter((d) => after === null || d > after);
  // ISO dates sort as strings.
  return milestones.sort()[0] ?? null;
}
