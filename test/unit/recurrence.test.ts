import { describe, expect, it } from 'vitest';
import type { ExpandOptions, Occurrence } from '../../shared/domain/duty/recurrence.js';
import { expandOccurrences, validateRecurrence } from '../../shared/domain/duty/recurrence.js';
import { endOfLocalDay } from '../../shared/domain/time/zoned-time.js';
import type { Recurrence } from '../../shared/schemas/recurrence.js';
import { RecurrenceSchema } from '../../shared/schemas/recurrence.js';

const TZ = 'Asia/Shanghai';

function expand(rule: Recurrence, options: Partial<ExpandOptions> & { start: string }): Occurrence[] {
  return expandOccurrences(rule, { timeZone: TZ, limit: 200, ...options });
}

function rows(occurrences: Occurrence[]): [string, string, string][] {
  return occurrences.map((o) => [o.occurrenceKey, o.localDate, o.dueAt.toISOString()]);
}

const FRIDAY_NOON: Recurrence = { freq: 'weekly', weekdays: [5], time: '12:00' };

describe('weekly', () => {
  it('every Friday 12:00 in Asia/Shanghai is 04:00Z that day', () => {
    expect(rows(expand(FRIDAY_NOON, { start: '2026-05-11', limit: 4 }))).toEqual([
      ['2026-W20', '2026-05-15', '2026-05-15T04:00:00.000Z'],
      ['2026-W21', '2026-05-22', '2026-05-22T04:00:00.000Z'],
      ['2026-W22', '2026-05-29', '2026-05-29T04:00:00.000Z'],
      ['2026-W23', '2026-06-05', '2026-06-05T04:00:00.000Z'],
    ]);
  });

  it('includes the start day itself when it is one of the weekdays', () => {
    expect(rows(expand(FRIDAY_NOON, { start: '2026-05-15', limit: 1 }))).toEqual([
      ['2026-W20', '2026-05-15', '2026-05-15T04:00:00.000Z'],
    ]);
  });

  it('names ISO weeks across the year boundary (2026 has 53 weeks)', () => {
    const keys = expand(FRIDAY_NOON, { start: '2026-12-21', limit: 3 }).map((o) => [
      o.occurrenceKey,
      o.localDate,
    ]);
    expect(keys).toEqual([
      ['2026-W52', '2026-12-25'],
      ['2026-W53', '2027-01-01'],
      ['2027-W01', '2027-01-08'],
    ]);
  });

  it('with several weekdays, orders them and puts the weekday in the key', () => {
    const rule: Recurrence = { freq: 'weekly', weekdays: [5, 1], time: '09:30' };
    expect(rows(expand(rule, { start: '2026-05-13', limit: 3 }))).toEqual([
      ['2026-W20-5', '2026-05-15', '2026-05-15T01:30:00.000Z'],
      ['2026-W21-1', '2026-05-18', '2026-05-18T01:30:00.000Z'],
      ['2026-W21-5', '2026-05-22', '2026-05-22T01:30:00.000Z'],
    ]);
  });

  it('keeps the wall-clock time across a daylight-saving change', () => {
    const rule: Recurrence = { freq: 'weekly', weekdays: [5], time: '12:00' };
    const dueAts = expandOccurrences(rule, {
      timeZone: 'America/New_York',
      start: '2026-03-02',
      limit: 2,
    }).map((o) => o.dueAt.toISOString());
    expect(dueAts).toEqual(['2026-03-06T17:00:00.000Z', '2026-03-13T16:00:00.000Z']);
  });
});

describe('holiday rule', () => {
  // 2025-10-03 (Friday) is in the National Day holiday; the working day before it is Tuesday 30 September.
  const calendar = (date: string, rule: 'previous-working-day' | 'next-working-day'): string => {
    if (date !== '2025-10-03') return date;
    return rule === 'previous-working-day' ? '2025-09-30' : '2025-10-09';
  };
  const rule: Recurrence = { ...FRIDAY_NOON, holidayRule: 'previous-working-day' };

  it('moves a Friday holiday to the working day before it and keeps its key', () => {
    expect(rows(expand(rule, { start: '2025-09-22', end: '2025-10-12', adjust: calendar }))).toEqual([
      ['2025-W39', '2025-09-26', '2025-09-26T04:00:00.000Z'],
      ['2025-W40', '2025-09-30', '2025-09-30T04:00:00.000Z'],
      ['2025-W41', '2025-10-10', '2025-10-10T04:00:00.000Z'],
    ]);
  });

  it('can move forward instead', () => {
    const later: Recurrence = { ...FRIDAY_NOON, holidayRule: 'next-working-day' };
    const moved = expand(later, { start: '2025-10-01', end: '2025-10-09', adjust: calendar });
    expect(rows(moved)).toEqual([['2025-W40', '2025-10-09', '2025-10-09T04:00:00.000Z']]);
  });

  it('does not adjust when the rule says none or no calendar is given', () => {
    const none = expand(
      { ...FRIDAY_NOON, holidayRule: 'none' },
      { start: '2025-10-01', end: '2025-10-05', adjust: calendar },
    );
    const noCalendar = expand(rule, { start: '2025-10-01', end: '2025-10-05' });
    expect(none.map((o) => o.localDate)).toEqual(['2025-10-03']);
    expect(noCalendar.map((o) => o.localDate)).toEqual(['2025-10-03']);
  });

  it('refuses an adjustment that is not a date', () => {
    expect(() =>
      expand(rule, { start: '2025-10-01', end: '2025-10-05', adjust: () => '2025-10-32' }),
    ).toThrow(RangeError);
  });
});

describe('monthly', () => {
  it('day 31 falls on the last day of shorter months, due at the end of that day', () => {
    const rule: Recurrence = { freq: 'monthly', day: 31 };
    expect(rows(expand(rule, { start: '2026-01-01', limit: 5 }))).toEqual([
      ['2026-01', '2026-01-31', '2026-01-31T15:59:59.999Z'],
      ['2026-02', '2026-02-28', '2026-02-28T15:59:59.999Z'],
      ['2026-03', '2026-03-31', '2026-03-31T15:59:59.999Z'],
      ['2026-04', '2026-04-30', '2026-04-30T15:59:59.999Z'],
      ['2026-05', '2026-05-31', '2026-05-31T15:59:59.999Z'],
    ]);
  });

  it("'last' is the last day, including a leap February", () => {
    const rule: Recurrence = { freq: 'monthly', day: 'last' };
    expect(expand(rule, { start: '2024-01-01', limit: 4 }).map((o) => o.localDate)).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
    ]);
  });

  it('uses the given time, and skips a day of the start month that is before the start', () => {
    const rule: Recurrence = { freq: 'monthly', day: 10, time: '17:30' };
    expect(rows(expand(rule, { start: '2026-05-11', limit: 2 }))).toEqual([
      ['2026-06', '2026-06-10', '2026-06-10T09:30:00.000Z'],
      ['2026-07', '2026-07-10', '2026-07-10T09:30:00.000Z'],
    ]);
  });
});

describe('monthly-times', () => {
  const fourTimes: Recurrence = { freq: 'monthly-times', times: 4 };

  it('splits a 30-day month into four parts ending on the 7th, 15th, 22nd and 30th', () => {
    expect(rows(expand(fourTimes, { start: '2026-04-01', end: '2026-04-30' }))).toEqual([
      ['2026-04#1', '2026-04-07', '2026-04-07T15:59:59.999Z'],
      ['2026-04#2', '2026-04-15', '2026-04-15T15:59:59.999Z'],
      ['2026-04#3', '2026-04-22', '2026-04-22T15:59:59.999Z'],
      ['2026-04#4', '2026-04-30', '2026-04-30T15:59:59.999Z'],
    ]);
  });

  it('splits a 31-day month into parts ending on the 7th, 15th, 23rd and 31st', () => {
    expect(expand(fourTimes, { start: '2026-05-01', end: '2026-05-31' }).map((o) => o.localDate)).toEqual([
      '2026-05-07',
      '2026-05-15',
      '2026-05-23',
      '2026-05-31',
    ]);
  });

  it('ends the last part on the last day of February, and honours a time', () => {
    const rule: Recurrence = { freq: 'monthly-times', times: 4, time: '18:00' };
    expect(rows(expand(rule, { start: '2026-02-01', end: '2026-02-28' }))).toEqual([
      ['2026-02#1', '2026-02-07', '2026-02-07T10:00:00.000Z'],
      ['2026-02#2', '2026-02-14', '2026-02-14T10:00:00.000Z'],
      ['2026-02#3', '2026-02-21', '2026-02-21T10:00:00.000Z'],
      ['2026-02#4', '2026-02-28', '2026-02-28T10:00:00.000Z'],
    ]);
  });

  it('once a month is the last day of the month', () => {
    const rule: Recurrence = { freq: 'monthly-times', times: 1 };
    expect(expand(rule, { start: '2026-02-01', limit: 2 }).map((o) => o.occurrenceKey + o.localDate)).toEqual(
      ['2026-02#12026-02-28', '2026-03#12026-03-31'],
    );
  });
});

describe('every-n-months', () => {
  it('every two months counts from the month of the start', () => {
    const rule: Recurrence = { freq: 'every-n-months', months: 2, day: 15, start: '2026-03-10' };
    expect(rows(expand(rule, { start: '2026-01-01', limit: 3 }))).toEqual([
      ['2026-03', '2026-03-15', '2026-03-15T15:59:59.999Z'],
      ['2026-05', '2026-05-15', '2026-05-15T15:59:59.999Z'],
      ['2026-07', '2026-07-15', '2026-07-15T15:59:59.999Z'],
    ]);
  });

  it('keeps the rhythm when the start month has already passed its day, and crosses the year', () => {
    const rule: Recurrence = { freq: 'every-n-months', months: 2, day: 'last' };
    expect(expand(rule, { start: '2026-11-30', limit: 3 }).map((o) => o.localDate)).toEqual([
      '2026-11-30',
      '2027-01-31',
      '2027-03-31',
    ]);
    const later = expand({ ...rule, day: 15 }, { start: '2026-11-20', limit: 2 });
    expect(later.map((o) => o.localDate)).toEqual(['2027-01-15', '2027-03-15']);
  });
});

describe('semester', () => {
  const rule: Recurrence = {
    freq: 'semester',
    windows: [
      { start: '2026-03-02', end: '2026-03-15' },
      { start: '2026-09-01', end: '2026-09-14' },
    ],
  };

  it('gives one occurrence per window, due at the end of its end date', () => {
    expect(rows(expand(rule, { start: '2026-01-01' }))).toEqual([
      ['S1', '2026-03-15', '2026-03-15T15:59:59.999Z'],
      ['S2', '2026-09-14', '2026-09-14T15:59:59.999Z'],
    ]);
  });

  it('drops a window that ends before the start, keeping the other key', () => {
    expect(rows(expand(rule, { start: '2026-04-01' }))).toEqual([
      ['S2', '2026-09-14', '2026-09-14T15:59:59.999Z'],
    ]);
  });
});

describe('bounds', () => {
  it('count stops after that many occurrences', () => {
    const rule: Recurrence = { ...FRIDAY_NOON, count: 3 };
    expect(expand(rule, { start: '2026-05-11' }).map((o) => o.localDate)).toEqual([
      '2026-05-15',
      '2026-05-22',
      '2026-05-29',
    ]);
  });

  it('until is inclusive, and the earlier of until and options.end wins', () => {
    const rule: Recurrence = { ...FRIDAY_NOON, until: '2026-05-29' };
    expect(expand(rule, { start: '2026-05-11' }).map((o) => o.localDate)).toEqual([
      '2026-05-15',
      '2026-05-22',
      '2026-05-29',
    ]);
    expect(expand(rule, { start: '2026-05-11', end: '2026-05-22' }).map((o) => o.localDate)).toEqual([
      '2026-05-15',
      '2026-05-22',
    ]);
    expect(expand(rule, { start: '2026-05-11', end: '2026-12-31' })).toHaveLength(3);
  });

  it("counts from the rule's own start even when options.start is later", () => {
    const rule: Recurrence = { ...FRIDAY_NOON, start: '2026-05-11', count: 4 };
    expect(expand(rule, { start: '2026-05-25' }).map((o) => o.occurrenceKey)).toEqual([
      '2026-W22',
      '2026-W23',
    ]);
  });

  it('after skips what was already created; keys and count stay the same', () => {
    const rule: Recurrence = { ...FRIDAY_NOON, count: 6 };
    const all = expand(rule, { start: '2026-05-11' });
    expect(all).toHaveLength(6);

    const second = all[1];
    if (second === undefined) throw new Error('expected a second occurrence');
    const rest = expand(rule, { start: '2026-05-11', after: second.dueAt });
    expect(rows(rest)).toEqual(rows(all.slice(2)));

    // Strictly after: one millisecond earlier includes the occurrence due at that instant.
    const fromSecond = expand(rule, { start: '2026-05-11', after: new Date(second.dueAt.getTime() - 1) });
    expect(fromSecond.map((o) => o.occurrenceKey)).toEqual(all.slice(1).map((o) => o.occurrenceKey));

    // Same local day, before noon: that Friday is still to come.
    const morning = expand(rule, { start: '2026-05-11', after: new Date('2026-05-22T01:00:00Z'), limit: 1 });
    expect(morning.map((o) => o.occurrenceKey)).toEqual(['2026-W21']);
  });

  it('after compares the adjusted due time', () => {
    const rule: Recurrence = { ...FRIDAY_NOON, holidayRule: 'previous-working-day' };
    const adjust = (date: string) => (date === '2025-10-03' ? '2025-09-30' : date);
    const afterTuesday = expand(rule, {
      start: '2025-09-22',
      end: '2025-10-12',
      adjust,
      after: new Date('2025-10-01T00:00:00Z'),
    });
    expect(afterTuesday.map((o) => o.occurrenceKey)).toEqual(['2025-W41']);
  });

  it('successive windows (after, end] return each occurrence once, even one moved across the boundary', () => {
    const moves = (date: string, rule: 'previous-working-day' | 'next-working-day') => {
      if (date !== '2025-10-03') return date;
      return rule === 'previous-working-day' ? '2025-09-30' : '2025-10-09';
    };
    const keysIn = (holidayRule: 'previous-working-day' | 'next-working-day', end: string) => {
      const rule: Recurrence = { ...FRIDAY_NOON, holidayRule };
      const first = expand(rule, { start: '2025-09-22', end, adjust: moves });
      const second = expand(rule, {
        start: '2025-09-22',
        end: '2025-10-12',
        after: endOfLocalDay(end, TZ),
        adjust: moves,
      });
      return [first.map((o) => o.occurrenceKey), second.map((o) => o.occurrenceKey)];
    };
    // Friday 3 October is past a horizon ending on the 2nd, but is due on 30 September: in the first window.
    expect(keysIn('previous-working-day', '2025-10-02')).toEqual([['2025-W39', '2025-W40'], ['2025-W41']]);
    // Moved forward to 9 October, it leaves a window ending on the 5th for the next one.
    expect(keysIn('next-working-day', '2025-10-05')).toEqual([['2025-W39'], ['2025-W40', '2025-W41']]);
  });

  it('limit caps an open-ended rule', () => {
    const weekly = expand(FRIDAY_NOON, { start: '2026-05-11', limit: 200 });
    expect(weekly).toHaveLength(200);
    expect(weekly.at(-1)?.localDate).toBe('2030-03-08');
    expect(expand({ ...FRIDAY_NOON, count: 10 }, { start: '2026-05-11', limit: 3 })).toHaveLength(3);
    expect(expand(FRIDAY_NOON, { start: '2026-05-11', limit: 0 })).toEqual([]);
  });

  it('returns due times in order', () => {
    const rule: Recurrence = { freq: 'weekly', weekdays: [7, 3, 1], time: '08:00' };
    const times = expand(rule, { start: '2026-05-11', limit: 30 }).map((o) => o.dueAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(expand(rule, { start: '2026-05-11', limit: 30 }).map((o) => o.occurrenceKey)).size).toBe(
      30,
    );
  });

  it('refuses bad options', () => {
    expect(() => expand(FRIDAY_NOON, { start: '2026-02-30' })).toThrow(RangeError);
    expect(() => expand(FRIDAY_NOON, { start: '2026-05-11', end: 'soon' })).toThrow(RangeError);
    expect(() => expand(FRIDAY_NOON, { start: '2026-05-11', limit: -1 })).toThrow(RangeError);
    expect(() => expand(FRIDAY_NOON, { start: '2026-05-11', timeZone: 'Mars/Olympus' })).toThrow(RangeError);
  });
});

describe('RecurrenceSchema', () => {
  function issues(input: unknown): [string, string][] {
    const result = RecurrenceSchema.safeParse(input);
    if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
    return result.error.issues.map((i) => [i.path.join('.'), i.message]);
  }

  it('accepts each kind of rule', () => {
    const rules: unknown[] = [
      { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' },
      { freq: 'monthly', day: 'last', until: '2026-12-31' },
      { freq: 'monthly', day: 31, time: '23:59', count: 12 },
      { freq: 'monthly-times', times: 4, start: '2026-05-01' },
      { freq: 'every-n-months', months: 2, day: 1 },
      { freq: 'semester', windows: [{ start: '2026-03-02', end: '2026-03-15' }] },
    ];
    for (const rule of rules) {
      expect(RecurrenceSchema.safeParse(rule).success).toBe(true);
    }
  });

  it.each([0, 8])('refuses weekday %i', (weekday) => {
    expect(issues({ freq: 'weekly', weekdays: [weekday], time: '12:00' })).toEqual([
      ['weekdays.0', '星期几应为 1(周一)至 7(周日)'],
    ]);
  });

  it('refuses empty and repeated weekdays', () => {
    expect(issues({ freq: 'weekly', weekdays: [], time: '12:00' })).toEqual([
      ['weekdays', '至少选择一个星期几'],
    ]);
    expect(issues({ freq: 'weekly', weekdays: [5, 5], time: '12:00' })).toEqual([
      ['weekdays', '星期几不能重复'],
    ]);
  });

  it.each(['25:00', '24:00', '12:60', '9:00', '12:00:00'])('refuses time %s', (time) => {
    expect(issues({ freq: 'weekly', weekdays: [5], time })).toEqual([
      ['time', '时间格式应为 HH:MM(00:00 至 23:59)'],
    ]);
  });

  it('requires a time on a weekly rule', () => {
    expect(issues({ freq: 'weekly', weekdays: [5] }).map(([path]) => path)).toEqual(['time']);
  });

  it('refuses overlapping and reversed semester windows', () => {
    expect(
      issues({
        freq: 'semester',
        windows: [
          { start: '2026-03-02', end: '2026-03-15' },
          { start: '2026-03-10', end: '2026-03-20' },
        ],
      }),
    ).toEqual([
      [
        'windows.1.start',
        '第 2 个学期时段从 2026-03-10 开始,与第 1 个时段(至 2026-03-15)重叠或顺序颠倒;各时段须按先后排列且互不重叠',
      ],
    ]);
    expect(
      issues({ freq: 'semester', windows: [{ start: '2026-03-15', end: '2026-03-02' }] }).map(
        ([path]) => path,
      ),
    ).toEqual(['windows.0.end']);
    expect(
      issues({
        freq: 'semester',
        windows: [
          { start: '2026-09-01', end: '2026-09-14' },
          { start: '2026-03-02', end: '2026-03-15' },
        ],
      }).map(([path]) => path),
    ).toEqual(['windows.1.start']);
  });

  it('refuses dates that do not exist, and until before start', () => {
    expect(issues({ freq: 'monthly', day: 1, start: '2026-02-30' })).toEqual([['start', '日期不存在']]);
    expect(issues({ freq: 'monthly', day: 1, start: '2026-06-01', until: '2026-05-31' })).toEqual([
      ['until', '结束日期 2026-05-31 早于开始日期 2026-06-01'],
    ]);
  });

  it('refuses out-of-range numbers, unknown kinds and unknown fields', () => {
    expect(issues({ freq: 'monthly', day: 32 })).toEqual([['day', '日期应为 1 至 31']]);
    expect(issues({ freq: 'monthly', day: 'first' }).map(([path]) => path)).toEqual(['day']);
    expect(issues({ freq: 'monthly-times', times: 11 })).toEqual([['times', '每月次数应为 1 至 10']]);
    expect(issues({ freq: 'every-n-months', months: 13, day: 1 }).map(([path]) => path)).toEqual(['months']);
    expect(issues({ freq: 'monthly', day: 1, count: 501 })).toEqual([['count', '次数最多为 500']]);
    expect(issues({ freq: 'semester', windows: [] })).toEqual([['windows', '至少需要一个学期时段']]);
    expect(issues({ freq: 'daily' }).map(([path]) => path)).toEqual(['freq']);
    expect(issues({ freq: 'monthly', day: 1, interval: 2 }).map(([path]) => path)).toEqual(['']);
    expect(issues({ freq: 'monthly', day: 1, holidayRule: 'skip' }).map(([path]) => path)).toEqual([
      'holidayRule',
    ]);
  });
});

describe('validateRecurrence', () => {
  const phase = { phaseStart: '2026-05-01' };

  it('accepts a sound rule', () => {
    expect(validateRecurrence({ ...FRIDAY_NOON, until: '2026-07-31' }, phase)).toEqual([]);
  });

  it('names fields from the task body root', () => {
    const problems = validateRecurrence(
      {
        freq: 'semester',
        windows: [
          { start: '2026-05-10', end: '2026-05-20' },
          { start: '2026-09-14', end: '2026-09-01' },
        ],
      },
      phase,
    );
    expect(problems.map((p) => p.field)).toEqual(['recurrence.windows.1.end']);
  });

  it('reports dates that do not exist', () => {
    const problems = validateRecurrence(
      { freq: 'semester', windows: [{ start: '2026-02-30', end: '2026-09-14' }] },
      phase,
    );
    expect(problems.map((p) => p.field)).toEqual(['recurrence.windows.0.start']);
  });

  it('checks until against the phase start when the rule has no start', () => {
    expect(validateRecurrence({ freq: 'monthly', day: 1, until: '2026-04-30' }, phase)).toEqual([
      { field: 'recurrence.until', message: '结束日期 2026-04-30 早于阶段开始日期 2026-05-01' },
    ]);
    expect(
      validateRecurrence({ freq: 'monthly', day: 1, start: '2026-06-01', until: '2026-05-31' }, phase).map(
        (p) => p.field,
      ),
    ).toEqual(['recurrence.until']);
  });

  it('reports a rule that would never produce an occurrence', () => {
    // 2026-05-01 is a Friday, 05-04 a Monday: no Wednesday in between.
    const problems = validateRecurrence(
      { freq: 'weekly', weekdays: [3], time: '12:00', until: '2026-05-04' },
      phase,
    );
    expect(problems.map((p) => p.field)).toEqual(['recurrence.until']);
    const semester = validateRecurrence(
      { freq: 'semester', windows: [{ start: '2026-03-02', end: '2026-03-15' }] },
      phase,
    );
    expect(semester.map((p) => p.field)).toEqual(['recurrence.windows.0.end']);
  });
});
