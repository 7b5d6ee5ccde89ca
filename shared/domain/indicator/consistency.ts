/**
 * 三一致: the same figure for the same unit and period, as it arrives from several sources (the
 * report, the student-registry system, the student-aid system, the archive, the big-data platform),
 * must say the same. Compared exactly, or within a tolerance the indicator sets. Pure.
 */
import { type Figure, isDecimal } from './indicator.js';

export const FIGURE_SOURCES = ['report', 'registry', 'aid', 'archive', 'platform'] as const;
export type FigureSource = (typeof FIGURE_SOURCES)[number];

/** How the pages and findings name each source. */
export const FIGURE_SOURCE_LABELS: Record<FigureSource, string> = {
  report: '报表',
  registry: '学籍系统',
  aid: '资助系统',
  archive: '档案',
  platform: '大数据平台',
};

export interface SourcedFigure {
  source: FigureSource;
  figure: Figure;
}

export interface Mismatch {
  field: 'numerator' | 'denominator';
  /** The two sources that disagree most on this field, and what each said. */
  low: { source: FigureSource; value: string };
  high: { source: FigureSource; value: string };
}

export type Consistency =
  /** Fewer than two sources: nothing to compare yet. */
  | { state: 'single'; sources: FigureSource[] }
  | { state: 'agree'; sources: FigureSource[] }
  | { state: 'mismatch'; sources: FigureSource[]; mismatches: Mismatch[] };

/** Decimal strings compared without floating point: scaled to a common number of decimals. */
function scaled(values: readonly string[]): bigint[] {
  const digits = Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
  return values.map((v) => {
    const [whole = '0', fraction = ''] = v.replace('-', '').split('.');
    const n = BigInt(whole + fraction.padEnd(digits, '0'));
    return v.startsWith('-') ? -n : n;
  });
}

/**
 * Whether the sources agree. With a `tolerance` (a decimal string, the same units as the figures:
 * people, yuan), two values agree when they differ by at most that much; without one, exactly.
 * Every field present in any source is compared; one source leaving out a denominator that others
 * give is a mismatch too.
 */
export function compareSources(figures: readonly SourcedFigure[], tolerance?: string): Consistency {
  const sources = figures.map((f) => f.source);
  if (tolerance !== undefined && (!isDecimal(tolerance) || tolerance.startsWith('-'))) {
    throw new RangeError(`Tolerance must be a non-negative decimal, got ${JSON.stringify(tolerance)}`);
  }
  if (new Set(sources).size < 2) return { state: 'single', sources };
  const mismatches: Mismatch[] = [];
  for (const field of ['numerator', 'denominator'] as const) {
    const present = figures.filter((f) => f.figure[field] !== undefined);
    if (present.length === 0) continue;
    if (present.length < figures.length) {
      const missing = figures.find((f) => f.figure[field] === undefined) as SourcedFigure;
      const given = present[0] as SourcedFigure;
      mismatches.push({
        field,
        low: { source: missing.source, value: '' },
        high: { source: given.source, value: given.figure[field] as string },
      });
      continue;
    }
    const values = present.map((f) => f.figure[field] as string);
    const [tol = 0n, ...numbers] = scaled([tolerance ?? '0', ...values]);
    let lo = 0;
    let hi = 0;
    numbers.forEach((n, i) => {
      if (n < (numbers[lo] as bigint)) lo = i;
      if (n > (numbers[hi] as bigint)) hi = i;
    });
    if ((numbers[hi] as bigint) - (numbers[lo] as bigint) > tol) {
      const at = (i: number) => ({
        source: (present[i] as SourcedFigure).source,
        value: values[i] as string,
      });
      mismatches.push({ field, low: at(lo), high: at(hi) });
    }
  }
  return mismatches.length === 0 ? { state: 'agree', sources } : { state: 'mismatch', sources, mismatches };
}

/** A mismatch in words, for the finding it makes: `学籍系统 1,203 人,报表 1,198 人(分母)`. */
export function mismatchWords(m: Mismatch, unitOfMeasure = ''): string {
  const side = (s: { source: FigureSource; value: string }) =>
    `${FIGURE_SOURCE_LABELS[s.source]} ${s.value === '' ? '未填' : `${s.value}${unitOfMeasure}`}`;
  return `${side(m.high)},${side(m.low)}(${m.field === 'numerator' ? '分子' : '分母'})`;
}
