import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Unit, UnitKind } from '../../shared/schemas/units.js';
import type { FieldErrors } from './forms.js';
import { UNIT_FILTER_JS } from './page-headers.js';
import { pinyinInitials } from './pinyin.js';

export const KIND_LABELS: Record<UnitKind, string> = {
  bureau: '局',
  section: '股室',
  township: '乡镇',
  village: '村',
  school: '学校',
  other: '其他',
};

const KIND_ORDER: UnitKind[] = ['bureau', 'other', 'section', 'township', 'village', 'school'];

/** Deeper than any county's tree (county → township → village); a longer chain is cut here. */
const MAX_DEPTH = 10;

/** Units in tree order (parents before children, siblings by kind then name), with their depth. */
export function unitTree(units: Unit[]): { unit: Unit; depth: number }[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, Unit[]>();
  for (const u of units) {
    const parent = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const order = (a: Unit, b: Unit) =>
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name, 'zh-CN');
  const out: { unit: Unit; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const u of (children.get(parent) ?? []).sort(order)) {
      out.push({ unit: u, depth });
      if (depth < MAX_DEPTH) walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/**
 * The unit picker of the office's forms: a filter box (by name or pinyin initials, with the script
 * `UnitFilterScript` at the end of the form) over the units in tree order, each row with the
 * controls `row` gives it and the unit's kind.
 */
export const UnitPicker: FC<{ units: Unit[]; placeholder: string; row: (unit: Unit) => Child }> = ({
  units,
  placeholder,
  row,
}) => (
  <>
    <p>
      <input type="search" id="uf" placeholder={placeholder} aria-label="筛选单位" />
    </p>
    <div class="tree">
      {unitTree(units).map(({ unit, depth }) => (
        <div
          data-f={`${unit.name} ${pinyinInitials(unit.name)} ${unit.id}`}
          style={`padding-left:${depth * 1.4}rem`}
        >
          {row(unit)}
          <small>{KIND_LABELS[unit.kind]}</small>
        </div>
      ))}
    </div>
  </>
);

/** What an office form on a plan that assigns units (任务录入, 督查整改) is drawn from. */
export interface PlanFormProps<F> {
  plan: Plan;
  /** The active units, for the picker. */
  units: Unit[];
  form: F;
  errors: FieldErrors | undefined;
  csrfToken: string;
}

/** The picker's filter script (the page's only script, allowed by its hash in the CSP). */
export const UnitFilterScript = raw(`<script>${UNIT_FILTER_JS}</script>`);
