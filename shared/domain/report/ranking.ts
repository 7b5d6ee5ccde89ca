/**
 * The ranking rule of the accountability report, in the words the report prints with it.
 * Rates are compared exactly (as fractions), never as rounded decimals.
 *
 * Rectification duties (整改, from supervision findings) count like every other duty: the plan
 * says a finding is to be rectified at once (立即整改落实) and handled by the same loop, so a
 * unit that rectifies late or not at all ranks lower, and one that rectifies on time loses
 * nothing for having been found wanting. They are also listed apart, so the count is never silent.
 */
export const RANKING_RULE =
  '按时办结率从高到低;相同时逾期未办少者在前;二者都相同为并列,名次相同(如 1、1、3),并列者按单位名称拼音排序;没有可计算任务(无办结、无逾期)的单位排在最后;督查整改任务与其他任务一样计入按时办结率和逾期未办';

/** What ranking reads of a unit. */
export interface RankInput {
  unitId: string;
  unitName: string;
  /** Accepted on time. */
  onTime: number;
  /** The on-time rate's denominator: accepted plus overdue. 0 means no rate yet. */
  counted: number;
  overdue: number;
}

/** Chinese names in pinyin order; `zh-CN` collates by pinyin in ICU, the `co-pinyin` says so. */
export const PINYIN = new Intl.Collator('zh-CN-u-co-pinyin');

/** Negative when a's on-time rate is better (higher); no rate ranks below every rate. */
function compareRate(a: RankInput, b: RankInput): number {
  if (a.counted === 0 || b.counted === 0) return (a.counted === 0 ? 1 : 0) - (b.counted === 0 ? 1 : 0);
  // a.onTime / a.counted vs b.onTime / b.counted, without floating point.
  return b.onTime * a.counted - a.onTime * b.counted;
}

const sameRank = (a: RankInput, b: RankInput) => compareRate(a, b) === 0 && a.overdue === b.overdue;

/**
 * Ranks units by {@link RANKING_RULE}: on-time rate descending, then fewest overdue; units equal on
 * both share a rank (standard competition ranking: 1, 1, 3) and are listed in pinyin order of
 * their names (then by id, so the order is total). Returns new objects in rank order.
 */
export function rankUnits<T extends RankInput>(units: readonly T[]): (T & { rank: number })[] {
  const sorted = [...units].sort(
    (a, b) =>
      compareRate(a, b) ||
      a.overdue - b.overdue ||
      PINYIN.compare(a.unitName, b.unitName) ||
      (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0),
  );
  const ranked: (T & { rank: number })[] = [];
  sorted.forEach((unit, index) => {
    const previous = ranked[index - 1];
    const rank = previous !== undefined && sameRank(previous, unit) ? previous.rank : index + 1;
    ranked.push({ ...unit, rank });
  });
  return ranked;
}

/** A rate for display and storage: 0–1 rounded to four places, null without a denominator. */
export function rateOf(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.round((numerator / denominator) * 10_000) / 10_000;
}
