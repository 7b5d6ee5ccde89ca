import type { Report, ReportContent, ReportSummary } from '../../schemas/reports.js';
import { rankUnits } from './ranking.js';
import { REPORT_RULES } from './report-builder.js';

/**
 * Who is reading: the office and leaders see everything; a unit sees the ranking (every unit's
 * rank, name and rates, as a published 通报 shows them) and its own details only.
 */
export type ReportScope = { scope: 'all' } | { scope: 'unit'; unitId: string };

/**
 * A stored report as `viewer` may see it. For a unit: its own row in full, other units only in the
 * ranking, each phase's per-unit rows, the overdue list and the rectification section narrowed to
 * its own duties; the plan-wide totals, phase totals and each finding's counts stay (they name no unit).
 */
export function reportView(summary: ReportSummary, content: ReportContent, viewer: ReportScope): Report {
  // Ranked again from the stored counts, by the rule printed with the report today: a report frozen
  // under an older rule (which ranked units with nothing to judge behind failing ones) shows the same
  // counts, but never a ranking that contradicts the rule beside it.
  const units = rankUnits(content.units);
  const ranking = units.map((u) => ({
    rank: u.rank,
    unitId: u.unitId,
    unitName: u.unitName,
    onTimeRate: u.onTimeRate,
    completionRate: u.completionRate,
  }));
  const base = {
    ...summary,
    rules: { ...REPORT_RULES },
    levels: content.levels,
    totals: content.totals,
    ranking,
  };
  if (viewer.scope === 'all') {
    return {
      ...base,
      scope: 'all',
      viewerUnitId: null,
      units,
      phases: content.phases,
      overdue: content.overdue,
      rectifications: content.rectifications,
    };
  }
  const own = units.filter((u) => u.unitId === viewer.unitId);
  const items = content.overdue.items.filter((o) => o.unitId === viewer.unitId);
  const total = own[0]?.overdue ?? 0;
  return {
    ...base,
    scope: 'unit',
    viewerUnitId: viewer.unitId,
    units: own,
    phases: content.phases.map((p) => ({ ...p, units: p.units.filter((u) => u.unitId === viewer.unitId) })),
    overdue: { total, cap: content.overdue.cap, truncated: items.length < total, items },
    // The findings that name the unit, with its own duty only; each finding's counts and 销号 stay
    // (like the phase totals, they name no other unit).
    rectifications:
      content.rectifications === null
        ? null
        : {
            ...content.rectifications,
            items: content.rectifications.items.flatMap((f) => {
              const mine = f.units.filter((u) => u.unitId === viewer.unitId);
              return mine.length === 0 ? [] : [{ ...f, units: mine }];
            }),
          },
  };
}
