/** A unit as the matcher sees it: its name and the other names the office keeps for it. */
export interface NamedUnit {
  id: string;
  name: string;
  aliases: readonly string[];
  active: boolean;
}

export type UnitMatch =
  | { ok: true; unitId: string; name: string }
  | { ok: false; text: string; message: string; closest: { id: string; name: string }[] };

/** How units are separated in one cell: 、,,;; and line breaks. */
export const UNIT_SEPARATORS = /[\u3001\uff0c,;\uff1b\n\r]+/;

/** Spaces out, full-width to half-width, and a trailing "(牵头)" / "(配合)" note dropped. */
export function normalizeUnitName(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/\((牵头|牵头单位|配合|责任单位|配合单位|主责)\)$/, '');
}

function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[y.length] ?? 0;
}

/** Characters shared, over the longer length: "县教体局" and "县教育体育局" share 县教体局. */
function similarity(a: string, b: string): number {
  const longest = Math.max([...a].length, [...b].length);
  if (longest === 0) return 0;
  const lcsish = 1 - levenshtein(a, b) / longest;
  const common = [...new Set(a)].filter((c) => b.includes(c)).length / new Set([...a, ...b]).size;
  return Math.max(lcsish, common);
}

/**
 * Matches the names in a 责任单位 cell against the unit directory. A name matches only exactly,
 * by the unit's name or one of its aliases (after normalising spaces and full-width forms); a
 * name that matches nothing, matches several units, or names an inactive unit is an error that
 * offers the closest units: never a guess.
 */
export function createUnitMatcher(units: readonly NamedUnit[]) {
  const byName = new Map<string, NamedUnit[]>();
  const add = (key: string, unit: NamedUnit) => {
    const k = normalizeUnitName(key);
    if (k === '') return;
    const list = byName.get(k) ?? [];
    if (!list.some((u) => u.id === unit.id)) list.push(unit);
    byName.set(k, list);
  };
  for (const u of units) {
    add(u.name, u);
    for (const a of u.aliases) add(a, u);
  }

  function closest(text: string, limit = 3): { id: string; name: string }[] {
    const scored = units
      .filter((u) => u.active)
      .map((u) => ({
        u,
        score: Math.max(
          similarity(text, normalizeUnitName(u.name)),
          ...u.aliases.map((a) => similarity(text, normalizeUnitName(a))),
        ),
      }))
      .filter((s) => s.score > 0.2)
      .sort((a, b) => b.score - a.score || a.u.name.localeCompare(b.u.name, 'zh'));
    return scored.slice(0, limit).map((s) => ({ id: s.u.id, name: s.u.name }));
  }

  function matchOne(raw: string): UnitMatch {
    const text = normalizeUnitName(raw);
    const found = byName.get(text) ?? [];
    const active = found.filter((u) => u.active);
    if (active.length === 1 && active[0] !== undefined)
      return { ok: true, unitId: active[0].id, name: active[0].name };
    if (active.length > 1) {
      return {
        ok: false,
        text: raw,
        message: `单位“${raw}”对应多个单位:${active.map((u) => u.name).join('、')},请写全称`,
        closest: active.map((u) => ({ id: u.id, name: u.name })),
      };
    }
    const offers = closest(text);
    const hint = offers.length === 0 ? '' : `;最接近的单位:${offers.map((o) => o.name).join('、')}`;
    if (found.length > 0)
      return { ok: false, text: raw, message: `单位“${raw}”已停用${hint}`, closest: offers };
    return { ok: false, text: raw, message: `单位目录中没有“${raw}”${hint}`, closest: offers };
  }

  return {
    matchOne,
    /** Each name in one cell, split on 、,,;; and line breaks; empty pieces dropped. */
    matchCell(cell: string): UnitMatch[] {
      return splitUnitCell(cell).map(matchOne);
    },
  };
}

/** The names in one 责任单位 cell. */
export function splitUnitCell(cell: string): string[] {
  return cell
    .split(UNIT_SEPARATORS)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
