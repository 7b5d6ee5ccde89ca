/**
 * 量化考评 in a report: every unit scored from the same per-unit figures the report prints (so the
 * counters' way and the replay agree), under rules printed beside the scores, and ranked by score.
 * Pure.
 */
import type { ReportScoring, ReportUnitRow } from '../../schemas/reports.js';
import { levelLabel } from '../escalation/ladder.js';
import type { IndicatorStatus } from '../indicator/indicator.js';
import {
  rankByScore,
  rulesWords,
  type ScoringRules,
  scoreUnit,
  type UnitPerformance,
} from '../indicator/scoring.js';
import { PINYIN } from './ranking.js';

/** One indicator's result for one unit in the report's period, from the indicator table. */
export interface UnitIndicatorResult {
  key: string;
  name: string;
  status: IndicatorStatus;
  veto: boolean;
}

export interface ScoringInput {
  rules: ScoringRules;
  /** Each unit's indicator results, or null when they were not counted (`note` says why). */
  indicators: ReadonlyMap<string, readonly UnitIndicatorResult[]> | null;
  periods: readonly string[];
  note: string;
}

/** What the rules read of a unit's row. */
export function performanceOf(
  row: ReportUnitRow,
  indicators: readonly UnitIndicatorResult[],
): UnitPerformance {
  return {
    onTime: row.doneOnTime,
    overdueWorkingDays: row.overdueWorkingDays,
    returns: row.returns,
    notices: row.notices,
    missedReports: Math.max(0, row.reports.due - row.reports.filed),
    lateExtensions: row.extensions?.late ?? 0,
    indicators: [...indicators],
  };
}

/** Every unit's score and breakdown, ranked by score (ties by name in pinyin order). */
export function scoreReport(units: readonly ReportUnitRow[], input: ScoringInput): ReportScoring {
  const scored = units.map((row) => ({
    unitId: row.unitId,
    unitName: row.unitName,
    score: scoreUnit(input.rules, performanceOf(row, input.indicators?.get(row.unitId) ?? []), levelLabel),
  }));
  const ranked = rankByScore(
    scored,
    (a, b) => PINYIN.compare(a.unitName, b.unitName) || (a.unitId < b.unitId ? -1 : 1),
  );
  return {
    rules: input.rules,
    rulesWords: rulesWords(input.rules, levelLabel),
    indicators: { included: input.indicators !== null, periods: [...input.periods], note: input.note },
    units: ranked.map((r) => ({
      rank: r.rank,
      unitId: r.unitId,
      unitName: r.unitName,
      total: r.score.total,
      vetoed: r.score.vetoed,
      vetoReasons: r.score.vetoReasons,
      lines: r.score.lines,
    })),
  };
}
