import type { Recurrence } from '../../schemas/recurrence.js';
import { type WorkingCalendar, workingDayAdjuster } from '../calendar/working-calendar.js';
import { addDays, localDateOf } from '../time/zoned-time.js';
import { expandOccurrences } from './recurrence.js';

/**
 * 三色督办 with blue: red overdue, yellow behind its planned progress (序时进度), blue due within a
 * few working days, green on track. One rule for every list, page and report.
 */
export type ProgressLight = 'red' | 'yellow' | 'blue' | 'green';

export const PROGRESS_LIGHT_LABELS: Record<ProgressLight, string> = {
  red: '红灯 · 逾期',
  yellow: '黄灯 · 滞后于序时进度',
  blue: '蓝灯 · 临近截止',
  green: '绿灯 · 正常推进',
};

/** A planned percentage reached by the end of a local date (`YYYY-MM-DD`), set by the office. */
export interface Milestone {
  date: string;
  percent: number;
}

/** A plan's light settings: the tolerance in percentage points and N, the working days of blue. */
export interface LightPolicy {
  /** Yellow when the last report is more than this many percentage points below plan. */
  tolerancePoints: number;
  /** Blue when due within this many working days (today not counted). */
  nearWorkingDays: number;
}

export const DEFAULT_LIGHT_POLICY: LightPolicy = { tolerancePoints: 10, nearWorkingDays: 2 };

export interface LightSettings extends Partial<LightPolicy> {
  timeZone: string;
  calendar: WorkingCalendar;
}

/** The rule in words, with a plan's figures: the README's and every report's rules text. */
export function lightRuleText(policy: LightPolicy = DEFAULT_LIGHT_POLICY): string {
  return (
    `红灯 = 已超过截止时间;黄灯 = 落后于序时进度:最近一次报告的进度低于今天的里程碑进度线超过 ${policy.tolerancePoints} 个百分点,` +
    `或应报进度而未报;蓝灯 = ${policy.nearWorkingDays} 个工作日内截止(不含当天,按法定节假日与调休);绿灯 = 正常推进(或已提交、已办结)。` +
    '序时进度取单位任务上已生效的里程碑(计划进度或带日期的步骤),没有里程碑时按交办至截止的工作日平均推进'
  );
}

/** A plan's light settings with its time zone and calendar, defaults where the plan sets none. */
export function lightSettingsOf(
  plan: { timezone: string; lightSettings?: Partial<LightPolicy> | undefined } | undefined,
  calendar: WorkingCalendar,
  fallbackTimeZone = 'Asia/Shanghai',
): LightSettings & LightPolicy {
  return {
    ...DEFAULT_LIGHT_POLICY,
    ...plan?.lightSettings,
    timeZone: plan?.timezone ?? fallbackTimeZone,
    calendar,
  };
}

/** A stored duty as the light reads it (the fields of the Duty record it needs). */
export interface DutyLightFields {
  status: LightInput['status'];
  roundStartedAt: string;
  dueAt: string;
  progress?: { percent: number; at: string } | null | undefined;
  milestones?: readonly Milestone[] | null | undefined;
  progressRequired?: boolean | undefined;
  progressReports?: Recurrence | null | undefined;
}

/** The light of a stored duty: the one rule below, fed from the duty record. */
export function dutyLight(duty: DutyLightFields, now: Date, settings: LightSettings): LightResult {
  return progressLight(lightInputOf(duty), now, settings);
}

export function lightInputOf(duty: DutyLightFields): LightInput {
  return {
    status: duty.status,
    startedAt: duty.roundStartedAt,
    dueAt: duty.dueAt,
    progress: duty.progress ?? null,
    milestones: duty.milestones ?? undefined,
    progressRequired: duty.progressRequired,
    progressReports: duty.progressReports,
  };
}

export interface LightInput {
  status: 'open' | 'submitted' | 'accepted';
  /** ISO instants: when the current round began (assignment or return for rework) and when it is due. */
  startedAt: string;
  dueAt: string;
  /** The unit's last progress report, if any. */
  progress?: { percent: number; at: string } | null | undefined;
  /** The office's milestones; without them the plan is linear in working days from start to due. */
  milestones?: readonly Milestone[] | undefined;
  /** A task that requires progress reports: none reported once some progress is due is yellow. */
  progressRequired?: boolean | undefined;
  /** A task that requires a progress report each period: none since the period began is yellow. */
  progressReports?: Recurrence | null | undefined;
}

export interface LightResult {
  light: ProgressLight;
  /** 序时进度: the planned percentage for today (0–100), or null once the duty is no longer open. */
  plannedPercent: number | null;
  reportedPercent: number | null;
  /** Planned minus reported, in percentage points, when both are known and the duty is behind. */
  lagPoints: number | null;
  /** Working days after today up to and including the due date (0 on the due date or after it). */
  workingDaysLeft: number | null;
  /** Why, in Chinese, for a tooltip or a report's rules. */
  reason: string;
}

/** Working days d with `from` < d <= `to` (local dates); 0 when `to` <= `from`. */
export function workingDaysBetween(from: string, to: string, calendar: WorkingCalendar): number {
  let count = 0;
  for (let date = addDays(from, 1); date <= to; date = addDays(date, 1)) {
    if (calendar.isWorkingDay(date)) count += 1;
  }
  return count;
}

/**
 * The planned percentage for `now`: with milestones, the highest one whose date has been reached
 * (0 before the first); otherwise linear in working days — the share of the working days from the
 * start date to the due date that have begun by today. 100 on or after the due date.
 */
export function plannedPercent(input: LightInput, now: Date, settings: LightSettings): number {
  const today = localDateOf(now, settings.timeZone);
  const due = localDateOf(new Date(input.dueAt), settings.timeZone);
  if (today >= due) return 100;
  if (input.milestones !== undefined && input.milestones.length > 0) {
    let planned = 0;
    for (const m of input.milestones) if (m.date <= today && m.percent > planned) planned = m.percent;
    return Math.min(100, planned);
  }
  const start = localDateOf(new Date(input.startedAt), settings.timeZone);
  const total = workingDaysBetween(start, due, settings.calendar);
  if (total === 0) return 100;
  const elapsed = workingDaysBetween(start, today, settings.calendar);
  return Math.max(0, Math.min(100, Math.round((100 * elapsed) / total)));
}

/**
 * The light of one duty at `now`, in this order: not open → green; past due → red; reported more
 * than the tolerance below 序时进度 (or no report on a task that requires them, once planned progress
 * exceeds the tolerance) → yellow; due within `nearWorkingDays` working days → blue; else green.
 */
export function progressLight(input: LightInput, now: Date, settings: LightSettings): LightResult {
  const tolerance = settings.tolerancePoints ?? DEFAULT_LIGHT_POLICY.tolerancePoints;
  const near = settings.nearWorkingDays ?? DEFAULT_LIGHT_POLICY.nearWorkingDays;
  const reported = input.progress?.percent ?? null;
  if (input.status !== 'open') {
    return {
      light: 'green',
      plannedPercent: null,
      reportedPercent: reported,
      lagPoints: null,
      workingDaysLeft: null,
      reason: input.status === 'submitted' ? '已提交,等待审核' : '已办结',
    };
  }
  const planned = plannedPercent(input, now, settings);
  const today = localDateOf(now, settings.timeZone);
  const due = localDateOf(new Date(input.dueAt), settings.timeZone);
  const left = workingDaysBetween(today, due, settings.calendar);
  const base = { plannedPercent: planned, reportedPercent: reported, workingDaysLeft: left };
  if (now.getTime() > Date.parse(input.dueAt)) {
    return { ...base, light: 'red', lagPoints: lagOf(planned, reported), reason: '已超过截止时间' };
  }
  if (reported !== null && planned - reported > tolerance) {
    return {
      ...base,
      light: 'yellow',
      lagPoints: planned - reported,
      reason: `已报进度 ${reported}%,序时进度 ${planned}%,落后 ${planned - reported} 个百分点`,
    };
  }
  const missed = missedProgressReport(input, now, settings);
  if (missed !== null) {
    return {
      ...base,
      light: 'yellow',
      lagPoints: lagOf(planned, reported),
      reason: `应报未报进度(应于 ${missed} 前报告本期进度)`,
    };
  }
  if (reported === null && input.progressRequired === true && planned > tolerance) {
    return { ...base, light: 'yellow', lagPoints: planned, reason: `应报未报进度(序时进度 ${planned}%)` };
  }
  if (left <= near) {
    const reason = left === 0 ? '今天截止' : `还有 ${left} 个工作日截止`;
    return { ...base, light: 'blue', lagPoints: lagOf(planned, reported), reason };
  }
  return { ...base, light: 'green', lagPoints: lagOf(planned, reported), reason: '正常推进' };
}

/**
 * The due time (local `YYYY-MM-DD HH:MM`) of the latest scheduled progress report that has passed
 * with no report since its period began (the previous one's due time, or the round's start); null
 * when none is missing or the task requires none.
 */
export function missedProgressReport(input: LightInput, now: Date, settings: LightSettings): string | null {
  const rule = input.progressReports;
  if (rule == null) return null;
  const started = new Date(input.startedAt);
  const occurrences = expandOccurrences(rule, {
    timeZone: settings.timeZone,
    start: localDateOf(started, settings.timeZone),
    end: localDateOf(now, settings.timeZone),
    after: started,
    limit: 1000,
    adjust: workingDayAdjuster(settings.calendar),
  }).filter((o) => o.dueAt.getTime() <= now.getTime());
  const last = occurrences.at(-1);
  if (last === undefined) return null;
  const periodStart = occurrences.at(-2)?.dueAt ?? started;
  const at = input.progress == null ? null : Date.parse(input.progress.at);
  if (at !== null && at > periodStart.getTime()) return null;
  return `${last.localDate} ${localTimeOf(last.dueAt, settings.timeZone)}`;
}

const localTimeOf = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    instant,
  );

const lagOf = (planned: number, reported: number | null): number | null =>
  reported !== null && planned > reported ? planned - reported : null;

const RANK: Record<ProgressLight, number> = { green: 0, blue: 1, yellow: 2, red: 3 };

/** The worst of several lights (green when there are none), for a unit or a phase. */
export function worstProgressLight(lights: Iterable<ProgressLight>): ProgressLight {
  let worst: ProgressLight = 'green';
  for (const light of lights) if (RANK[light] > RANK[worst]) worst = light;
  return worst;
}
