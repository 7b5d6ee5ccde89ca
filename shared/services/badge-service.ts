/**
 * The menu's counts at a glance (待审核 3, 延期待批 1, 未签收 2): read from the plan's counters and
 * the sparse index of pending extension requests, never by listing duties, so a page's frame costs
 * the same few reads however large the plan.
 */
import type { Principal } from '../auth/principal.js';
import type { CounterRepository } from '../db/counter-repository.js';
import type { ExtensionRepository } from '../db/extension-repository.js';
import { decide } from '../domain/access/policy.js';
import type { CounterField } from '../domain/plan/counters.js';

/** The counts the reader's menu shows; a count the reader has no menu item for is absent. */
export interface MenuCounts {
  /** 待审核: the plan's submitted duties waiting for the office's decision. */
  review?: number;
  /** 延期待批: the plan's extension requests waiting for a decision. */
  extensions?: number;
  /** 未签收: the reader's unit's duties in the plan not yet signed for (签收). */
  unsigned?: number;
}

export interface BadgeService {
  /** The menu counts of `planId` for the reader: K1 (whole plan or one unit) and E2 counted. */
  menuCounts(principal: Principal, planId: string): Promise<MenuCounts>;
}

const sum = (cells: readonly { fields: Record<CounterField, number> }[], field: CounterField) =>
  cells.reduce((n, cell) => n + (cell.fields[field] ?? 0), 0);

export function badgeService(deps: {
  counters: CounterRepository;
  extensions: Pick<ExtensionRepository, 'countPending'>;
}): BadgeService {
  const { counters, extensions } = deps;
  return {
    async menuCounts(principal, planId) {
      if (decide(principal, 'duty.read').allowed) {
        const [{ cells }, pending] = await Promise.all([
          counters.read(planId),
          decide(principal, 'extension.decide').allowed ? extensions.countPending(planId) : undefined,
        ]);
        return {
          review: sum(cells, 'submitted'),
          ...(pending === undefined ? {} : { extensions: pending }),
        };
      }
      const unitId = principal.unitId;
      if (unitId === undefined) return {};
      // A creation's deltas are parked on the plan item only until the transaction right after it
      // (or, after a crash, the next sweep) adds them: the badge may lag that long, never more.
      return { unsigned: sum(await counters.readUnit(planId, unitId), 'receiptPending') };
    },
  };
}
