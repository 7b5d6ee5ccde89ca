import { cellKey, type UnitPhaseCounts } from './counters.js';

export interface StatusCounts {
  open: number;
  submitted: number;
  accepted: number;
  /** Open and past due; also counted in `open`. */
  overdue: number;
  total: number;
}

export interface PlanProgress {
  all: StatusCounts;
  byPhase: Record<string, StatusCounts>;
  byUnit: Record<string, StatusCounts>;
}

/** An open duty past its due time, as the plan's open-by-due index (D4) lists it. */
export interface OverdueTally {
  unitId: string;
  phaseKey: string;
  /** ISO-8601 UTC instant. */
  dueAt: string;
  kind?: string | undefined;
}

const empty = (): StatusCounts => ({ open: 0, submitted: 0, accepted: 0, overdue: 0, total: 0 });

/** Progress with every phase of the plan present, even those without duties, so they show as such. */
export function emptyProgress(phaseKeys: readonly string[]): PlanProgress {
  return { all: empty(), byPhase: Object.fromEntries(phaseKeys.map((k) => [k, empty()])), byUnit: {} };
}

/**
 * Progress from the plan's counters (one cell per unit and phase) and its open duties already past
 * due: reads that grow with units and phases, and with what is late, never with the plan's duties.
 * The due-time index may lag a submit by a moment; a cell never has more overdue than open.
 */
export function progressFromCounts(
  phaseKeys: readonly string[],
  cells: Iterable<UnitPhaseCounts>,
  overdue: readonly OverdueTally[],
): PlanProgress {
  const late = new Map<string, number>();
  for (const o of overdue)
    late.set(cellKey(o.unitId, o.phaseKey), (late.get(cellKey(o.unitId, o.phaseKey)) ?? 0) + 1);
  const progress = emptyProgress(phaseKeys);
  for (const cell of cells) {
    const { open, submitted, accepted } = cell.fields;
    const total = open + submitted + accepted;
    if (total === 0) continue;
    const lateHere = Math.min(late.get(cellKey(cell.unitId, cell.phaseKey)) ?? 0, open);
    const phase = progress.byPhase[cell.phaseKey] ?? empty();
    const unit = progress.byUnit[cell.unitId] ?? empty();
    progress.byPhase[cell.phaseKey] = phase;
    progress.byUnit[cell.unitId] = unit;
    for (const counts of [progress.all, phase, unit]) {
      counts.open += open;
      counts.submitted += submitted;
      counts.accepted += accepted;
      counts.total += total;
      counts.overdue += lateHere;
    }
  }
  return progress;
}
