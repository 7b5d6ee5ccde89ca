import type { DutyStatus } from '../duty/duty-status.js';

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

export interface Tally {
  unitId: string;
  phaseKey: string;
  status: DutyStatus;
  /** ISO-8601 UTC instant. */
  dueAt: string;
}

const empty = (): StatusCounts => ({ open: 0, submitted: 0, accepted: 0, overdue: 0, total: 0 });

/** Progress with every phase of the plan present, even those without duties, so they show as such. */
export function emptyProgress(phaseKeys: readonly string[]): PlanProgress {
  return { all: empty(), byPhase: Object.fromEntries(phaseKeys.map((k) => [k, empty()])), byUnit: {} };
}

/**
 * Adds a batch of duties to `progress` (in place) as of `now`: counts are built a page at a time
 * as the duties stream in, so memory does not grow with the plan.
 */
export function addToProgress(progress: PlanProgress, batch: readonly Tally[], now: Date): PlanProgress {
  const nowIso = now.toISOString();
  for (const d of batch) {
    const phase = progress.byPhase[d.phaseKey] ?? empty();
    const unit = progress.byUnit[d.unitId] ?? empty();
    progress.byPhase[d.phaseKey] = phase;
    progress.byUnit[d.unitId] = unit;
    // ISO instants in UTC compare correctly as strings; due exactly now is not yet overdue.
    const overdue = d.status === 'open' && d.dueAt < nowIso;
    for (const counts of [progress.all, phase, unit]) {
      counts[d.status] += 1;
      counts.total += 1;
      if (overdue) counts.overdue += 1;
    }
  }
  return progress;
}
