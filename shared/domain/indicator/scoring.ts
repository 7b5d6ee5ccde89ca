/**
 * 量化考评: a unit's score for a period, from scoring rules kept as data per plan, with every line
 * of its breakdown so the unit can see why it lost each point; a breached veto indicator (一票否决)
 * overrides the total. Points are kept in tenths (integers) so sums never drift. Pure.
 */
import type { IndicatorStatus } from './indicator.js';

export interface ScoringRules {
  /** Where every unit starts (e.g. 100). */
  base: number;
  /** Added per duty accepted on time. */
  perOnTime: number;
  /** Deducted per working day a duty is (or was) late, summed over duties. */
  perOverdueDay: number;
  /** At most this much is deducted for lateness in one period (absent: no cap). */
  overdueCap?: number;
  /** Deducted per return for rework (退回整改). */
  perReturn: number;
  /** Deducted per escalation notice, by ladder level (`reminder`, `urge`, `supervise`, …). */
  perNotice: Record<string, number>;
  /** Deducted per zero report (零报告) missed. */
  perMissedReport: number;
  /**
   * Deducted per late extension request (临期申请): one filed less than `lateExtensionHours` before
   * its duty's deadline (after the deadline none can be filed).
   */
  perLateExtension: number;
  /** How close to the deadline a request counts as late, in hours (absent: 24). */
  lateExtensionHours?: number;
  /** Per indicator key: points for met, warning, breached (a breached one usually negative). */
  indicators: Record<string, { weight: Record<IndicatorStatus, number> }>;
}

/** What a unit did in the period, as the report counts it. */
export interface UnitPerformance {
  onTime: number;
  overdueWorkingDays: number;
  returns: number;
  notices: Record<string, number>;
  missedReports: number;
  lateExtensions: number;
  /** Each indicator the unit reports, its status in the period and whether it is a veto item. */
  indicators: { key: string; name: string; status: IndicatorStatus; veto: boolean }[];
}

export interface ScoreLine {
  /** What the line is for, in Chinese (the score card prints it). */
  label: string;
  count: number;
  /** Points this line adds (negative: deducted), to one decimal. */
  points: number;
}

export interface UnitScore {
  /** Base plus every line, to one decimal; a vetoed unit keeps its figure but fails (`vetoed`). */
  total: number;
  lines: ScoreLine[];
  vetoed: boolean;
  /** The veto items the unit breached, by name. */
  vetoReasons: string[];
}

const tenths = (n: number) => Math.round(n * 10);
const fromTenths = (n: number) => n / 10;

const STATUS_WORDS: Record<IndicatorStatus, string> = { met: '达标', warning: '预警', breached: '未达标' };

/**
 * The rules in words, printed with every score (the JSON, the CSV notes, the workbook's sheet):
 * a reader sees how each point was given without asking.
 */
export function rulesWords(rules: ScoringRules, levelLabel: (level: string) => string = (l) => l): string[] {
  const lines = [
    `基础分 ${rules.base} 分`,
    `按时办结每项加 ${rules.perOnTime} 分`,
    `逾期每个工作日扣 ${rules.perOverdueDay} 分${rules.overdueCap === undefined ? '' : `(本期最多扣 ${rules.overdueCap} 分)`}`,
    `退回整改每次扣 ${rules.perReturn} 分`,
    ...Object.entries(rules.perNotice).map(([level, p]) => `${levelLabel(level)}每次扣 ${p} 分`),
    `漏报零报告每次扣 ${rules.perMissedReport} 分`,
    `距截止不足 ${rules.lateExtensionHours ?? DEFAULT_LATE_EXTENSION_HOURS} 小时才申请延期(临期申请)每次扣 ${rules.perLateExtension} 分`,
    '指标:达标、预警、未达标按各指标权重计分;一票否决指标未达标的,总评不合格,不论得分多少',
  ];
  return lines;
}

/** A unit's score and its breakdown, line by line, under `rules`. */
export function scoreUnit(
  rules: ScoringRules,
  p: UnitPerformance,
  levelLabel: (level: string) => string = (l) => l,
): UnitScore {
  const lines: ScoreLine[] = [];
  const line = (label: string, count: number, each: number, cap?: number) => {
    if (count === 0) return;
    let points = tenths(count * each);
    if (cap !== undefined) points = Math.max(points, -tenths(cap));
    lines.push({ label, count, points: fromTenths(points) });
  };
  line('按时办结', p.onTime, rules.perOnTime);
  line('逾期(工作日)', p.overdueWorkingDays, -rules.perOverdueDay, rules.overdueCap);
  line('退回整改', p.returns, -rules.perReturn);
  for (const [level, count] of Object.entries(p.notices)) {
    line(levelLabel(level), count, -(rules.perNotice[level] ?? 0));
  }
  line('漏报零报告', p.missedReports, -rules.perMissedReport);
  line('临期申请延期', p.lateExtensions, -rules.perLateExtension);
  const vetoReasons: string[] = [];
  for (const ind of p.indicators) {
    const weight = rules.indicators[ind.key]?.weight[ind.status];
    if (weight !== undefined && weight !== 0) {
      lines.push({
        label: `${ind.name}:${STATUS_WORDS[ind.status]}`,
        count: 1,
        points: fromTenths(tenths(weight)),
      });
    }
    if (ind.veto && ind.status === 'breached') vetoReasons.push(ind.name);
  }
  // Lines whose points came out 0 (a rule worth nothing) say nothing to the unit.
  const shown = lines.filter((l) => l.points !== 0);
  const total = fromTenths(shown.reduce((sum, l) => sum + tenths(l.points), tenths(rules.base)));
  return { total, lines: shown, vetoed: vetoReasons.length > 0, vetoReasons };
}

/**
 * Units ranked by score: a vetoed unit after every unit that is not, whatever its points; then
 * highest total first; ties share a rank (1, 2, 2, 4) and are listed by `tieOrder`.
 */
export function rankByScore<T extends { score: UnitScore }>(
  units: readonly T[],
  tieOrder: (a: T, b: T) => number,
): (T & { rank: number })[] {
  const sorted = [...units].sort(
    (a, b) =>
      Number(a.score.vetoed) - Number(b.score.vetoed) || b.score.total - a.score.total || tieOrder(a, b),
  );
  let rank = 0;
  return sorted.map((u, i) => {
    const prev = sorted[i - 1];
    if (prev === undefined || prev.score.vetoed !== u.score.vetoed || prev.score.total !== u.score.total)
      rank = i + 1;
    return { ...u, rank };
  });
}

/** A request this close to its deadline, in hours, is late (临期申请) unless the plan says otherwise. */
export const DEFAULT_LATE_EXTENSION_HOURS = 24;

/** What an indicator scores when the plan's rules do not name it. */
export const DEFAULT_INDICATOR_WEIGHT: Record<IndicatorStatus, number> = { met: 2, warning: 0, breached: -5 };

/** Deductions per notice of the default ladder's levels; a level the rules do not name costs nothing. */
export const DEFAULT_SCORING_RULES: ScoringRules = {
  base: 100,
  perOnTime: 1,
  perOverdueDay: 0.5,
  overdueCap: 30,
  perReturn: 2,
  perNotice: { remind: 0, overdue: 1, escalate: 3, accountability: 5 },
  perMissedReport: 2,
  perLateExtension: 1,
  lateExtensionHours: DEFAULT_LATE_EXTENSION_HOURS,
  indicators: {},
};

/** The rules as stored on a plan: the same, with the indicators' weights optional. */
export type StoredScoringRules = Omit<ScoringRules, 'indicators'> & {
  indicators?: ScoringRules['indicators'] | undefined;
  overdueCap?: number | undefined;
  lateExtensionHours?: number | undefined;
};

/**
 * The rules a report scores by, spelled out in full so they can be printed beside every score: the
 * plan's own (or the defaults), a deduction for each of the plan's notice levels (0 where the rules
 * name none), and a weight for each of the plan's indicators (the default where the rules name none).
 */
export function resolveScoringRules(
  stored: StoredScoringRules | undefined,
  levels: readonly string[],
  indicatorKeys: readonly string[],
): ScoringRules {
  const from = stored ?? DEFAULT_SCORING_RULES;
  const perNotice: Record<string, number> = {};
  for (const level of levels) perNotice[level] = from.perNotice[level] ?? 0;
  for (const [level, p] of Object.entries(from.perNotice)) perNotice[level] ??= p;
  const indicators: ScoringRules['indicators'] = {};
  for (const key of indicatorKeys) {
    indicators[key] = from.indicators?.[key] ?? { weight: { ...DEFAULT_INDICATOR_WEIGHT } };
  }
  return {
    base: from.base,
    perOnTime: from.perOnTime,
    perOverdueDay: from.perOverdueDay,
    ...(from.overdueCap === undefined ? {} : { overdueCap: from.overdueCap }),
    perReturn: from.perReturn,
    perNotice,
    perMissedReport: from.perMissedReport,
    perLateExtension: from.perLateExtension,
    lateExtensionHours: from.lateExtensionHours ?? DEFAULT_LATE_EXTENSION_HOURS,
    indicators,
  };
}
