import { describe, expect, it } from 'vitest';
import {
  AWAY_KINDS,
  AWAY_LABELS,
  CARE_RECORD_KINDS,
  PAIR_DUTY_OF_RECORD,
  pairDutySpecs,
  pairPeriodKey,
  pairPeriodState,
} from '../../shared/domain/care/care-file.js';
import { occurrenceSpan } from '../../shared/domain/duty/occurrence-period.js';
import { expandOccurrences } from '../../shared/domain/duty/recurrence.js';
import { addDays } from '../../shared/domain/time/zoned-time.js';

describe('师生结对帮扶 duties', () => {
  const specs = pairDutySpecs({ grade: '四年级', className: '2班', childNameMasked: '刘*红' }, '王老师', {
    weekday: 5,
    time: '17:00',
  });

  it('gives a pair a weekly support record and a monthly home visit (seed 004)', () => {
    expect(specs.map((s) => [s.kind, s.recurrence])).toEqual([
      ['weekly-record', { freq: 'weekly', weekdays: [5], time: '17:00' }],
      ['monthly-visit', { freq: 'monthly', day: 'last', time: '17:00' }],
    ]);
  });

  it('names the child masked, with grade, class and teacher', () => {
    expect(specs.map((s) => s.title)).toEqual([
      '师生结对帮扶记录(四年级2班 刘*红,结对教师 王老师)',
      '师生结对家访(四年级2班 刘*红,结对教师 王老师)',
    ]);
  });

  it('labels every kind of being left behind', () => {
    expect(AWAY_KINDS.map((k) => AWAY_LABELS[k])).toEqual(['父母均外出务工', '父亲外出务工', '母亲外出务工']);
  });
});

describe('which pair duty a record closes', () => {
  it('a support record the week’s, a home visit the month’s, counselling none', () => {
    expect(CARE_RECORD_KINDS.map((k) => PAIR_DUTY_OF_RECORD[k])).toEqual([
      'weekly-record',
      'monthly-visit',
      null,
    ]);
  });

  it('names the period as the duties’ own rules do, across year ends', () => {
    expect(pairPeriodKey('weekly-record', '2025-10-08')).toBe('2025-W41');
    expect(pairPeriodKey('weekly-record', '2024-12-30')).toBe('2025-W01');
    expect(pairPeriodKey('weekly-record', '2027-01-01')).toBe('2026-W53');
    expect(pairPeriodKey('monthly-visit', '2025-10-31')).toBe('2025-10');
  });

  it('puts every day of each occurrence’s period under that occurrence’s key', () => {
    for (const spec of pairDutySpecs(
      { grade: '一年级', className: '1班', childNameMasked: '张*明' },
      '李老师',
      {
        weekday: 5,
        time: '17:00',
      },
    )) {
      const occurrences = expandOccurrences(spec.recurrence, {
        timeZone: 'Asia/Shanghai',
        start: '2025-12-01',
        end: '2027-01-31',
        limit: 100,
      });
      expect(occurrences.length).toBeGreaterThan(12);
      for (const { occurrenceKey } of occurrences) {
        const span = occurrenceSpan(spec.recurrence, occurrenceKey);
        for (let day = span.start; day <= span.end; day = addDays(day, 1)) {
          expect(pairPeriodKey(spec.kind, day), day).toBe(occurrenceKey);
        }
      }
    }
  });

  it('shows a duty recorded once submitted, pending while open, overdue past due', () => {
    expect(pairPeriodState({ status: 'submitted', overdue: false })).toBe('recorded');
    expect(pairPeriodState({ status: 'accepted', overdue: false })).toBe('recorded');
    expect(pairPeriodState({ status: 'open', overdue: false })).toBe('pending');
    expect(pairPeriodState({ status: 'open', overdue: true })).toBe('overdue');
  });
});
