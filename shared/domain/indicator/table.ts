/**
 * The indicator table (指标监测表) of one period: every unit that reports an indicator, or sits above
 * one that does, with each indicator's figure rolled up the unit tree (village → township → county)
 * by summing numerators and denominators, its status against the target, its 三一致 state, and
 * the unit's light. Pure: the service reads the items, this arranges them.
 */
import { type Consistency, compareSources, FIGURE_SOURCES, type FigureSource } from './consistency.js';
import {
  displayValue,
  type Figure,
  type IndicatorDefinition,
  type IndicatorStatus,
  rollUp,
  statusOf,
} from './indicator.js';

export interface TableIndicator extends IndicatorDefinition {
  reportingUnitIds: readonly string[];
  /** 三一致 tolerance (a decimal, in people/yuan); absent: sources must agree exactly. */
  tolerance?: string | undefined;
}

export interface SourcedUnitFigure {
  key: string;
  unitId: string;
  source: FigureSource;
  figure: Figure;
}

export interface TableUnit {
  id: string;
  name: string;
  parentId: string | null;
}

export type Light = 'red' | 'yellow' | 'green' | 'none';
export type ConsistencyState = Consistency['state'] | 'none';

export interface TableCell {
  /** The figure the status is judged on: the unit's own (报表 first), or the sum of the units below. */
  figure: Figure | null;
  /** Whether `figure` is the unit's own report or the sum of those below it. */
  basis: 'reported' | 'rolled-up' | 'missing';
  value: string | null;
  status: IndicatorStatus | null;
  /** 三一致 of the unit's own sources for this figure ('none': it reported nothing itself). */
  consistency: ConsistencyState;
  sources: FigureSource[];
}

export interface TableRow {
  unitId: string;
  unitName: string;
  depth: number;
  cells: Record<string, TableCell>;
  light: Light;
  /** 一票否决: a veto indicator breached. */
  vetoed: boolean;
  vetoReasons: string[];
  consistency: ConsistencyState;
}

export interface IndicatorTable {
  rows: TableRow[];
  /** The whole county (every top unit summed), red when any veto is breached anywhere. */
  total: Omit<TableRow, 'unitId' | 'unitName' | 'depth'>;
}

/** Which source a unit's figure is judged on when it came from several: the report (报表) first. */
const SOURCE_ORDER = new Map<FigureSource, number>(FIGURE_SOURCES.map((s, i) => [s, i]));

function lightOf(cells: readonly TableCell[]): Light {
  const statuses = cells.map((c) => c.status).filter((s) => s !== null);
  if (statuses.includes('breached')) return 'red';
  if (statuses.includes('warning')) return 'yellow';
  return statuses.length > 0 ? 'green' : 'none';
}

function consistencyOf(cells: readonly TableCell[]): ConsistencyState {
  const states = cells.map((c) => c.consistency);
  if (states.includes('mismatch')) return 'mismatch';
  if (states.includes('agree')) return 'agree';
  return states.includes('single') ? 'single' : 'none';
}

function vetoesOf(indicators: readonly TableIndicator[], cells: Record<string, TableCell>): string[] {
  return indicators.filter((i) => i.veto && cells[i.key]?.status === 'breached').map((i) => i.name);
}

/** The table for one period's figures. */
export function buildIndicatorTable(
  indicators: readonly TableIndicator[],
  figures: readonly SourcedUnitFigure[],
  units: readonly TableUnit[],
): IndicatorTable {
  const byId = new Map(units.map((u) => [u.id, u]));
  const own = new Map<string, SourcedUnitFigure[]>();
  for (const f of figures) {
    const k = `${f.key}\u0000${f.unitId}`;
    own.set(k, [...(own.get(k) ?? []), f]);
  }
  // The units shown: those that report (or reported), and every unit above them.
  const shown = new Set<string>();
  const mark = (id: string) => {
    for (let at: string | null | undefined = id; at != null && !shown.has(at); at = byId.get(at)?.parentId) {
      shown.add(at);
    }
  };
  for (const i of indicators) for (const id of i.reportingUnitIds) mark(id);
  for (const f of figures) mark(f.unitId);
  const children = new Map<string | null, string[]>();
  const roots: string[] = [];
  for (const id of shown) {
    const parent = byId.get(id)?.parentId ?? null;
    if (parent === null || !shown.has(parent)) roots.push(id);
    else children.set(parent, [...(children.get(parent) ?? []), id]);
  }
  const byName = (a: string, b: string) =>
    (byId.get(a)?.name ?? a).localeCompare(byId.get(b)?.name ?? b, 'zh-Hans-CN') || a.localeCompare(b);

  const cellMemo = new Map<string, TableCell>();
  const judged = (def: TableIndicator, figure: Figure | null) => ({
    value: figure === null ? null : (displayValue(def, figure) ?? null),
    status: figure === null ? null : (statusOf(def, figure) ?? null),
  });
  function cell(def: TableIndicator, unitId: string): TableCell {
    const memoKey = `${def.key}\u0000${unitId}`;
    const memo = cellMemo.get(memoKey);
    if (memo !== undefined) return memo;
    const sourced = [...(own.get(memoKey) ?? [])].sort(
      (a, b) => (SOURCE_ORDER.get(a.source) ?? 0) - (SOURCE_ORDER.get(b.source) ?? 0),
    );
    let result: TableCell;
    const [first] = sourced;
    if (first !== undefined) {
      const consistency = compareSources(
        sourced.map((s) => ({ source: s.source, figure: s.figure })),
        def.tolerance,
      ).state;
      result = {
        figure: first.figure,
        basis: 'reported',
        ...judged(def, first.figure),
        consistency,
        sources: sourced.map((s) => s.source),
      };
    } else {
      const below = (children.get(unitId) ?? [])
        .map((c) => cell(def, c).figure)
        .filter((f): f is Figure => f !== null);
      const figure = below.length === 0 ? null : rollUp(below);
      result = {
        figure,
        basis: figure === null ? 'missing' : 'rolled-up',
        ...judged(def, figure),
        consistency: 'none',
        sources: [],
      };
    }
    cellMemo.set(memoKey, result);
    return result;
  }

  const rows: TableRow[] = [];
  const walk = (id: string, depth: number) => {
    const cells = Object.fromEntries(indicators.map((i) => [i.key, cell(i, id)]));
    const vetoReasons = vetoesOf(indicators, cells);
    const list = Object.values(cells);
    rows.push({
      unitId: id,
      unitName: byId.get(id)?.name ?? id,
      depth,
      cells,
      light: vetoReasons.length > 0 ? 'red' : lightOf(list),
      vetoed: vetoReasons.length > 0,
      vetoReasons,
      consistency: consistencyOf(list),
    });
    for (const c of [...(children.get(id) ?? [])].sort(byName)) walk(c, depth + 1);
  };
  for (const r of roots.sort(byName)) walk(r, 0);

  const totalCells = Object.fromEntries(
    indicators.map((def) => {
      const below = roots.map((r) => cell(def, r).figure).filter((f): f is Figure => f !== null);
      const figure = below.length === 0 ? null : rollUp(below);
      const c: TableCell = {
        figure,
        basis: figure === null ? 'missing' : 'rolled-up',
        ...judged(def, figure),
        consistency: 'none',
        sources: [],
      };
      return [def.key, c];
    }),
  );
  // 一票否决 at county level: the county's own sum, and any unit anywhere, breaching a veto item.
  const vetoReasons = [
    ...new Set([...vetoesOf(indicators, totalCells), ...rows.flatMap((r) => r.vetoReasons)]),
  ];
  const totalList = Object.values(totalCells);
  return {
    rows,
    total: {
      cells: totalCells,
      light: vetoReasons.length > 0 ? 'red' : lightOf(totalList),
      vetoed: vetoReasons.length > 0,
      vetoReasons,
      consistency: consistencyOf(rows.flatMap((r) => Object.values(r.cells))),
    },
  };
}

/** What identifies a stored figure and when that version was reported. */
interface VersionedFigure {
  key: string;
  unitId: string;
  source: string;
  version: number;
  reportedAt: string;
}

/**
 * The figures as they stood at `asOf`: each current figure reported by then, else the latest of
 * the versions it replaced that was (none: the figure was not there yet). `replaced` are the
 * versions corrections replaced (read only when some current figure is later than the cut-off).
 */
export function figuresAsOf<F extends VersionedFigure>(
  current: readonly F[],
  replaced: readonly F[],
  asOf: string,
): F[] {
  const id = (f: VersionedFigure) => `${f.key}\u0000${f.unitId}\u0000${f.source}`;
  const earlier = new Map<string, F>();
  for (const f of replaced) {
    if (f.reportedAt > asOf) continue;
    const found = earlier.get(id(f));
    if (found === undefined || found.version < f.version) earlier.set(id(f), f);
  }
  return current.flatMap((f) => {
    if (f.reportedAt <= asOf) return [f];
    const before = earlier.get(id(f));
    return before === undefined ? [] : [before];
  });
}
