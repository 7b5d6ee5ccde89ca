import type { UnitRepository } from '../db/unit-repository.js';

/** Unit trees are shallow (county → township → village); a cycle or a deeper chain is cut here. */
const MAX_DEPTH = 8;

/** The ids of `unitId`'s parent, grandparent … up to the root, nearest first. */
export async function ancestorsOf(units: UnitRepository, unitId: string): Promise<string[]> {
  const chain: string[] = [];
  let current = (await units.get(unitId))?.parentId ?? null;
  while (current !== null && chain.length < MAX_DEPTH && !chain.includes(current)) {
    chain.push(current);
    current = (await units.get(current))?.parentId ?? null;
  }
  return chain;
}

/**
 * The context the policy needs about data owned by `ownerUnitId`: for a unit principal that is
 * not the owner, whether it sits above the owner in the tree (a township over its villages).
 */
export async function ownerContext(
  units: UnitRepository,
  principal: { role: string; unitId?: string | undefined },
  ownerUnitId: string,
): Promise<{ ownerUnitId: string; ownerAncestors: string[] }> {
  const needsTree = principal.role === 'unit' && principal.unitId !== ownerUnitId;
  return { ownerUnitId, ownerAncestors: needsTree ? await ancestorsOf(units, ownerUnitId) : [] };
}
