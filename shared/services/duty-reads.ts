import type { Principal } from '../auth/principal.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import type { DutyStatus } from '../domain/duty/duty-status.js';
import { ForbiddenError } from '../errors.js';
import type { Duty, DutyRecord } from '../schemas/duties.js';
import { authorize } from './access.js';
import { toDutyView } from './duty-view.js';
import { ownerContext, ownerContexts } from './unit-tree.js';

/** Queries in flight at once when a sign-off queue reads the units below the caller. */
const UNITS_IN_FLIGHT = 8;

/**
 * The duty service's reads of many duties for the pages, kept apart from its state changes: by id
 * in batches, a unit's duties across every plan in one Query, and a unit's sign-off queue through
 * the units below it. None of them grows with the number of plans, nor reads one duty at a time.
 */
export function dutyReads(deps: { duties: DutyRepository; units: UnitRepository }) {
  const { duties, units } = deps;

  /** Every duty in `records` may be read by `principal` (one tree walk for all their owners), or a 403. */
  async function authorizeAll(principal: Principal, records: readonly DutyRecord[]): Promise<void> {
    const contextOf = await ownerContexts(
      units,
      principal,
      records.map((d) => d.unitId),
    );
    for (const d of records) authorize(principal, 'duty.read', contextOf(d.unitId));
  }

  return {
    async getMany(principal: Principal, ids: readonly string[], now: Date): Promise<Map<string, Duty>> {
      const found = ids.length === 0 ? new Map<string, DutyRecord>() : await duties.getMany(ids);
      await authorizeAll(principal, [...found.values()]);
      return new Map([...found].map(([id, d]) => [id, toDutyView(d, now)]));
    },

    async listForUnitAcrossPlans(
      principal: Principal,
      unitId: string,
      statuses: readonly DutyStatus[],
      max: number,
      now: Date,
    ): Promise<{ items: Duty[]; truncated: boolean }> {
      authorize(principal, 'duty.read', await ownerContext(units, principal, unitId));
      const items: Duty[] = [];
      for await (const page of duties.acrossPlans(unitId, statuses)) {
        items.push(...page.map((d) => toDutyView(d, now)));
        if (items.length > max) break;
      }
      return { items: items.slice(0, max), truncated: items.length > max };
    },

    async signOffQueue(
      principal: Principal,
      below: readonly string[],
      now: Date,
    ): Promise<{ waiting: Duty[]; passedOn: Duty[] }> {
      const me = principal.unitId;
      if (principal.role !== 'unit' || me === undefined) {
        throw new ForbiddenError('逐级确认只适用于单位用户;办公室请使用审核队列');
      }
      const inChain = (d: DutyRecord) =>
        d.awaitingConfirmationFrom === me || d.confirmations.some((x) => x.unitId === me);
      const mine: DutyRecord[] = [];
      const ids = [...new Set(below)];
      for (let i = 0; i < ids.length; i += UNITS_IN_FLIGHT) {
        const wave = await Promise.all(
          ids.slice(i, i + UNITS_IN_FLIGHT).map(async (unitId) => {
            const found: DutyRecord[] = [];
            for await (const page of duties.acrossPlans(unitId, ['submitted']))
              found.push(...page.filter(inChain));
            return found;
          }),
        );
        mine.push(...wave.flat());
      }
      // A chain is made of the owner's ancestors, so the caller may read these; the policy says so
      // again here, never trusting the shape of the data (nor the caller's list of units) alone.
      await authorizeAll(principal, mine);
      const views = mine.map((d) => toDutyView(d, now));
      return {
        waiting: views.filter((d) => d.awaitingConfirmationFrom === me),
        passedOn: views.filter((d) => d.awaitingConfirmationFrom !== me),
      };
    },
  };
}
