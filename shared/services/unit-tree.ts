import type { UnitRepository } from '../db/unit-repository.js';

/** Unit trees are shallow (county → township → village); a cycle or a deeper chain is cut here. */
const MAX_DEPTH = 8;

/**
 * The ids of `unitId`'s parent, grandparent … up to the root (or `levels` of them), nearest first:
 * one GetItem per level, none past the last one asked for.
 */
export async function ancestorsOf(
  units: UnitRepository,
  unitId: string,
  levels: number = MAX_DEPTH,
): Promise<string[]> {
  const chain: string[] = [];
  const most = Math.min(levels, MAX_DEPTH);
  if (most <= 0) return chain;
  let current = (await units.get(unitId))?.parentId ?? null;
  while (current !== null && !chain.includes(current)) {
    chain.push(current);
    if (chain.length >= most) break;
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

/**
 * `ownerContext` for many owners at once: the tree is walked a level at a time with one BatchGet
 * per level (a handful for a county's three or four levels), not one GetItem per unit and parent.
 * Answers a lookup by owner for the owners given. With `upToPrincipal`, the walk stops at the
 * principal's unit: the chains then end there, which is all the policy asks of them (is the
 * principal above the owner?), for owners known to sit a few levels below it.
 */
export async function ownerContexts(
  units: UnitRepository,
  principal: { role: string; unitId?: string | undefined },
  ownerUnitIds: readonly string[],
  options: { upToPrincipal?: boolean } = {},
): Promise<(ownerUnitId: string) => { ownerUnitId: string; ownerAncestors: string[] }> {
  const walked = principal.role === 'unit' ? ownerUnitIds.filter((id) => id !== principal.unitId) : [];
  const parents = new Map<string, string | null>();
  // Taken as a root: never read, and every chain through it ends with it.
  if (options.upToPrincipal === true && principal.unitId !== undefined) parents.set(principal.unitId, null);
  let level = [...new Set(walked)];
  // Levels 0 … MAX_DEPTH: the owners, then as many ancestors as ancestorsOf would read.
  for (let depth = 0; level.length > 0 && depth <= MAX_DEPTH; depth++) {
    const found = await units.getMany(level);
    for (const id of level) parents.set(id, found.get(id)?.parentId ?? null);
    const next = level.map((id) => parents.get(id)).filter((p): p is string => typeof p === 'string');
    level = [...new Set(next)].filter((id) => !parents.has(id));
  }
  return (ownerUnitId) => {
    if (principal.role !== 'unit' || principal.unitId === ownerUnitId) {
      return { ownerUnitId, ownerAncestors: [] };
    }
    const chain: string[] = [];
    let current = parents.get(ownerUnitId) ?? null;
    while (current !== null && chain.length < MAX_DEPTH && !chain.includes(current)) {
      chain.push(current);
      current = parents.get(current) ?? null;
    }
    return { ownerUnitId, ownerAncestors: chain };
  };
}
