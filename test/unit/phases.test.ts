import { describe, expect, it } from 'vitest';
import {
  currentPhase,
  MAX_PHASES,
  type Phase,
  phaseState,
  shiftPhases,
  validatePhases,
} from '../../shared/domain/plan/phases.js';
import { startOfLocalDay } from '../../shared/domain/time/zoned-time.js';

const TZ = 'Asia/Shanghai';

// Seed 000 (教育扶贫迎国检工作方案), 工作步骤.
const SEED_000: Phase[] = [
  { key: 'mobilize', name: '部署发动阶段', start: '2023-05-09', end: '2023-05-13' },
  { key: 'self-check', name: '自查补短阶段', start: '2023-05-14', end: '2023-05-26' },
  { key: 'improve', name: '完善提升阶段', start: '2023-05-27', end: '2023-05-31' },
  { key: 'consolidate', name: '稳固待检阶段', start: '2023-06-01' },
];

/** An instant at a Shanghai wall time, written the way an office would say it. */
function at(date: string, time = '12:00:00'): Date {
  return new Date(`${date}T${time}+08:00`);
}

function phase(overrides: Partial<Phase> & Pick<Phase, 'key' | 'start'>): Phase {
  return { name: overrides.key, ...overrides };
}

describe('validatePhases', () => {
  it('accepts seed 000 as written', () => {
    expect(validatePhases(SEED_000)).toEqual([]);
  });

  it('accepts a single open-ended phase and ten phases', () => {
    expect(validatePhases([phase({ key: 'only', start: '2026-01-01' })])).toEqual([]);
    const ten = Array.from({ length: MAX_PHASES }, (_, i) =>
      phase({ key: `p${i}`, start: `2026-${String(i + 1).padStart(2, '0')}-01` }),
    ).map((p, i, all) => (i < all.length - 1 ? { ...p, end: p.start } : p));
    expect(validatePhases(ten)).toEqual([]);
  });

  it('accepts a window that overlaps the next one ("9至10月" then "10至12月")', () => {
    expect(
      validatePhases([
        phase({ key: 'a', start: '2026-09-01', end: '2026-10-31' }),
        phase({ key: 'b', start: '2026-10-01', end: '2026-12-31' }),
      ]),
    ).toEqual([]);
  });

  it('accepts phases that start on the same day and one-day phases', () => {
    expect(
      validatePhases([
        phase({ key: 'a', start: '2026-05-01', end: '2026-05-01' }),
        phase({ key: 'b', start: '2026-05-01', end: '2026-05-10' }),
      ]),
    ).toEqual([]);
  });

  it('accepts a gap between windows', () => {
    expect(
      validatePhases([
        phase({ key: 'a', start: '2026-05-01', end: '2026-05-10' }),
        phase({ key: 'b', start: '2026-06-01', end: '2026-06-10' }),
      ]),
    ).toEqual([]);
  });

  it('refuses an empty list', () => {
    expect(validatePhases([])).toEqual([{ field: 'phases', message: '至少需要一个工作阶段' }]);
  });

  it('refuses more than ten phases', () => {
    const eleven = Array.from({ length: MAX_PHASES + 1 }, (_, i) =>
      phase({ key: `p${i}`, start: '2026-05-01', end: '2026-05-31' }),
    );
    expect(validatePhases(eleven)).toEqual([
      { field: 'phases', message: '工作阶段最多 10 个，当前有 11 个' },
    ]);
  });

  it.each(['', 'Mobilize', 'self_check', '-first', '阶段一', 'a b', 'a'.repeat(41)])(
    'refuses the key %j',
    (key) => {
      const problems = validatePhases([phase({ key, name: '阶段', start: '2026-05-01' })]);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.field).toBe('phases.0.key');
      expect(problems[0]?.message).toContain('阶段标识');
    },
  );

  it.each(['a', '1', '2nd-round', 'self-check', 'a'.repeat(40), 'trailing-'])('accepts the key %j', (key) => {
    expect(validatePhases([phase({ key, start: '2026-05-01' })])).toEqual([]);
  });

  it('refuses a duplicate key on the later phase, naming the earlier one', () => {
    expect(
      validatePhases([
        phase({ key: 'a', start: '2026-05-01', end: '2026-05-02' }),
        phase({ key: 'b', start: '2026-05-03', end: '2026-05-04' }),
        phase({ key: 'a', start: '2026-05-05' }),
      ]),
    ).toEqual([{ field: 'phases.2.key', message: '阶段标识“a”与第 1 个阶段重复' }]);
  });

  it.each(['', '   ', '\t'])('refuses the blank name %j', (name) => {
    expect(validatePhases([{ key: 'a', name, start: '2026-05-01' }])).toEqual([
      { field: 'phases.0.name', message: '阶段名称不能为空' },
    ]);
  });

  it.each(['2026-02-30', '2026-5-1', '5月9日', ''])('refuses the start %j', (start) => {
    expect(validatePhases([phase({ key: 'a', start })])).toEqual([
      { field: 'phases.0.start', message: `开始日期“${start}”不是有效日期，应为 YYYY-MM-DD 格式` },
    ]);
  });

  it.each(['2026-06-31', '2026/06/30', ''])('refuses the end %j', (end) => {
    expect(validatePhases([phase({ key: 'a', start: '2026-05-01', end })])).toEqual([
      { field: 'phases.0.end', message: `结束日期“${end}”不是有效日期，应为 YYYY-MM-DD 格式` },
    ]);
  });

  it('refuses an end before the start', () => {
    expect(validatePhases([phase({ key: 'a', start: '2026-05-13', end: '2026-05-12' })])).toEqual([
      { field: 'phases.0.end', message: '结束日期 2026-05-12 早于开始日期 2026-05-13' },
    ]);
  });

  it('refuses phases out of order of start', () => {
    expect(
      validatePhases([
        phase({ key: 'a', start: '2026-05-14', end: '2026-05-26' }),
        phase({ key: 'b', start: '2026-05-09', end: '2026-05-13' }),
      ]),
    ).toEqual([
      {
        field: 'phases.1.start',
        message: '各阶段须按开始日期先后排列：本阶段开始日期 2026-05-09 早于上一阶段的 2026-05-14',
      },
    ]);
  });

  it('checks order against the last valid start when one start is invalid', () => {
    const problems = validatePhases([
      phase({ key: 'a', start: '2026-05-10', end: '2026-05-11' }),
      phase({ key: 'b', start: 'soon', end: '2026-05-12' }),
      phase({ key: 'c', start: '2026-05-09' }),
    ]);
    expect(problems.map((p) => p.field)).toEqual(['phases.1.start', 'phases.2.start']);
  });

  it('refuses an open end on any phase but the last', () => {
    expect(
      validatePhases([
        phase({ key: 'a', start: '2026-05-01' }),
        phase({ key: 'b', start: '2026-05-10' }),
        phase({ key: 'c', start: '2026-05-20' }),
      ]),
    ).toEqual([
      { field: 'phases.0.end', message: '只有最后一个阶段可以不设结束日期' },
      { field: 'phases.1.end', message: '只有最后一个阶段可以不设结束日期' },
    ]);
  });

  it('reports every problem at once, in field order', () => {
    const problems = validatePhases([
      { key: 'A', name: '', start: '2026-05-10' },
      { key: 'b', name: '第二阶段', start: '2026-05-01', end: '2026-04-30' },
    ]);
    expect(problems.map((p) => p.field)).toEqual([
      'phases.0.key',
      'phases.0.name',
      'phases.0.end',
      'phases.1.start',
      'phases.1.end',
    ]);
  });
});

describe('currentPhase on seed 000', () => {
  it('is null before the first phase starts', () => {
    expect(currentPhase(SEED_000, at('2023-05-08', '23:59:59'), TZ)).toBeNull();
  });

  it.each([
    ['2023-05-09', 'mobilize'],
    ['2023-05-13', 'mobilize'],
    ['2023-05-14', 'self-check'],
    ['2023-05-20', 'self-check'],
    ['2023-05-26', 'self-check'],
    ['2023-05-27', 'improve'],
    ['2023-05-31', 'improve'],
    ['2023-06-01', 'consolidate'],
    ['2023-09-01', 'consolidate'],
    ['2030-01-01', 'consolidate'],
  ])('on %s is %s, from the first to the last second of the day', (date, key) => {
    expect(currentPhase(SEED_000, at(date, '00:00:00'), TZ)?.key).toBe(key);
    expect(currentPhase(SEED_000, at(date, '12:00:00'), TZ)?.key).toBe(key);
    expect(currentPhase(SEED_000, at(date, '23:59:59.999'), TZ)?.key).toBe(key);
  });

  it('uses the local date, not the UTC date', () => {
    // 2023-05-13T16:00Z is already 5/14 in Shanghai, while UTC still says 5/13.
    expect(currentPhase(SEED_000, new Date('2023-05-13T15:59:59.999Z'), TZ)?.key).toBe('mobilize');
    expect(currentPhase(SEED_000, new Date('2023-05-13T16:00:00Z'), TZ)?.key).toBe('self-check');
    // The same instant in New York is still 5/13 there.
    expect(currentPhase(SEED_000, new Date('2023-05-14T02:00:00Z'), 'America/New_York')?.key).toBe(
      'mobilize',
    );
  });

  it('returns the phase object itself', () => {
    expect(currentPhase(SEED_000, at('2023-05-20'), TZ)).toBe(SEED_000[1]);
  });
});

describe('currentPhase with overlaps and gaps', () => {
  const overlapping: Phase[] = [
    phase({ key: 'sep-oct', start: '2026-09-01', end: '2026-10-31' }),
    phase({ key: 'oct-dec', start: '2026-10-01', end: '2026-12-31' }),
  ];

  it('chooses the latest-started phase where windows overlap', () => {
    expect(currentPhase(overlapping, at('2026-09-30'), TZ)?.key).toBe('sep-oct');
    expect(currentPhase(overlapping, at('2026-10-01'), TZ)?.key).toBe('oct-dec');
    expect(currentPhase(overlapping, at('2026-10-31'), TZ)?.key).toBe('oct-dec');
    expect(currentPhase(overlapping, at('2026-11-01'), TZ)?.key).toBe('oct-dec');
  });

  it('falls back to an earlier phase once a later one nested inside it has ended', () => {
    const nested: Phase[] = [
      phase({ key: 'outer', start: '2026-05-01', end: '2026-05-31' }),
      phase({ key: 'inner', start: '2026-05-10', end: '2026-05-15' }),
    ];
    expect(currentPhase(nested, at('2026-05-12'), TZ)?.key).toBe('inner');
    expect(currentPhase(nested, at('2026-05-16'), TZ)?.key).toBe('outer');
  });

  it('chooses the later-listed of two phases starting the same day', () => {
    const sameDay: Phase[] = [
      phase({ key: 'first', start: '2026-05-01', end: '2026-05-31' }),
      phase({ key: 'second', start: '2026-05-01', end: '2026-05-31' }),
    ];
    expect(currentPhase(sameDay, at('2026-05-05'), TZ)?.key).toBe('second');
  });

  it('is null in a gap between windows and after the last end', () => {
    const gapped: Phase[] = [
      phase({ key: 'a', start: '2026-05-01', end: '2026-05-10' }),
      phase({ key: 'b', start: '2026-05-20', end: '2026-05-31' }),
    ];
    expect(currentPhase(gapped, at('2026-05-10', '23:59:59'), TZ)?.key).toBe('a');
    expect(currentPhase(gapped, at('2026-05-11', '00:00:00'), TZ)).toBeNull();
    expect(currentPhase(gapped, at('2026-05-19'), TZ)).toBeNull();
    expect(currentPhase(gapped, at('2026-05-20'), TZ)?.key).toBe('b');
    expect(currentPhase(gapped, at('2026-05-31', '23:59:59.999'), TZ)?.key).toBe('b');
    expect(currentPhase(gapped, at('2026-06-01', '00:00:00'), TZ)).toBeNull();
  });

  it('is null for no phases', () => {
    expect(currentPhase([], at('2026-05-01'), TZ)).toBeNull();
  });
});

describe('phaseState', () => {
  const [mobilize, , , consolidate] = SEED_000;

  it('is upcoming before the start day, active through the end day, ended after', () => {
    if (mobilize === undefined) throw new Error('seed has four phases');
    expect(phaseState(mobilize, at('2023-05-08', '23:59:59.999'), TZ)).toBe('upcoming');
    expect(phaseState(mobilize, at('2023-05-09', '00:00:00'), TZ)).toBe('active');
    expect(phaseState(mobilize, at('2023-05-13', '23:59:59.999'), TZ)).toBe('active');
    expect(phaseState(mobilize, at('2023-05-14', '00:00:00'), TZ)).toBe('ended');
  });

  it('never ends an open-ended phase', () => {
    if (consolidate === undefined) throw new Error('seed has four phases');
    expect(phaseState(consolidate, at('2023-05-31'), TZ)).toBe('upcoming');
    expect(phaseState(consolidate, at('2023-06-01', '00:00:00'), TZ)).toBe('active');
    expect(phaseState(consolidate, at('2099-12-31'), TZ)).toBe('active');
  });
});

describe('shiftPhases', () => {
  it('moves every date and keeps the open end open', () => {
    expect(shiftPhases(SEED_000, 3)).toEqual([
      { key: 'mobilize', name: '部署发动阶段', start: '2023-05-12', end: '2023-05-16' },
      { key: 'self-check', name: '自查补短阶段', start: '2023-05-17', end: '2023-05-29' },
      { key: 'improve', name: '完善提升阶段', start: '2023-05-30', end: '2023-06-03' },
      { key: 'consolidate', name: '稳固待检阶段', start: '2023-06-04' },
    ]);
    expect(shiftPhases(SEED_000, 3)[3]).not.toHaveProperty('end');
  });

  it('shifts backwards, and by zero returns equal copies', () => {
    expect(shiftPhases(SEED_000, -9)[0]).toEqual({
      key: 'mobilize',
      name: '部署发动阶段',
      start: '2023-04-30',
      end: '2023-05-04',
    });
    const same = shiftPhases(SEED_000, 0);
    expect(same).toEqual(SEED_000);
    expect(same[0]).not.toBe(SEED_000[0]);
  });

  it('does not modify its input', () => {
    const before = structuredClone(SEED_000);
    shiftPhases(SEED_000, 100);
    expect(SEED_000).toEqual(before);
  });

  it('puts a chosen day into the second phase, as the demo seed does', () => {
    // Today is 2026-05-13 in Shanghai; the seed's second phase starts 2023-05-14.
    const now = startOfLocalDay('2026-05-13', TZ);
    const days = Math.round((Date.parse('2026-05-13') - Date.parse('2023-05-14')) / 86_400_000);
    const shifted = shiftPhases(SEED_000, days);
    expect(validatePhases(shifted)).toEqual([]);
    expect(currentPhase(shifted, now, TZ)?.key).toBe('self-check');
    expect(shifted[1]?.start).toBe('2026-05-13');
  });

  it('refuses a fractional shift or an invalid date', () => {
    expect(() => shiftPhases(SEED_000, 0.5)).toThrow(RangeError);
    expect(() => shiftPhases([phase({ key: 'a', start: '2026-02-30' })], 1)).toThrow(RangeError);
  });
});
