/**
 * Key builders for the single table. Every access pattern the product uses is listed here; a new
 * query starts by adding its row.
 *
 * | #  | access pattern                                   | operation / index                                              |
 * |----|--------------------------------------------------|----------------------------------------------------------------|
 * | U1 | a unit by id                                     | GetItem  pk=UNIT#<unitId>            sk=UNIT                   |
 * | U2 | the unit directory, by id                        | Query byParent gsi2pk=UNITS          gsi2sk=<unitId>           |
 * | P1 | a plan by id                                     | GetItem  pk=PLAN#<planId>            sk=PLAN                   |
 * | P2 | all plans, newest first                          | Query byParent gsi2pk=PLANS          gsi2sk=<createdAt>#<id>   |
 * | T1 | a plan's tasks, in creation order                | Query    pk=PLAN#<planId>            sk begins_with TASK#      |
 * | D1 | a duty by id                                     | GetItem  pk=DUTY#<dutyId>            sk=DUTY                   |
 * | D2 | a unit's duties across plans (optionally one     | Query byUnit gsi1pk=UNIT#<unitId>                              |
 * |    | plan, optionally one status)                     |   gsi1sk begins_with PLAN#<planId>#STATUS#<status>#            |
 * | D3 | a plan's duties (optionally one status)          | Query byParent gsi2pk=PLAN#<planId>#DUTIES                     |
 * |    |                                                  |   gsi2sk begins_with STATUS#<status>#                          |
 * | D4 | open duties by due time (sweeps, overdue lists)  | Query openByDue gsi3pk=OPEN#<planId> gsi3sk <= <dueAt>         |
 * |    |   sparse: only duties with status open carry gsi3*; submitting removes them                    |
 *
 * Sort keys embed ISO-8601 UTC instants ("2026-05-13T15:59:59.999Z"), which sort as strings.
 * Ids never contain '#', so prefixes cannot collide.
 */
import type { DutyStatus } from '../domain/duty/duty-status.js';

export const unitKey = (unitId: string) => ({ pk: `UNIT#${unitId}`, sk: 'UNIT' });
export const UNIT_DIRECTORY_PK = 'UNITS';
export const unitDirectoryKeys = (unitId: string) => ({ gsi2pk: UNIT_DIRECTORY_PK, gsi2sk: unitId });

export const planKey = (planId: string) => ({ pk: `PLAN#${planId}`, sk: 'PLAN' });
export const PLAN_DIRECTORY_PK = 'PLANS';
export const planDirectoryKeys = (planId: string, createdAt: string) => ({
  gsi2pk: PLAN_DIRECTORY_PK,
  gsi2sk: `${createdAt}#${planId}`,
});

export const TASK_SK_PREFIX = 'TASK#';
export const taskKey = (planId: string, taskId: string) => ({
  pk: `PLAN#${planId}`,
  sk: `${TASK_SK_PREFIX}${taskId}`,
});

export const dutyKey = (dutyId: string) => ({ pk: `DUTY#${dutyId}`, sk: 'DUTY' });

export interface DutyIndexInput {
  id: string;
  planId: string;
  unitId: string;
  status: DutyStatus;
  dueAt: string;
}

export const unitDutiesPk = (unitId: string) => `UNIT#${unitId}`;
export const unitDutiesSkPrefix = (planId?: string, status?: DutyStatus) =>
  planId === undefined
    ? 'PLAN#'
    : status === undefined
      ? `PLAN#${planId}#`
      : `PLAN#${planId}#STATUS#${status}#`;

export const planDutiesPk = (planId: string) => `PLAN#${planId}#DUTIES`;
export const planDutiesSkPrefix = (status?: DutyStatus) =>
  status === undefined ? 'STATUS#' : `STATUS#${status}#`;

export const openDutiesPk = (planId: string) => `OPEN#${planId}`;

/**
 * The index attributes of a duty for its current status and due time. Written on every change of
 * either, so the indexes never disagree with the item. `gsi3*` is present only while the duty is open.
 */
export function dutyIndexKeys(d: DutyIndexInput) {
  const byUnit = {
    gsi1pk: unitDutiesPk(d.unitId),
    gsi1sk: `PLAN#${d.planId}#STATUS#${d.status}#${d.dueAt}#${d.id}`,
  };
  const byPlan = { gsi2pk: planDutiesPk(d.planId), gsi2sk: `STATUS#${d.status}#${d.dueAt}#${d.id}` };
  if (d.status !== 'open') return { ...byUnit, ...byPlan };
  return { ...byUnit, ...byPlan, gsi3pk: openDutiesPk(d.planId), gsi3sk: `${d.dueAt}#${d.id}` };
}
