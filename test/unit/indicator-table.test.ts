import { describe, expect, it } from 'vitest';
import { periodDates, periodProblem, periodWords } from '../../shared/domain/indicator/period.js';
import { buildIndicatorTable, type TableIndicator } from '../../shared/domain/indicator/table.js';

const units = [
  { id: 'county', name: '县', parentId: null },
  { id: 'town', name: '城关镇', parentId: 'county' },
  { id: 'a', name: '甲村', parentId: 'town' },
  { id: 'b', name: '乙村', parentId: 'town' },
  { id: 'c', name: '丙村', parentId: 'county' },
];
const rate: TableIndicator = {
  key: 'rate',
  name: '入学率',
  measure: 'ratio',
  unitOfMeasure: '%',
  direction: 'gte',
  target: '98',
  warningBand: '1',
  veto: false,
  reportingUnitIds: ['a', 'b', 'c'],
};
const rooms: TableIndicator = {
  key: 'rooms',
  name: 'D级危房',
  measure: 'count',
  unitOfMeasure: '间',
  direction: 'lte',
  target: '0',
  veto: true,
  reportingUnitIds: ['a', 'b', 'c'],
};

describe('the indicator table', () => {
  it('sums numerators and denominators up the tree and judges each level', () => {
    const t = buildIndicatorTable(
      [rate],
      [
        { key: 'rate', unitId: 'a', source: 'report', figure: { numerator: '9', denominator: '10' } },
        { key: 'rate', unitId: 'b', source: 'report', figure: { numerator: '990', denominator: '1000' } },
        { key: 'rate', unitId: 'c', source: 'report', figure: { numerator: '100', denominator: '100' } },
      ],
      units,
    );
    expect(t.rows.map((r) => [r.unitId, r.depth])).toEqual([
      // Siblings in pinyin order: 丙村 (bing) before 城关镇 (cheng), 甲村 before 乙村.
      ['county', 0],
      ['c', 1],
      ['town', 1],
      ['a', 2],
      ['b', 2],
    ]);
    const town = t.rows.find((r) => r.unitId === 'town');
    expect(town?.cells.rate).toMatchObject({
      figure: { numerator: '999', denominator: '1010' },
      status: 'warning',
    });
    // 98.9%: met but within the 1-point band, a warning.
    expect(town?.cells.rate?.value).toBe('98.91');
    expect(t.rows.find((r) => r.unitId === 'a')?.light).toBe('red');
    expect(t.total.cells.rate).toMatchObject({ figure: { numerator: '1099', denominator: '1110' } });
  });

  it('turns the unit, its parents and the county red for a breached veto item', () => {
    const t = buildIndicatorTable(
      [rate, rooms],
      [
        { key: 'rate', unitId: 'c', source: 'report', figure: { numerator: '100', denominator: '100' } },
        { key: 'rooms', unitId: 'c', source: 'report', figure: { numerator: '1' } },
        { key: 'rooms', unitId: 'a', source: 'report', figure: { numerator: '0' } },
      ],
      units,
    );
    const c = t.rows.find((r) => r.unitId === 'c');
    expect(c).toMatchObject({ vetoed: true, light: 'red', vetoReasons: ['D级危房'] });
    expect(t.rows.find((r) => r.unitId === 'a')).toMatchObject({ vetoed: false, light: 'green' });
    expect(t.rows.find((r) => r.unitId === 'b')?.cells.rooms?.basis).toBe('missing');
    expect(t.total).toMatchObject({ vetoed: true, light: 'red' });
  });

  it('judges a unit on its report when other sources disagree, and says they disagree', () => {
    const t = buildIndicatorTable(
      [{ ...rate, tolerance: '1' }],
      [
        { key: 'rate', unitId: 'a', source: 'registry', figure: { numerator: '95', denominator: '100' } },
        { key: 'rate', unitId: 'a', source: 'report', figure: { numerator: '99', denominator: '100' } },
        { key: 'rate', unitId: 'b', source: 'report', figure: { numerator: '99', denominator: '100' } },
        { key: 'rate', unitId: 'b', source: 'archive', figure: { numerator: '100', denominator: '100' } },
      ],
      units,
    );
    const a = t.rows.find((r) => r.unitId === 'a');
    expect(a?.cells.rate).toMatchObject({ figure: { numerator: '99' }, consistency: 'mismatch' });
    expect(a?.cells.rate?.sources).toEqual(['report', 'registry']);
    expect(t.rows.find((r) => r.unitId === 'b')?.consistency).toBe('agree');
    expect(t.total.consistency).toBe('mismatch');
  });
});

describe('reporting periods', () => {
  it('reads months and semesters', () => {
    expect(periodDates('2026-02')).toEqual({ first: '2026-02-01', last: '2026-02-28' });
    expect(periodDates('2026-autumn')).toEqual({ first: '2026-08-01', last: '2027-01-31' });
    expect(periodWords('2026-spring')).toBe('2026年春季学期');
    expect(periodWords('2026-05')).toBe('2026年5月');
  });

  it('refuses a period of the wrong kind or outside the plan', () => {
    expect(periodProblem('2026-05', 'monthly', '2026-03-01', '2026-12-31')).toBeUndefined();
    expect(periodProblem('2026-02', 'monthly', '2026-03-01', '2026-12-31')).toContain('不在工作方案');
    expect(periodProblem('2026-13', 'monthly', '2026-03-01', undefined)).toContain('年-月');
    expect(periodProblem('2026-05', 'semester', '2026-03-01', undefined)).toContain('spring');
    expect(periodProblem('2026-spring', 'semester', '2026-03-01', undefined)).toBeUndefined();
    expect(periodProblem('2026-05', 'once', '2026-03-01', undefined)).toContain('once');
    expect(periodProblem('2099-05', 'monthly', '2026-03-01', undefined)).toBeUndefined();
  });
});
