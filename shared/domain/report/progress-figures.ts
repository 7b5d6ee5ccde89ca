import type { ReportContent, ReportPhase } from '../../schemas/reports.js';
import {
  type DutyLightFields,
  type LightPolicy,
  type LightSettings,
  lightInputOf,
  progressLight,
} from '../duty/light.js';

/** An open duty as the report's progress figures read it. */
export interface ProgressFact extends DutyLightFields {
  unitId: string;
  phaseKey: string;
  createdAt: string;
  progress?: { percent: number; at: string } | null | undefined;
}

interface Sums {
  open: number;
  behind: number;
  lag: number;
  planned: number;
  reported: number;
}

const empty = (): Sums => ({ open: 0, behind: 0, lag: 0, planned: 0, reported: 0 });
const oneDecimal = (n: number) => Math.round(n * 10) / 10;
const mean = (sum: number, n: number) => (n === 0 ? null : oneDecimal(sum / n));

/** How the report counts progress, printed with its rules after the light rule itself. */
export const PROGRESS_FIGURES_RULE =
  '落后于序时进度 = 截止时待办、已报进度(未报按 0)低于序时进度超过容差的任务数;平均滞后 = 各待办任务序时进度减已报进度(不足 0 按 0)的平均数,单位为百分点;' +
  '阶段的计划进度与已报进度 = 该阶段待办任务的序时进度与已报进度的平均数。截止时间之后报告的进度不计入';

export interface ProgressFigures {
  byUnit: Map<string, Sums>;
  byPhase: Map<string, Sums>;
  byPhaseUnit: Map<string, Sums>;
  all: Sums;
}

/**
 * The figures of the plan's duties open at `asOf`: per unit and per phase (and unit), how many
 * are behind 序时进度 by more than the tolerance, the lag, and planned against reported progress.
 * A report made after the cut-off does not count (the duty keeps only its last report).
 */
export function progressFigures(
  facts: Iterable<ProgressFact>,
  asOf: Date,
  settings: LightSettings & LightPolicy,
): ProgressFigures {
  const figures: ProgressFigures = {
    byUnit: new Map(),
    byPhase: new Map(),
    byPhaseUnit: new Map(),
    all: empty(),
  };
  const asOfMs = asOf.getTime();
  for (const fact of facts) {
    if (fact.status !== 'open' || Date.parse(fact.createdAt) > asOfMs) continue;
    const progress = fact.progress != null && Date.parse(fact.progress.at) <= asOfMs ? fact.progress : null;
    const { plannedPercent } = progressLight(lightInputOf({ ...fact, progress }), asOf, settings);
    const planned = plannedPercent ?? 0;
    const reported = progress?.percent ?? 0;
    const cells = [
      figures.all,
      at(figures.byUnit, fact.unitId),
      at(figures.byPhase, fact.phaseKey),
      at(figures.byPhaseUnit, `${fact.phaseKey}\u0000${fact.unitId}`),
    ];
    for (const c of cells) {
      c.open += 1;
      c.planned += planned;
      c.reported += reported;
      c.lag += Math.max(0, planned - reported);
      if (planned - reported > settings.tolerancePoints) c.behind += 1;
    }
  }
  return figures;
}

function at(map: Map<string, Sums>, key: string): Sums {
  let sums = map.get(key);
  if (sums === undefined) {
    sums = empty();
    map.set(key, sums);
  }
  return sums;
}

const unitFields = (s: Sums | undefined) => ({
  behindPlan: s?.behind ?? 0,
  averageLagPoints: s === undefined ? null : mean(s.lag, s.open),
});
const phaseFields = (s: Sums | undefined) => ({
  plannedPercent: s === undefined ? null : mean(s.planned, s.open),
  reportedPercent: s === undefined ? null : mean(s.reported, s.open),
});

/** The report's content with the progress figures in its unit rows, totals and phase table. */
export function withProgressFigures(
  content: ReportContent,
  figures: ProgressFigures,
  rule: string,
): ReportContent {
  const phase = (p: ReportPhase): ReportPhase => ({
    ...p,
    ...phaseFields(figures.byPhase.get(p.key)),
    units: p.units.map((u) => ({
      ...u,
      ...phaseFields(figures.byPhaseUnit.get(`${p.key}\u0000${u.unitId}`)),
    })),
  });
  return {
    ...content,
    progressRule: rule,
    totals: { ...content.totals, ...unitFields(figures.all.open === 0 ? undefined : figures.all) },
    units: content.units.map((u) => ({ ...u, ...unitFields(figures.byUnit.get(u.unitId)) })),
    phases: content.phases.map(phase),
  };
}
