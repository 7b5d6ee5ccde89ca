import type {
  Report,
  ReportContent,
  ReportPhase,
  ReportSummary,
  ReportUnitRow,
  ReportUnitStats,
} from '../../schemas/reports.js';
import { findingPartsFor, type Readership } from '../access/policy.js';
import { phaseCompletionRate, rankUnits } from './ranking.js';
import { emptyUnitStats, REPORT_RULES } from './report-builder.js';

/**
 * Who is reading: the office and leaders see everything; a unit sees the ranking (every unit's
 * rank, name and rates, as a published 通报 shows them) and its own details only.
 */
export type ReportScope = Readership;

/** A unit's figures when it had no duty in the report: zeros, and "not counted" where the report did not count. */
function noStats(content: ReportContent): ReportUnitStats {
  const zero = emptyUnitStats(content.levels);
  return {
    ...zero,
    extensions: content.totals.extensions === null ? null : zero.extensions,
    rectification: content.totals.rectification === null ? null : zero.rectification,
  };
}

/** The row's figures without its rank and name. */
function statsOf(row: ReportUnitRow): ReportUnitStats {
  const { rank: _rank, unitId: _unitId, unitName: _unitName, ...stats } = row;
  return stats;
}

/** A phase as a unit sees it: its own duties' counts in place of the phase's, its own row only. */
function ownPhase(phase: ReportPhase, unitId: string): ReportPhase {
  const mine = phase.units.filter((u) => u.unitId === unitId);
  const c = mine[0] ?? { duties: 0, accepted: 0, submitted: 0, open: 0, overdue: 0 };
  return {
    ...phase,
    duties: c.duties,
    accepted: c.accepted,
    submitted: c.submitted,
    open: c.open,
    overdue: c.overdue,
    completionRate: phaseCompletionRate(c),
    plannedPercent: mine[0]?.plannedPercent ?? null,
    reportedPercent: mine[0]?.reportedPercent ?? null,
    endedWithOpenWork: phase.state === 'ended' && c.open + c.submitted > 0,
    units: mine,
  };
}

/**
 * A stored report as `viewer` may see it. For a unit: the ranking (every unit's rank, name and
 * rates), and everything else its own — its own row, and the totals, the summary figures, each
 * phase's counts and the overdue list computed from its own duties only, so a unit's phase sheets
 * and totals agree with its row. Of the 督查整改 section it sees the findings that name it, by the
 * one rule for findings (findingPartsFor); the section's counts are those findings' and its own duties'.
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
    rules: {
      ...REPORT_RULES,
      ...(content.progressRule === undefined ? {} : { progress: content.progressRule }),
    },
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
      scoring: content.scoring,
      receipts: content.receipts,
    };
  }
  const ownRow = units.find((u) => u.unitId === viewer.unitId);
  const totals = ownRow === undefined ? noStats(content) : statsOf(ownRow);
  const items = content.overdue.items.filter((o) => o.unitId === viewer.unitId);
  const section = content.rectifications;
  const findings =
    section === null
      ? []
      : section.items.flatMap((f) => {
          const mine = findingPartsFor(viewer, f.units, (u) => u.unitId);
          return mine === undefined ? [] : [{ ...f, units: mine }];
        });
  const ownFindingDuties = findings.flatMap((f) => f.units);
  const ownReceipts = content.receipts?.units.filter((u) => u.unitId === viewer.unitId) ?? [];
  const noReceipts = { unsigned: 0, signed: 0, signedLate: 0, averageWorkingMinutes: null };
  return {
    ...base,
    summary: {
      ...summary.summary,
      duties: totals.assigned,
      accepted: totals.doneOnTime + totals.doneLate,
      overdue: totals.overdue,
      completionRate: totals.completionRate,
      onTimeRate: totals.onTimeRate,
    },
    totals,
    scope: 'unit',
    viewerUnitId: viewer.unitId,
    units: ownRow === undefined ? [] : [ownRow],
    phases: content.phases.map((p) => ownPhase(p, viewer.unitId)),
    overdue: {
      total: totals.overdue,
      cap: content.overdue.cap,
      truncated: items.length < totals.overdue,
      items,
    },
    // Every unit's score and rank, as a published 通报 shows them; the line-by-line breakdown its own only.
    scoring:
      content.scoring === null
        ? null
        : {
            ...content.scoring,
            units: content.scoring.units.map((u) =>
              u.unitId === viewer.unitId ? u : { ...u, lines: [], vetoReasons: [] },
            ),
          },
    // Each finding's own facts (its counts, 销号) stay; the section's counts are what the unit sees.
    rectifications:
      section === null
        ? null
        : {
            findings: findings.length,
            closed: findings.filter((f) => f.closed).length,
            duties: ownFindingDuties.length,
            accepted: ownFindingDuties.filter((u) => u.status === 'accepted').length,
            overdue: ownFindingDuties.filter((u) => u.overdue).length,
            items: findings,
          },
    // 签收: the unit's own figures only.
    receipts:
      content.receipts === null
        ? null
        : {
            all: ownReceipts[0] === undefined ? noReceipts : figuresOnly(ownReceipts[0]),
            units: ownReceipts,
          },
  };
}

const figuresOnly = (r: NonNullable<ReportContent['receipts']>['units'][number]) => ({
  unsigned: r.unsigned,
  signed: r.signed,
  signedLate: r.signedLate,
  averageWorkingMinutes: r.averageWorkingMinutes,
});
