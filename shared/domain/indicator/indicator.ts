/**
 * Indicator targets (指标) as data, and how a reported figure is judged against its target: met
 * (达标), warning (预警) or breached (未达标). Figures are kept as numerator and denominator (or a
 * count or amount) and compared exactly — rational arithmetic on BigInt — so 98.5% of 1,000 pupils
 * is met by 985 and not by 984.999… whatever floating point would say. Pure: no I/O.
 */

/** How an indicator's figure is made. */
export type IndicatorMeasure =
  /** numerator ÷ denominator, shown in `scale` (percent, per mille): enrolment, dropout rates. */
  | 'ratio'
  /** a count of people, rooms, schools … */
  | 'count'
  /** an amount of money (yuan). */
  | 'amount';

export type IndicatorDirection = 'gte' | 'lte' | 'eq';

export interface IndicatorDefinition {
  key: string;
  name: string;
  measure: IndicatorMeasure;
  /** What a figure is shown in: `%`, `‰` for ratios; `人`, `元`, `间`, `所` … for counts and amounts. */
  unitOfMeasure: string;
  direction: IndicatorDirection;
  /** The target as written (a decimal string, in `unitOfMeasure`): "98.5", "0.2", "100". */
  target: string;
  /**
   * Warning band (a decimal string, in `unitOfMeasure`): a figure that meets the target by less than
   * this is a warning (for `gte`: target ≤ value < target + band). Absent: no warning state.
   */
  warningBand?: string;
  /**
   * A ratio whose numerator may exceed its denominator: a gross enrolment rate (毛入学率) counts
   * pupils of any age over the children of the age. Otherwise a share cannot exceed its whole.
   */
  mayExceedWhole?: boolean;
  /** 一票否决: a breach fails the unit (and, at county level, the plan) whatever else it scores. */
  veto: boolean;
}

export interface Figure {
  /** The count, the amount, or a ratio's numerator; a whole number or a decimal string for amounts. */
  numerator: string;
  /** A ratio's denominator; absent for counts and amounts. */
  denominator?: string;
}

export type IndicatorStatus = 'met' | 'warning' | 'breached';

/** A decimal written as a fraction of two BigInts (value = n / d, d > 0). */
interface Rational {
  n: bigint;
  d: bigint;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** True for the decimal strings figures and targets are written in ("98.5", "0", "1250"). */
export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

function rational(s: string): Rational {
  if (!DECIMAL.test(s)) throw new RangeError(`Not a decimal number: ${JSON.stringify(s)}`);
  const [whole = '0', fraction = ''] = s.replace('-', '').split('.');
  const d = 10n ** BigInt(fraction.length);
  const n = BigInt(whole) * d + BigInt(fraction === '' ? '0' : fraction);
  return { n: s.startsWith('-') ? -n : n, d };
}

const add = (a: Rational, b: Rational): Rational => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const sub = (a: Rational, b: Rational): Rational => ({ n: a.n * b.d - b.n * a.d, d: a.d * b.d });
/** Sign of a − b. */
const compare = (a: Rational, b: Rational): number => {
  const diff = a.n * b.d - b.n * a.d;
  return diff > 0n ? 1 : diff < 0n ? -1 : 0;
};

/** How many of `unitOfMeasure` make a whole ratio: 100 for %, 1000 for ‰. */
function scaleOf(unitOfMeasure: string): bigint {
  if (unitOfMeasure === '%') return 100n;
  if (unitOfMeasure === '‰') return 1000n;
  return 1n;
}

/** A figure's value in the indicator's unit of measure, exactly (undefined for a ratio of 0/0). */
function figureValue(def: IndicatorDefinition, figure: Figure): Rational | undefined {
  const numerator = rational(figure.numerator);
  if (def.measure !== 'ratio') return numerator;
  if (figure.denominator === undefined) return undefined;
  const denominator = rational(figure.denominator);
  if (denominator.n === 0n) return undefined;
  // (n₁/d₁) ÷ (n₂/d₂) × scale
  return { n: numerator.n * denominator.d * scaleOf(def.unitOfMeasure), d: numerator.d * denominator.n };
}

/** The checks a figure must pass before it is stored; each names the field it is about. */
export function figureProblems(
  def: IndicatorDefinition,
  figure: Figure,
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (!isDecimal(figure.numerator)) {
    problems.push({ field: 'numerator', message: `“${figure.numerator}” 不是数字` });
  } else if (figure.numerator.startsWith('-')) {
    problems.push({ field: 'numerator', message: '数值不能为负数' });
  } else if (def.measure !== 'amount' && figure.numerator.includes('.')) {
    problems.push({ field: 'numerator', message: '人数、个数应为整数' });
  }
  if (def.measure === 'ratio') {
    if (figure.denominator === undefined) {
      problems.push({ field: 'denominator', message: `“${def.name}”是比率指标,需要填写分母` });
    } else if (!isDecimal(figure.denominator) || figure.denominator.includes('.')) {
      problems.push({ field: 'denominator', message: '分母应为整数' });
    } else if (figure.denominator.startsWith('-') || /^0+$/.test(figure.denominator)) {
      problems.push({ field: 'denominator', message: '分母应大于 0' });
    } else if (
      problems.length === 0 &&
      def.mayExceedWhole !== true &&
      compare(rational(figure.numerator), rational(figure.denominator)) > 0
    ) {
      problems.push({
        field: 'numerator',
        message: `分子 ${figure.numerator} 大于分母 ${figure.denominator}`,
      });
    }
  } else if (figure.denominator !== undefined) {
    problems.push({ field: 'denominator', message: `“${def.name}”不是比率指标,不填分母` });
  }
  return problems;
}

/**
 * How a figure stands against its target. Exactly on the target meets it (≥ and ≤ are inclusive);
 * a ratio with a zero denominator has nothing to judge and is `undefined`.
 */
export function statusOf(def: IndicatorDefinition, figure: Figure): IndicatorStatus | undefined {
  const value = figureValue(def, figure);
  if (value === undefined) return undefined;
  const target = rational(def.target);
  const band = def.warningBand === undefined ? undefined : rational(def.warningBand);
  const c = compare(value, target);
  switch (def.direction) {
    case 'gte':
      if (c < 0) return 'breached';
      return band !== undefined && compare(value, add(target, band)) < 0 ? 'warning' : 'met';
    case 'lte':
      if (c > 0) return 'breached';
      return band !== undefined && compare(value, sub(target, band)) > 0 ? 'warning' : 'met';
    case 'eq':
      if (c === 0) return 'met';
      // For `=`, the band is the tolerance a figure may miss by and still only warn.
      return band !== undefined &&
        compare(value, sub(target, band)) >= 0 &&
        compare(value, add(target, band)) <= 0
        ? 'warning'
        : 'breached';
  }
}

/** A figure's value for display, rounded half up to `digits` decimals (default 2), as a string. */
export function displayValue(def: IndicatorDefinition, figure: Figure, digits = 2): string | undefined {
  const value = figureValue(def, figure);
  if (value === undefined) return undefined;
  const scale = 10n ** BigInt(digits);
  const negative = value.n < 0n !== value.d < 0n;
  const n = value.n < 0n ? -value.n : value.n;
  const d = value.d < 0n ? -value.d : value.d;
  const scaled = (n * scale * 2n + d) / (2n * d);
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(digits, '0');
  return `${negative && scaled !== 0n ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/**
 * A unit's figure rolled up from those below it (village → township → county): numerators and
 * denominators are summed, never the rates averaged — 9 of 10 and 90 of 100 are 99 of 110, not 90%.
 */
export function rollUp(figures: readonly Figure[]): Figure {
  let numerator: Rational = { n: 0n, d: 1n };
  let denominator: Rational | undefined;
  for (const f of figures) {
    numerator = add(numerator, rational(f.numerator));
    if (f.denominator !== undefined)
      denominator = add(denominator ?? { n: 0n, d: 1n }, rational(f.denominator));
  }
  const text = (r: Rational) => displayExact(r);
  return denominator === undefined
    ? { numerator: text(numerator) }
    : { numerator: text(numerator), denominator: text(denominator) };
}

/** A sum of decimals written back as a decimal string (its denominator is a power of ten). */
function displayExact(r: Rational): string {
  let digits = 0;
  for (let d = r.d; d > 1n; d /= 10n) digits++;
  const negative = r.n < 0n;
  const n = negative ? -r.n : r.n;
  const whole = n / r.d;
  const fraction = digits === 0 ? '' : `.${(n % r.d).toString().padStart(digits, '0').replace(/0+$/, '')}`;
  return `${negative ? '-' : ''}${whole}${fraction === '.' ? '' : fraction}`;
}

/** How an office writes the direction and target: `≥ 98.5%`, `≤ 0.2%`, `= 100%`. */
export function targetWords(def: IndicatorDefinition): string {
  const sign = def.direction === 'gte' ? '≥' : def.direction === 'lte' ? '≤' : '=';
  return `${sign} ${def.target}${def.unitOfMeasure}`;
}
