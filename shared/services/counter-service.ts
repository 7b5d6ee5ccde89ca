/**
 * Keeping a plan's counters whole: applying creations' deltas left parked on the plan (the sweep
 * does this on every run), and the recount, the office's repair command, which rebuilds every
 * figure from the duties themselves and writes the difference.
 */
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CounterRepository, PendingCounts } from '../db/counter-repository.js';
import type { DutyRepository, DutyTally } from '../db/duty-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import {
  applyDeltas,
  contributionOf,
  countDifferences,
  countsMap,
  type UnitPhaseCounts,
} from '../domain/plan/counters.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { RecountResult } from '../schemas/plans.js';
import { authorize } from './access.js';

/** A recount that keeps seeing the counters move under it gives up after this many tries. */
const RECOUNT_ATTEMPTS = 3;
/** The audit event lists at most this many corrections (the item must stay well under 400 KB). */
const AUDITED_CORRECTIONS = 100;

export interface CounterService {
  /**
   * The sweep's care of a plan's counters: applies every creation's deltas still parked on the plan
   * and, for a plan stored before counters existed, runs its first recount; for a plan stored
   * before the sign-off index, writes its submitted duties' sign-off keys (D6) once. Returns what
   * it did.
   */
  upkeep(
    principal: Principal,
    planId: string,
    now: Date,
  ): Promise<{ applied: number; recounted: boolean; signOffRekeyed: number }>;
  /**
   * Rebuilds the plan's counters from its duties and writes (and audits) the difference; re-keys
   * the submitted duties for sign-off (D6) on the way, the same repair for the index.
   */
  recount(principal: Principal, planId: string, now: Date): Promise<RecountResult>;
  /**
   * How many of the phase's duties are not yet accepted, read consistently from the counters (and
   * what is parked on the plan); null for a plan not yet counted.
   */
  unfinished(planId: string, phaseKey: string): Promise<number | null>;
}

/**
 * Counts a plan's duties one by one, as the counters would hold them, with those open and past due
 * at `before`: the recount's reading, and the plan view's for a plan not yet counted.
 */
export async function countDuties(
  duties: Pick<DutyRepository, 'tallies'>,
  planId: string,
  before: string,
): Promise<{ counts: Map<string, UnitPhaseCounts>; overdue: DutyTally[]; dutiesRead: number }> {
  const counts = new Map<string, UnitPhaseCounts>();
  const overdue: DutyTally[] = [];
  let dutiesRead = 0;
  for await (const batch of duties.tallies(planId)) {
    dutiesRead += batch.length;
    for (const d of batch) if (d.status === 'open' && d.dueAt < before) overdue.push(d);
    applyDeltas(
      counts,
      batch.map((d) =>
        contributionOf({
          unitId: d.unitId,
          phaseKey: d.phaseKey,
          status: d.status,
          kind: d.kind ?? 'task',
          dueAt: d.dueAt,
          returns: d.returns ?? 0,
          submission: d.submission ?? null,
          acceptedAt: d.acceptedAt ?? null,
          receipt: d.receipt ?? null,
        }),
      ),
    );
  }
  return { counts, overdue, dutiesRead };
}

export function counterService(deps: {
  counters: CounterRepository;
  duties: DutyRepository;
  plans: PlanRepository;
}): CounterService {
  const { counters, duties, plans } = deps;

  async function settle(pending: readonly PendingCounts[], planId: string): Promise<number> {
    let applied = 0;
    for (const p of pending) if ((await counters.applyPending(planId, p)) === 'applied') applied++;
    return applied;
  }

  /** What the counters say now (the items plus what is parked on the plan), and whether they are whole. */
  async function storedWithState(
    planId: string,
  ): Promise<{ counts: Map<string, UnitPhaseCounts>; counted: boolean }> {
    const [{ cells }, { pending, counted }] = await Promise.all([
      counters.read(planId),
      counters.planState(planId),
    ]);
    return {
      counts: applyDeltas(
        countsMap(cells),
        pending.flatMap((p) => p.deltas),
      ),
      counted,
    };
  }
  const stored = async (planId: string) => (await storedWithState(planId)).counts;

  const same = (a: Map<string, UnitPhaseCounts>, b: Map<string, UnitPhaseCounts>) =>
    countDifferences(a, b).length === 0;

  /** Writes the sign-off keys of the plan's submitted duties that lack them, and marks the plan keyed. */
  async function rekeySignOff(planId: string, keyed: boolean, now: Date): Promise<number> {
    const { rekeyed } = await duties.rekeySignOff(planId);
    if (!keyed) await counters.markSignOffKeyed(planId, now.toISOString());
    return rekeyed;
  }

  async function recountPlan(principal: Principal, planId: string, now: Date): Promise<RecountResult> {
    const { pending, counted, signOffKeyed } = await counters.planState(planId);
    const pendingApplied = await settle(pending, planId);
    const signOffRekeyed = await rekeySignOff(planId, signOffKeyed, now);
    for (let attempt = 1; attempt <= RECOUNT_ATTEMPTS; attempt++) {
      // The counters are read before and after the duties: if anything moved them meanwhile, the
      // duties read may straddle that change, so the recount starts again.
      const before = await stored(planId);
      const { counts: recounted, dutiesRead } = await countDuties(duties, planId, '');
      const after = await stored(planId);
      if (!same(before, after)) continue;
      const corrections = countDifferences(after, recounted);
      if (corrections.length > 0) {
        await counters.add(
          planId,
          corrections,
          auditEvent(
            principal,
            'plan.recount',
            { type: 'plan', id: planId, planId },
            {
              before: null,
              after: {
                dutiesRead,
                cellsCorrected: corrections.length,
                corrections: corrections.slice(0, AUDITED_CORRECTIONS),
              },
            },
            now,
          ),
        );
      }
      if (!counted) await counters.markCounted(planId, now.toISOString());
      return {
        planId,
        asOf: now.toISOString(),
        dutiesRead,
        cellsRead: after.size,
        pendingApplied,
        corrections,
        signOffRekeyed,
      };
    }
    throw new ConflictError('counters_busy', '统计数字在重新核算期间不断变化,请稍后重试');
  }

  return {
    async unfinished(planId, phaseKey) {
      const { counts, counted } = await storedWithState(planId);
      if (!counted) return null;
      let n = 0;
      for (const cell of counts.values()) {
        if (cell.phaseKey === phaseKey) n += cell.fields.open + cell.fields.submitted;
      }
      return n;
    },

    async upkeep(principal, planId, now) {
      const { pending, counted, signOffKeyed } = await counters.planState(planId);
      if (!counted) {
        const result = await recountPlan(principal, planId, now);
        return { applied: result.pendingApplied, recounted: true, signOffRekeyed: result.signOffRekeyed };
      }
      const applied = await settle(pending, planId);
      // Once per plan stored before the sign-off index: one Query of its submitted duties.
      const signOffRekeyed = signOffKeyed ? 0 : await rekeySignOff(planId, false, now);
      return { applied, recounted: false, signOffRekeyed };
    },

    async recount(principal, planId, now) {
      authorize(principal, 'counters.recount');
      if ((await plans.get(planId)) === undefined) throw new NotFoundError('工作方案', planId);
      return recountPlan(principal, planId, now);
    },
  };
}
