import { describe, expect, it } from 'vitest';
import {
  occurrencePeriod,
  occurrenceSpan,
  periodRefusal,
} from '../../shared/domain/duty/occurrence-period.js';
import { expandOccurrences } from '../../shared/domain/duty/recurrence.js';
import { dateRangeWords } from '../../shared/domain/time/date-words.js';
import { type Recurrence, RecurrenceSchema } from '../../shared/schemas/recurrence.js';

const TZ = 'Asia/Shanghai';
const FRIDAY_NOON: Recurrence = { freq: 'weekly', weekdays: [5], time: '12:00' };
const span = (rule: Recurrence, key: string) => occurrenceSpan(rule, key);

describe('the period of an occurrence, in words', () => {
  it('a weekly report covers its ISO week, Monday to Sunday', () => {
    expect(span(FRIDAY_NOON, '2026-W49')).toEqual({
      start: '2026-11-30',
      end: '2026-12-06',
      label: '第49周 11月30日—12月6日',
    });
    // 2026 has 53 ISO weeks; the last one runs into 2027, and 2026-W01 began in 2025.
    expect(span(FRIDAY_NOON, '2026-W53')).toEqual({
      start: '2026-12-28',
      end: '2027-01-03',
      label: '第53周 2026年12月28日—2027年1月3日',
    });
    expect(span(FRIDAY_NOON, '2026-W01')).toMatchObject({ start: '2025-12-29', end: '2026-01-04' });
  });

  it('with several weekdays, each report covers the days since the previous one', () => {
    const tueFri: Recurrence = { freq: 'weekly', weekdays: [5, 2], time: '12:00' };
    expect(span(tueFri, '2026-W49-2')).toEqual({
      start: '2026-11-30',
      end: '2026-12-01',
      label: '第49周周二 11月30日—12月1日',
    });
    expect(span(tueFri, '2026-W49-5')).toEqual({
      start: '2026-12-02',
      end: '2026-12-04',
      label: '第49周周五 12月2日—12月4日',
    });
  });

  it('a monthly report covers its month; every N months too', () => {
    expect(span({ freq: 'monthly', day: 5 }, '2026-12')).toEqual({
      start: '2026-12-01',
      end: '2026-12-31',
      label: '2026年12月',
    });
    expect(span({ freq: 'every-n-months', months: 2, day: 'last' }, '2028-02')).toMatchObject({
      end: '2028-02-29',
      label: '2028年2月',
    });
  });

  it('N times a month: part k runs from the day after part k−1 is due to its own due day', () => {
    const fourTimes: Recurrence = { freq: 'monthly-times', times: 4 };
    expect(span(fourTimes, '2026-11#1')).toEqual({
      start: '2026-11-01',
      end: '2026-11-07',
      label: '2026年11月第1次 11月1日—11月7日',
    });
    expect(span(fourTimes, '2026-11#2')).toMatchObject({ start: '2026-11-08', end: '2026-11-15' });
    expect(span(fourTimes, '2026-11#4')).toMatchObject({ start: '2026-11-23', end: '2026-11-30' });
  });

  it('a semester occurrence covers its window', () => {
    const rule: Recurrence = {
      freq: 'semester',
      windows: [
        { start: '2026-03-02', end: '2026-03-15' },
        { start: '2026-09-01', end: '2026-09-14' },
      ],
    };
    expect(span(rule, 'S2')).toEqual({
      start: '2026-09-01',
      end: '2026-09-14',
      label: '第2个学期时段 9月1日—9月14日',
    });
  });

  it('every occurrence the rule makes falls inside its own period, and no label is a code', () => {
    const rules: Recurrence[] = [
      FRIDAY_NOON,
      { freq: 'weekly', weekdays: [1, 3, 5], time: '09:00' },
      { freq: 'monthly', day: 31 },
      { freq: 'monthly-times', times: 3 },
      { freq: 'every-n-months', months: 2, day: 10 },
    ];
    for (const rule of rules) {
      const occurrences = expandOccurrences(rule, {
        timeZone: TZ,
        start: '2026-01-01',
        end: '2027-12-31',
        limit: 500,
      });
      expect(occurrences.length).toBeGreaterThan(10);
      for (const o of occurrences) {
        const s = span(rule, o.occurrenceKey);
        expect(o.localDate >= s.start && o.localDate <= s.end, `${o.occurrenceKey} ${o.localDate}`).toBe(
          true,
        );
        expect(s.label).not.toMatch(/W\d|#|\d{4}-\d{2}/);
      }
    }
  });

  it('refuses a key the rule does not make', () => {
    expect(() => span(FRIDAY_NOON, '2026-12')).toThrow(RangeError);
    expect(() => span({ freq: 'monthly-times', times: 2 }, '2026-11#3')).toThrow(RangeError);
    expect(() =>
      span({ freq: 'semester', windows: [{ start: '2026-03-02', end: '2026-03-15' }] }, 'S2'),
    ).toThrow(RangeError);
  });

  it('writes spans as an office does', () => {
    expect(dateRangeWords('2026-12-01', '2026-12-07')).toBe('12月1日—12月7日');
    expect(dateRangeWords('2026-12-01', '2026-12-01')).toBe('12月1日');
  });
});

describe('when an occurrence may be filed', () => {
  // The W53 report, due Friday 2027-01-01 12:00 Shanghai.
  const w53 = occurrencePeriod(FRIDAY_NOON, '2026-W53', {
    dueAt: new Date('2027-01-01T04:00:00Z'),
    timeZone: TZ,
  });

  it('opens at local midnight of the first day of its period', () => {
    expect(w53.opensAt).toBe('2026-12-27T16:00:00.000Z');
  });

  it('is refused before that, saying which period and from when, in words', () => {
    const refusal = periodRefusal(w53, new Date('2026-12-02T10:00:00+08:00'), TZ);
    expect(refusal).toBe('本期(第53周 2026年12月28日—2027年1月3日)尚未开始,12月28日起才能报送');
    expect(periodRefusal(w53, new Date('2026-12-27T23:59:59+08:00'), TZ)).not.toBeNull();
    expect(periodRefusal(w53, new Date('2026-12-28T00:00:00+08:00'), TZ)).toBeNull();
  });

  it('opens leadDays earlier when the rule allows a lead', () => {
    const early = occurrencePeriod({ ...FRIDAY_NOON, leadDays: 3 }, '2026-W53', {
      dueAt: new Date('2027-01-01T04:00:00Z'),
      timeZone: TZ,
    });
    expect(early.opensAt).toBe('2026-12-24T16:00:00.000Z');
    expect(periodRefusal(early, new Date('2026-12-25T09:00:00+08:00'), TZ)).toBeNull();
  });

  it('never opens after its due day, when a holiday moves a Monday due date into the week before', () => {
    const monday: Recurrence = {
      freq: 'weekly',
      weekdays: [1],
      time: '09:00',
      holidayRule: 'previous-working-day',
    };
    // 2026-W41's Monday is 10-05 (国庆); moved back to Friday 10-02, before its week began.
    const p = occurrencePeriod(monday, '2026-W41', { dueAt: new Date('2026-10-02T01:00:00Z'), timeZone: TZ });
    expect(p.opensAt).toBe('2026-10-01T16:00:00.000Z');
  });

  it('the lead is data on the rule: a whole number of days from 0 to 30, naming the field', () => {
    expect(RecurrenceSchema.safeParse({ ...FRIDAY_NOON, leadDays: 2 }).success).toBe(true);
    for (const leadDays of [-1, 1.5, 31, '2']) {
      const parsed = RecurrenceSchema.safeParse({ ...FRIDAY_NOON, leadDays });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['leadDays']);
    }
  });
});
