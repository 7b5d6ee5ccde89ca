import { PINYIN } from '../report/ranking.js';
import type { UnitPhaseCounts } from './counters.js';

/** Where a unit stands with its self-check report (自查报告) in one phase. */
export type SelfCheckState = 'accepted' | 'submitted' | 'not-filed';

export const SELF_CHECK_STATE_LABELS: Record<SelfCheckState, string> = {
  accepted: '已报送(已审核)',
  submitted: '已报送(待审核)',
  'not-filed': '未报送',
};

export interface SelfCheckUnit {
  unitId: string;
  unitName: string;
  state: SelfCheckState;
  /** The earliest due time of what it has still to file, or of its self-check duties once all are filed. */
  dueAt: string;
  /** Not filed and past that due time. */
  overdue: boolean;
}

export interface SelfCheckPhase {
  phaseKey: string;
  phaseName: string;
  units: SelfCheckUnit[];
  /** Submitted or accepted. */
  filed: number;
  accepted: number;
  submitted: number;
  notFiled: number;
  overdue: number;
}

interface UnitTally {
  open: number;
  submitted: number;
  accepted: number;
  firstOpenDue: string | null;
  firstDue: string;
}

const STATE_ORDER: Record<SelfCheckState, number> = { 'not-filed': 0, submitted: 1, accepted: 2 };

/**
 * Accumulates who has filed the self-check report (duties of kind `self-check`) in each phase, from
 * the plan's counters: a unit with several self-check duties in a phase has filed when none is
 * open; it counts as accepted when all are. A phase is listed when it has any self-check duty.
 */
export function createSelfCheckTally() {
  const phases = new Map<string, Map<string, UnitTally>>();
  return {
    /**
     * One (unit, phase) cell of the counters, with the due times of its self-check duties that are
     * open and already past due (from the open-by-due index): the earliest of those is what the unit
     * is late with; otherwise the cell's own self-check due time stands.
     */
    addCell(cell: UnitPhaseCounts, overdueDues: readonly string[]): void {
      const open = cell.fields['kind#self-check#open'];
      const submitted = cell.fields['kind#self-check#submitted'];
      const accepted = cell.fields['kind#self-check#accepted'];
      if (open + submitted + accepted <= 0) return;
      const late = open > 0 ? ([...overdueDues].sort()[0] ?? null) : null;
      const known = cell.selfCheckDueAt;
      let units = phases.get(cell.phaseKey);
      if (units === undefined) {
        units = new Map();
        phases.set(cell.phaseKey, units);
      }
      units.set(cell.unitId, {
        open,
        submitted,
        accepted,
        firstOpenDue: open > 0 ? (late ?? known) : null,
        firstDue: [late, known].filter((d): d is string => d !== null).sort()[0] ?? '',
      });
    },

    /** Every unit seen, for looking up names. */
    unitIds(): string[] {
      return [...new Set([...phases.values()].flatMap((units) => [...units.keys()]))];
    },

    /**
     * The phases in the plan's order (unknown keys after, sorted), each with its units: not filed
     * first (overdue first among them), then awaiting review, then accepted, each by name.
     */
    finish(
      planPhases: readonly { key: string; name: string }[],
      unitNames: ReadonlyMap<string, string>,
      now: Date,
    ): SelfCheckPhase[] {
      const nowIso = now.toISOString();
      const known = new Map(planPhases.map((p) => [p.key, p.name]));
      const keys = [
        ...planPhases.map((p) => p.key).filter((k) => phases.has(k)),
        ...[...phases.keys()].filter((k) => !known.has(k)).sort(),
      ];
      return keys.map((phaseKey) => {
        const units: SelfCheckUnit[] = [...(phases.get(phaseKey) ?? new Map<string, UnitTally>())].map(
          ([unitId, t]) => {
            const state: SelfCheckState =
              t.open > 0 ? 'not-filed' : t.submitted > 0 ? 'submitted' : 'accepted';
            const dueAt = t.firstOpenDue ?? t.firstDue;
            // Due exactly now is not yet overdue, as everywhere else.
            return {
              unitId,
              unitName: unitNames.get(unitId) ?? unitId,
              state,
              dueAt,
              overdue: state === 'not-filed' && dueAt < nowIso,
            };
          },
        );
        units.sort(
          (a, b) =>
            STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
            Number(b.overdue) - Number(a.overdue) ||
            PINYIN.compare(a.unitName, b.unitName) ||
            (a.unitId < b.unitId ? -1 : 1),
        );
        const count = (s: SelfCheckState) => units.filter((u) => u.state === s).length;
        return {
          phaseKey,
          phaseName: known.get(phaseKey) ?? phaseKey,
          units,
          filed: count('accepted') + count('submitted'),
          accepted: count('accepted'),
          submitted: count('submitted'),
          notFiled: count('not-filed'),
          overdue: units.filter((u) => u.overdue).length,
        };
      });
    },
  };
}
