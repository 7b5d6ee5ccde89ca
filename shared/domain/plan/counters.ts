/**
 * A plan's counters: one item per (unit, phase) holding how many of that unit's duties in that
 * phase are in each status, of each kind, how many were returned and how many were accepted on
 * time. The plan view and the overview read these (units × phases items) instead of every duty.
 *
 * Every change of a duty's status carries its counter delta in its own transaction; a creation
 * (up to 97 duties, which fill a transaction) parks its deltas on the plan item and applies them
 * right after (see shared/db/counter-repository.ts). Counters are sums, so deltas commute: the
 * order in which they land does not matter, only that each lands exactly once.
 *
 * Pure: no I/O. What depends on the clock (overdue) is not counted: it comes from the open duties
 * already past due (pattern D4).
 */
import { DUTY_KINDS, type DutyRecord } from '../../schemas/duties.js';
import { DUTY_STATUSES, type DutyStatus } from '../duty/duty-status.js';
import { type Receipt, signedLate } from '../duty/receipt.js';

type CountedKind = (typeof DUTY_KINDS)[number];

/** The counter attributes a delta may move (all numbers; ADD on a missing one starts from 0). */
export type CounterField =
  | DutyStatus
  | 'returns'
  | 'acceptedOnTime'
  | 'acceptedLate'
  | ReceiptField
  | `kind#${CountedKind}#${DutyStatus}`;

/**
 * 签收: duties waiting for their unit to sign, duties signed (of them, after the deadline), and the
 * working minutes all signed duties took (÷ signed = the unit's average signing time). Each duty
 * counts by its current round of 签收: a returned duty waits again and its earlier signing leaves.
 */
export const RECEIPT_FIELDS = [
  'receiptPending',
  'receiptSigned',
  'receiptSignedLate',
  'receiptMinutes',
] as const;
export type ReceiptField = (typeof RECEIPT_FIELDS)[number];

export const kindField = (kind: CountedKind, status: DutyStatus): CounterField => `kind#${kind}#${status}`;

/** Every counter field, in a fixed order (the recount compares all of them). */
export const COUNTER_FIELDS: readonly CounterField[] = [
  ...DUTY_STATUSES,
  'returns',
  'acceptedOnTime',
  'acceptedLate',
  ...RECEIPT_FIELDS,
  ...DUTY_KINDS.flatMap((k) => DUTY_STATUSES.map((s) => kindField(k, s))),
];

/** What one change does to one (unit, phase) counter item. */
export interface CounterDelta {
  unitId: string;
  phaseKey: string;
  add: Partial<Record<CounterField, number>>;
  /** The latest due time of a self-check duty there: what the self-check listing shows. */
  selfCheckDueAt?: string;
  /** The unit's name, written by a creation that knows it (names never change), so readers need no lookup. */
  unitName?: string;
}

/** The figures of one (unit, phase), as read back. */
export interface UnitPhaseCounts {
  unitId: string;
  phaseKey: string;
  fields: Record<CounterField, number>;
  selfCheckDueAt: string | null;
  unitName: string | null;
}

/** The fields of a duty the counters follow. */
export type CountedDuty = Pick<
  DutyRecord,
  'unitId' | 'phaseKey' | 'status' | 'kind' | 'returns' | 'dueAt' | 'acceptedAt'
> & {
  submission: { submittedAt: string } | null;
  /** Absent on duties stored before 签收 existed: those need none. */
  receipt?: Receipt | null | undefined;
};

/** What a duty's 签收 contributes to its cell. */
function receiptPart(r: Receipt | null | undefined): Partial<Record<ReceiptField, number>> {
  if (r === null || r === undefined) return {};
  if (r.at === null) return { receiptPending: 1 };
  return {
    receiptSigned: 1,
    ...(signedLate(r) ? { receiptSignedLate: 1 } : {}),
    ...(r.workingMinutes ? { receiptMinutes: r.workingMinutes } : {}),
  };
}

/** Accepted on time: the accepted round was submitted no later than its due time (as the report rules say). */
export function acceptedOnTime(d: Pick<CountedDuty, 'dueAt' | 'submission' | 'acceptedAt'>): boolean {
  const submittedAt = d.submission?.submittedAt ?? d.acceptedAt;
  return submittedAt !== null && submittedAt <= d.dueAt;
}

const emptyFields = (): Record<CounterField, number> =>
  Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0])) as Record<CounterField, number>;

export const emptyCounts = (unitId: string, phaseKey: string): UnitPhaseCounts => ({
  unitId,
  phaseKey,
  fields: emptyFields(),
  selfCheckDueAt: null,
  unitName: null,
});

/** What a duty, as it stands, contributes: the recount sums these; a creation adds one. */
export function contributionOf(d: CountedDuty): CounterDelta {
  const add: Partial<Record<CounterField, number>> = { [d.status]: 1, [kindField(d.kind, d.status)]: 1 };
  if (d.returns > 0) add.returns = d.returns;
  if (d.status === 'accepted') add[acceptedOnTime(d) ? 'acceptedOnTime' : 'acceptedLate'] = 1;
  Object.assign(add, receiptPart(d.receipt));
  return {
    unitId: d.unitId,
    phaseKey: d.phaseKey,
    add,
    ...(d.kind === 'self-check' ? { selfCheckDueAt: d.dueAt } : {}),
  };
}

/**
 * What moving a duty from `from` to `next` changes, or null when no counter moves (a confirmation,
 * an approved extension of a duty that is not a self-check). Status, kind and returns move by the
 * difference; an acceptance counts on time or late; a self-check's due time follows the duty.
 */
export function changeDelta(from: CountedDuty, next: CountedDuty): CounterDelta | null {
  const add: Partial<Record<CounterField, number>> = {};
  const bump = (f: CounterField, by: number) => {
    add[f] = (add[f] ?? 0) + by;
  };
  if (from.status !== next.status) {
    bump(from.status, -1);
    bump(next.status, 1);
    bump(kindField(from.kind, from.status), -1);
    bump(kindField(next.kind, next.status), 1);
    if (from.status === 'accepted') bump(acceptedOnTime(from) ? 'acceptedOnTime' : 'acceptedLate', -1);
    if (next.status === 'accepted') bump(acceptedOnTime(next) ? 'acceptedOnTime' : 'acceptedLate', 1);
  }
  if (next.returns !== from.returns) bump('returns', next.returns - from.returns);
  for (const [f, n] of Object.entries(receiptPart(from.receipt)) as [ReceiptField, number][]) bump(f, -n);
  for (const [f, n] of Object.entries(receiptPart(next.receipt)) as [ReceiptField, number][]) bump(f, n);
  for (const f of Object.keys(add) as CounterField[]) if (add[f] === 0) delete add[f];
  const dueMoved = next.kind === 'self-check' && next.dueAt !== from.dueAt;
  if (Object.keys(add).length === 0 && !dueMoved) return null;
  return {
    unitId: next.unitId,
    phaseKey: next.phaseKey,
    add,
    ...(next.kind === 'self-check' ? { selfCheckDueAt: next.dueAt } : {}),
  };
}

/** The key of a (unit, phase) cell in the maps these functions keep. */
export const cellKey = (unitId: string, phaseKey: string) => `${unitId}\u0000${phaseKey}`;

/** What a delta says besides its numbers: the later self-check due time, and the unit's name. */
function keepLatest(
  cell: { selfCheckDueAt?: string | null; unitName?: string | null },
  d: CounterDelta,
): void {
  if (d.selfCheckDueAt !== undefined && (cell.selfCheckDueAt ?? '') < d.selfCheckDueAt) {
    cell.selfCheckDueAt = d.selfCheckDueAt;
  }
  if (d.unitName !== undefined) cell.unitName = d.unitName;
}

/** Folds deltas into one per (unit, phase): what a transaction writes, one item per cell. */
export function mergeDeltas(deltas: Iterable<CounterDelta>): CounterDelta[] {
  const cells = new Map<string, CounterDelta>();
  for (const d of deltas) {
    const key = cellKey(d.unitId, d.phaseKey);
    const cell = cells.get(key) ?? { unitId: d.unitId, phaseKey: d.phaseKey, add: {} };
    for (const [f, n] of Object.entries(d.add) as [CounterField, number][]) {
      cell.add[f] = (cell.add[f] ?? 0) + n;
    }
    keepLatest(cell, d);
    cells.set(key, cell);
  }
  return [...cells.values()];
}

/**
 * Adds deltas onto counts (in place, creating cells as needed): pending deltas onto what was read,
 * or every duty's contribution onto nothing for a recount.
 */
export function applyDeltas(
  counts: Map<string, UnitPhaseCounts>,
  deltas: Iterable<CounterDelta>,
): Map<string, UnitPhaseCounts> {
  for (const d of deltas) {
    const key = cellKey(d.unitId, d.phaseKey);
    const cell = counts.get(key) ?? emptyCounts(d.unitId, d.phaseKey);
    for (const [f, n] of Object.entries(d.add) as [CounterField, number][]) cell.fields[f] += n;
    keepLatest(cell, d);
    counts.set(key, cell);
  }
  return counts;
}

/** Counts keyed by (unit, phase), for comparing and applying. */
export const countsMap = (cells: Iterable<UnitPhaseCounts>) =>
  new Map([...cells].map((c) => [cellKey(c.unitId, c.phaseKey), c]));

/** The cells whose numbers differ between two countings (a cell missing on one side counts as zeros). */
export function countDifferences(
  stored: ReadonlyMap<string, UnitPhaseCounts>,
  recounted: ReadonlyMap<string, UnitPhaseCounts>,
): { unitId: string; phaseKey: string; add: Partial<Record<CounterField, number>> }[] {
  const out: { unitId: string; phaseKey: string; add: Partial<Record<CounterField, number>> }[] = [];
  for (const key of new Set([...stored.keys(), ...recounted.keys()])) {
    const s = stored.get(key);
    const r = recounted.get(key);
    const cell = (r ?? s) as UnitPhaseCounts;
    const add: Partial<Record<CounterField, number>> = {};
    for (const f of COUNTER_FIELDS) {
      const diff = (r?.fields[f] ?? 0) - (s?.fields[f] ?? 0);
      if (diff !== 0) add[f] = diff;
    }
    if (Object.keys(add).length > 0) out.push({ unitId: cell.unitId, phaseKey: cell.phaseKey, add });
  }
  return out;
}

/** One unit's 签收 figures (or the plan's): who has not signed, and how fast it signs. */
export interface ReceiptFigures {
  unsigned: number;
  signed: number;
  signedLate: number;
  /** Working minutes a signature took on average, rounded; null before any signature. */
  averageWorkingMinutes: number | null;
}

/** The plan's 签收 figures, in all and per unit, from its counter cells. */
export type ReceiptCell = { unitId: string; fields: Pick<UnitPhaseCounts['fields'], ReceiptField> };

/** The receipt fields one duty's current 签收 adds to its unit's counters (none without one). */
export const receiptCounts = (r: Receipt | null | undefined): ReceiptCell['fields'] => ({
  receiptPending: 0,
  receiptSigned: 0,
  receiptSignedLate: 0,
  receiptMinutes: 0,
  ...receiptPart(r),
});

export function receiptFigures(cells: Iterable<ReceiptCell>): {
  all: ReceiptFigures;
  byUnit: Record<string, ReceiptFigures>;
} {
  const sums = new Map<string, { unsigned: number; signed: number; signedLate: number; minutes: number }>();
  const add = (key: string, c: ReceiptCell) => {
    const s = sums.get(key) ?? { unsigned: 0, signed: 0, signedLate: 0, minutes: 0 };
    s.unsigned += c.fields.receiptPending;
    s.signed += c.fields.receiptSigned;
    s.signedLate += c.fields.receiptSignedLate;
    s.minutes += c.fields.receiptMinutes;
    sums.set(key, s);
  };
  for (const c of cells) {
    if (c.fields.receiptPending === 0 && c.fields.receiptSigned === 0) continue;
    add(`unit:${c.unitId}`, c);
    add('all', c);
  }
  const figures = (key: string): ReceiptFigures => {
    const s = sums.get(key) ?? { unsigned: 0, signed: 0, signedLate: 0, minutes: 0 };
    return {
      unsigned: s.unsigned,
      signed: s.signed,
      signedLate: s.signedLate,
      averageWorkingMinutes: s.signed === 0 ? null : Math.round(s.minutes / s.signed),
    };
  };
  const byUnit: Record<string, ReceiptFigures> = {};
  for (const key of sums.keys()) if (key.startsWith('unit:')) byUnit[key.slice(5)] = figures(key);
  return { all: figures('all'), byUnit };
}
