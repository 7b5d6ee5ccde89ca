import { describe, expect, it } from 'vitest';
import { AWAY_KINDS, AWAY_LABELS, pairDutySpecs } from '../../shared/domain/care/care-file.js';

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
