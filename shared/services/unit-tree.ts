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

/**
 * What is wrong with a child's school and township (a case, a care file): the school must be
 * active and the township a township above it. Empty when both are right.
 */
export async function schoolTownshipProblems(
  units: UnitRepository,
  input: { schoolUnitId: string; townshipUnitId: string },
): Promise<{ field: string; message: string }[]> {
  const school = await units.get(input.schoolUnitId);
  if (school === undefined || !school.active) {
    return [{ field: 'schoolUnitId', message: '学校不存在或已停用' }];
  }
  const chain = (await ownerContext(units, { role: 'unit' }, school.id)).ownerAncestors;
  const township = await units.get(input.townshipUnitId);
  if (township === undefined || township.kind !== 'township' || !chain.includes(township.id)) {
    return [{ field: 'townshipUnitId', message: '乡镇不存在,或不是该学校所在的乡镇' }];
  }
  return [];
}

/** Which listing of children's records (cases, care files) a caller reads. */
export type ChildListingScope =
  | { by: 'school'; unitId: string }
  | { by: 'township'; unitId: string }
  | { by: 'county' };

/**
 * Which listing of children's records a caller reads: the office and leaders any (narrowed by the
 * filters); a township its own; any other unit its own school's. A filter outside the caller's
 * part is refused by `refuse` (a 403).
 */
export async function childListingScope(
  units: UnitRepository,
  principal: { role: string; unitId?: string | undefined },
  query: { township?: string | undefined; school?: string | undefined },
  refuse: (ownerUnitId: string) => void,
): Promise<{ scope: ChildListingScope; townshipFilter?: string | undefined }> {
  if (principal.role !== 'unit') {
    if (query.school !== undefined) {
      return { scope: { by: 'school', unitId: query.school }, townshipFilter: query.township };
    }
    if (query.township !== undefined) return { scope: { by: 'township', unitId: query.township } };
    return { scope: { by: 'county' } };
  }
  const own = principal.unitId ?? '';
  const unit = await units.get(own);
  if (unit?.kind === 'township') {
    if (query.township !== undefined && query.township !== own) refuse(query.township);
    if (query.school !== undefined) {
      return { scope: { by: 'school', unitId: query.school }, townshipFilter: own };
    }
    return { scope: { by: 'township', unitId: own } };
  }
  if (query.school !== undefined && query.school !== own) refuse(query.school);
  return { scope: { by: 'school', unitId: own }, townshipFilter: query.township };
}
