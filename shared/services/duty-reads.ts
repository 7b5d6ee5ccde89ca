import type { Principal } from '../auth/principal.js';
import type { DutyRepository } from '../db/duty-repository.js';
import { signOffPk, signOffQueries } from '../db/keys.js';
import type { UnitRepository } from '../db/unit-repository.js';
import type { DutyStatus } from '../domain/duty/duty-status.js';
import { ForbiddenError } from '../errors.js';
import type { Duty, DutyRecord } from '../schemas/duties.js';
import { MAX_SIGN_OFF_LEVELS } from '../schemas/tasks.js';
import { authorize } from './access.js';
import { toDutyView } from './duty-view.js';
import { ancestorsOf, ownerContext, ownerContexts } from './unit-tree.js';

/**
 * The duty service's reads of many duties for the pages, kept apart from its state changes: by id
 * in batches, a unit's duties across every plan in one Query, and a unit's sign-off queue through
 * the sparse sign-off index (D6). None of them grows with the number of plans or of units below,
 * nor reads one duty at a time.
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

    async signOffQueue(principal: Principal, now: Date): Promise<{ waiting: Duty[]; passedOn: Duty[] }> {
      const me = principal.unitId;
      if (principal.role !== 'unit' || me === undefined) {
        throw new ForbiddenError('逐级确认只适用于单位用户;办公室请使用审核队列');
      }
      const all = async (pk: string, prefix?: string) => {
        const found: DutyRecord[] = [];
        for await (const page of duties.inSignOff(pk, prefix)) found.push(...page);
        return found;
      };
      // What waits for the caller is one partition; what it passed on waits in a partition named
      // after a unit above it (or the office's, by the chain's top), as far as a chain climbs.
      const [waiting, ancestors] = await Promise.all([
        all(signOffPk(me)),
        ancestorsOf(units, me, MAX_SIGN_OFF_LEVELS - 1),
      ]);
      const passedOn = (
        await Promise.all(signOffQueries(me, ancestors).passedOn.map((q) => all(q.pk, q.prefix)))
      ).flat();
      // The keys say the caller is in each chain; the policy says so again from the unit tree,
      // never trusting the shape of the data alone. The walk stops at the caller: these owners are
      // at most MAX_SIGN_OFF_LEVELS below it.
      const mine = [
        ...waiting.filter((d) => d.status === 'submitted' && d.awaitingConfirmationFrom === me),
        ...passedOn.filter(
          (d) =>
            d.status === 'submitted' &&
            d.awaitingConfirmationFrom !== me &&
            d.confirmations.some((x) => x.unitId === me),
        ),
      ];
      const contextOf = await ownerContexts(
        units,
        principal,
        mine.map((d) => d.unitId),
        { upToPrincipal: true },
      );
      for (const d of mine) authorize(principal, 'duty.read', contextOf(d.unitId));
      const views = mine.map((d) => toDutyView(d, now));
      return {
        waiting: views.filter((d) => d.awaitingConfirmationFrom === me),
        passedOn: views.filter((d) => d.awaitingConfirmationFrom !== me),
      };
    },
  };
}
