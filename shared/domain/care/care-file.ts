/**
 * 留守儿童关爱档案 (一人一案) and 师生结对帮扶 (seed 004: "每周不少于1次帮扶记录,每月不少于1次家访活动").
 * Labels and the two recurring duties a teacher–child pair keeps; pure, no clock.
 */
import { isoWeekKey } from '../duty/recurrence.js';

/** Who is away working (外出务工): what makes a child left behind. */
export const AWAY_KINDS = ['both', 'father', 'mother'] as const;
export type AwayKind = (typeof AWAY_KINDS)[number];

export const AWAY_LABELS: Record<AwayKind, string> = {
  both: '父母均外出务工',
  father: '父亲外出务工',
  mother: '母亲外出务工',
};

/** What a support record (帮扶记录) of a care file is. */
export const CARE_RECORD_KINDS = ['support', 'home-visit', 'counselling'] as const;
export type CareRecordKind = (typeof CARE_RECORD_KINDS)[number];

export const CARE_RECORD_LABELS: Record<CareRecordKind, string> = {
  support: '帮扶记录',
  'home-visit': '家访',
  counselling: '心理疏导',
};

/** The two duties of a pair: a support record every week, a home visit every month. */
export const PAIR_DUTY_KINDS = ['weekly-record', 'monthly-visit'] as const;
export type PairDutyKind = (typeof PAIR_DUTY_KINDS)[number];

export interface PairDutySpec {
  kind: PairDutyKind;
  title: string;
  description: string;
  recurrence:
    | { freq: 'weekly'; weekdays: number[]; time: string }
    | { freq: 'monthly'; day: 'last'; time: string };
}

/**
 * The recurring report duties of one pair, for the child's school. The child is named masked only
 * (张*明): duty titles are shown in lists, inboxes and pushed messages.
 */
export function pairDutySpecs(
  child: { grade: string; className: string; childNameMasked: string },
  teacherName: string,
  schedule: { weekday: number; time: string },
): PairDutySpec[] {
  const who = `${child.grade}${child.className} ${child.childNameMasked},结对教师 ${teacherName}`;
  return [
    {
      kind: 'weekly-record',
      title: `师生结对帮扶记录(${who})`,
      description:
        '师生结对帮扶:每周不少于 1 次帮扶记录。每次帮扶后提交本期任务,写明日期、帮扶教师和帮扶内容;可附佐证材料。',
      recurrence: { freq: 'weekly', weekdays: [schedule.weekday], time: schedule.time },
    },
    {
      kind: 'monthly-visit',
      title: `师生结对家访(${who})`,
      description:
        '师生结对帮扶:每月不少于 1 次家访。家访后提交本期任务,写明家访日期、参加人员和家访情况;可附佐证材料。',
      recurrence: { freq: 'monthly', day: 'last', time: schedule.time },
    },
  ];
}

/**
 * Which of a pair's duties a care record closes: a support record that week's 帮扶记录, a home visit
 * that month's 家访; a counselling session neither.
 */
export const PAIR_DUTY_OF_RECORD: Record<CareRecordKind, PairDutyKind | null> = {
  support: 'weekly-record',
  'home-visit': 'monthly-visit',
  counselling: null,
};

/**
 * The occurrence key of the pair duty whose period holds `date` (YYYY-MM-DD), as the duties' own
 * rules name them: the ISO week for the weekly record ('2025-W41'), the month for the visit ('2025-10').
 */
export function pairPeriodKey(kind: PairDutyKind, date: string): string {
  return kind === 'weekly-record' ? isoWeekKey(date) : date.slice(0, 7);
}

/** This period's duty of a pair as the care file page shows it. */
export const PAIR_PERIOD_STATES = ['recorded', 'pending', 'overdue'] as const;
export type PairPeriodState = (typeof PAIR_PERIOD_STATES)[number];

export const PAIR_PERIOD_STATE_LABELS: Record<PairPeriodState, string> = {
  recorded: '已记录',
  pending: '待记录',
  overdue: '逾期',
};

/** Submitted or accepted is recorded; open is pending until its due time, overdue after. */
export function pairPeriodState(duty: { status: string; overdue: boolean }): PairPeriodState {
  if (duty.status !== 'open') return 'recorded';
  return duty.overdue ? 'overdue' : 'pending';
}
