/**
 * The ranking rule of the accountability report, in the words the report prints with it.
 * Rates are compared exactly (as fractions), never as rounded decimals.
 *
 * A published 通报 must never put a failing unit first: a unit with overdue work ranks below every
 * unit without, whatever the rates (a unit that finished late still finished). A unit with nothing
 * to judge in the period (no duty accepted, none overdue) has no rate: it is not ranked at all and is
 * listed apart (本期无考核任务) — ranking it last put it behind the failing units, ranking it first
 * would reward having nothing due.
 *
 * Rectification duties (整改, from supervision findings) count like every other duty: the plan
 * says a finding is to be rectified at once (立即整改落实) and handled by the same loop, so a
 * unit that rectifies late or not at all ranks lower, and one that rectifies on time loses
 * nothing for having been found wanting. They are also listed apart, so the count is never silent.
 */
export const RANKING_RULE =
  '有逾期未办的单位排在没有逾期未办的单位之后;同组内按时办结率从高到低,相同时逾期未办少者在前;二者都相同为并列,名次相同(如 1、1、3),并列者按单位名称拼音排序;本期没有可考核任务(无办结、无逾期)的单位不参与排名,另列为“本期无考核任务”;督查整改任务与其他任务一样计入按时办结率和逾期未办';

/** How a unit without a rank is listed, in place of its rank. */
export const UNASSESSED_LABEL = '本期无考核任务';

/** What ranking reads of a unit: a report row's counts. */
export interface RankInput {
  unitId: string;
  unitName: string;
  /** Accepted on time. */
  doneOnTime: number;
  /** Accepted after the due time. */
  doneLate: number;
  /** Open and past the due time. */
  overdue: number;
}

/** Chinese names in pinyin order; `zh-CN` collates by pinyin in ICU, the `co-pinyin` says so. */
export const PINYIN = new Intl.Collator('zh-CN-u-co-pinyin');

/** The on-time rate's denominator: accepted plus overdue; 0 means nothing to judge. */
const counted = (u: RankInput) => u.doneOnTime + u.doneLate + u.overdue;

/** 0 nothing overdue, 1 some overdue, 2 nothing to judge (not ranked). */
function groupOf(u: RankInput): number {
  if (counted(u) === 0) return 2;
  return u.overdue > 0 ? 1 : 0;
}

/** Negative when a's on-time rate is higher; both have a rate (same group, not 2). */
function compareRate(a: RankInput, b: RankInput): number {
  // a.doneOnTime / counted(a) vs b.doneOnTime / counted(b), without floating point.
  return b.doneOnTime * counted(a) - a.doneOnTime * counted(b);
}

function compareStanding(a: RankInput, b: RankInput): number {
  const group = groupOf(a) - groupOf(b);
  if (group !== 0 || groupOf(a) === 2) return group;
  return compareRate(a, b) || a.overdue - b.overdue;
}

/**
 * Ranks units by {@link RANKING_RULE}: units without overdue work before units with, each group by
 * on-time rate descending, then fewest overdue; units equal on all of these share a rank (standard
 * competition ranking: 1, 1, 3) and are listed in pinyin order of their names (then by id, so the
 * order is total). Units with nothing to judge get rank `null` and come after every ranked unit.
 * Returns new objects in that order.
 */
export function rankUnits<T extends RankInput>(units: readonly T[]): (T & { rank: number | null })[] {
  const sorted = [...units].sort(
    (a, b) =>
      compareStanding(a, b) ||
      PINYIN.compare(a.unitName, b.unitName) ||
      (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0),
  );
  const ranked: (T & { rank: number | null })[] = [];
  sorted.forEach((unit, index) => {
    const previous = sorted[index - 1];
    const tied = previous !== undefined && compareStanding(previous, unit) === 0;
    const rank = groupOf(unit) === 2 ? null : tied ? (ranked[index - 1]?.rank ?? null) : index + 1;
    ranked.push({ ...unit, rank });
  });
  return ranked;
}

/** A rate for display and storage: 0–1 rounded to four places, null without a denominator. */
export function rateOf(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.round((numerator / denominator) * 10_000) / 10_000;
}

/**
 * 办结率: accepted over the duties due by the cut-off — a duty still open and not yet due is not
 * counted (it could not have been finished yet); one accepted early, or submitted, is. For a phase,
 * the open ones not yet due are its open ones less its overdue ones.
 */
export function completionRateOf(c: { accepted: number; duties: number; openNotDue: number }): number | null {
  return rateOf(c.accepted, c.duties - c.openNotDue);
}

/** The 办结率 of a phase's (or a unit's part of a phase's) counts. */
export const phaseCompletionRate = (c: { accepted: number; duties: number; open: number; overdue: number }) =>
  completionRateOf({ accepted: c.accepted, duties: c.duties, openNotDue: c.open - c.overdue });
