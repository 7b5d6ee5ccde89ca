import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { shiftByWorkingDays } from '../calendar/working-calendar.js';

/** Who a level's notice goes to: the duty's unit, its parent unit, every leader, the office. */
export const ADDRESSEES = ['unit', 'parent', 'leaders', 'office'] as const;
export type Addressee = (typeof ADDRESSEES)[number];

export interface EscalationLevel {
  /** A slug naming the level, unique within the policy, e.g. 'remind'. */
  level: string;
  /** Working days from the due time (negative: before it). */
  offsetWorkingDays: number;
  addressees: Addressee[];
}

/** Ordered levels, offsets strictly increasing. */
export type EscalationPolicy = EscalationLevel[];

/** 提醒 the day before, 逾期 at the due time, 督办 after 3 working days, 通报 after 5. */
export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = [
  { level: 'remind', offsetWorkingDays: -1, addressees: ['unit'] },
  { level: 'overdue', offsetWorkingDays: 0, addressees: ['unit'] },
  { level: 'escalate', offsetWorkingDays: 3, addressees: ['parent', 'leaders'] },
  { level: 'accountability', offsetWorkingDays: 5, addressees: ['office'] },
];

export const LEVEL_LABELS: Record<string, string> = {
  remind: '到期提醒',
  overdue: '逾期催办',
  escalate: '督办',
  accountability: '通报问责',
  receipt: '超时未签收',
  manual: '催办',
  instruction: '领导批示',
};

/** The level of a notice carrying a leader's 批示 (not a step of the ladder; reports leave it out). */
export const INSTRUCTION_LEVEL = 'instruction';

export const levelLabel = (level: string) => LEVEL_LABELS[level] ?? level;

/** One round of a duty's ladder: its due time and when the round began (assignment or return). */
export interface Round {
  dueAt: Date;
  startedAt: Date;
}

/**
 * When a level fires in a round, or null if it never does. Levels at or after the due time count
 * from the due time but never from before the round began: a duty assigned after its due time is
 * overdue at once and its later levels count from the assignment, so no unit is escalated for
 * lateness it could not have avoided. A level before the due time (a reminder) fires at its time,
 * or at once if the round began after that; it is skipped when the round began already past due.
 */
export function levelFireAt(
  level: EscalationLevel,
  round: Round,
  timeZone: string,
  calendar: WorkingCalendar,
): Date | null {
  if (level.offsetWorkingDays < 0) {
    if (round.startedAt.getTime() >= round.dueAt.getTime()) return null;
    const at = shiftByWorkingDays(round.dueAt, level.offsetWorkingDays, timeZone, calendar);
    return at.getTime() < round.startedAt.getTime() ? round.startedAt : at;
  }
  const anchor = round.startedAt.getTime() > round.dueAt.getTime() ? round.startedAt : round.dueAt;
  return shiftByWorkingDays(anchor, level.offsetWorkingDays, timeZone, calendar);
}

export interface ScheduledLevel {
  index: number;
  level: EscalationLevel;
  fireAt: Date;
}

/** The first level at or after `fromIndex` that fires at all, with its time; null when none is left. */
export function nextLevel(
  policy: EscalationPolicy,
  fromIndex: number,
  round: Round,
  timeZone: string,
  calendar: WorkingCalendar,
): ScheduledLevel | null {
  for (let index = fromIndex; index < policy.length; index++) {
    const level = policy[index];
    if (level === undefined) break;
    const fireAt = levelFireAt(level, round, timeZone, calendar);
    if (fireAt !== null) return { index, level, fireAt };
  }
  return null;
}

/**
 * The levels from `fromIndex` whose time has come by `now`, in order, and what follows them. A
 * sweep that missed hours or days gets every passed level at once.
 */
export function levelsDue(
  policy: EscalationPolicy,
  fromIndex: number,
  round: Round,
  now: Date,
  timeZone: string,
  calendar: WorkingCalendar,
): { due: ScheduledLevel[]; next: ScheduledLevel | null } {
  const due: ScheduledLevel[] = [];
  let next = nextLevel(policy, fromIndex, round, timeZone, calendar);
  while (next !== null && next.fireAt.getTime() <= now.getTime()) {
    due.push(next);
    next = nextLevel(policy, next.index + 1, round, timeZone, calendar);
  }
  return { due, next };
}

/** What `validatePolicy` reads of a level: a policy being checked may still have bad addressees. */
export type LevelShape = Pick<EscalationLevel, 'level' | 'offsetWorkingDays'> & {
  addressees: readonly unknown[];
};

/** Cross-field checks of a policy, with Chinese messages naming the field. */
export function validatePolicy(
  policy: readonly LevelShape[],
  path = 'escalation',
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (policy.length === 0) problems.push({ field: path, message: '督办规则至少要有一个级别' });
  const seen = new Set<string>();
  policy.forEach((level, i) => {
    if (seen.has(level.level))
      problems.push({ field: `${path}.${i}.level`, message: `级别名称重复:${level.level}` });
    seen.add(level.level);
    const previous = policy[i - 1];
    if (previous !== undefined && level.offsetWorkingDays <= previous.offsetWorkingDays) {
      problems.push({
        field: `${path}.${i}.offsetWorkingDays`,
        message: '各级别的工作日偏移必须严格递增',
      });
    }
    if (new Set(level.addressees).size !== level.addressees.length) {
      problems.push({ field: `${path}.${i}.addressees`, message: '接收对象不能重复' });
    }
  });
  return problems;
}

/** The ladder fields of a duty whose round has just begun. */
export function startLadder(
  policy: EscalationPolicy,
  round: Round,
  timeZone: string,
  calendar: WorkingCalendar,
): { nextLevelIndex: number; nextActionAt: string | null; lastNoticeLevel: null } {
  const first = nextLevel(policy, 0, round, timeZone, calendar);
  return {
    nextLevelIndex: 0,
    nextActionAt: first === null ? null : first.fireAt.toISOString(),
    lastNoticeLevel: null,
  };
}
