import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  addOneMonth,
  caseEscalations,
  caseStanding,
  DEFAULT_STEP_DEADLINES,
  dropoutOn,
  nextEscalationOn,
  stageBounds,
  suspectedOn,
} from '../../shared/domain/dropout/case-ladder.js';
import { addDays } from '../../shared/domain/time/zoned-time.js';

const calendar = createWorkingCalendar([]);

describe('the dropout ladder on the official calendar', () => {
  it('makes an absence from Thursday 2025-09-25 suspected only after the National Day break', () => {
    // Absent 25 (Thu), 26 (Fri), 28 (Sun, a make-up working day), 29, 30 September: five working
    // days; 1–8 October are off; the sixth working day of absence is Thursday 9 October.
    expect(suspectedOn('2025-09-25', calendar)).toBe('2025-10-09');
    expect(
      caseStanding({ firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} }, '2025-10-08', calendar)
        .stage,
    ).toBe('absent');
    expect(
      caseStanding({ firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} }, '2025-10-09', calendar)
        .stage,
    ).toBe('suspected');
  });

  it('counts an absence that starts on a day off from the next working day', () => {
    // Saturday 11 October 2025 is a make-up working day; Sunday 12 October is off.
    expect(suspectedOn('2025-10-12', calendar)).toBe(suspectedOn('2025-10-13', calendar));
    expect(suspectedOn('2025-10-11', calendar)).toBe('2025-10-17');
  });

  it('turns suspected into dropout the day after one calendar month', () => {
    expect(dropoutOn('2025-10-09')).toBe('2025-11-10');
    expect(addOneMonth('2026-01-31')).toBe('2026-02-28');
    expect(addOneMonth('2028-01-31')).toBe('2028-02-29');
    expect(addOneMonth('2025-12-15')).toBe('2026-01-15');
    const dates = { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} };
    expect(caseStanding(dates, '2025-11-09', calendar).stage).toBe('suspected');
    expect(caseStanding(dates, '2025-11-10', calendar).stage).toBe('dropout');
  });

  it('closes on return at any stage', () => {
    const standing = caseStanding(
      { firstDayAbsent: '2025-09-25', returnedOn: '2025-11-20', stepsDone: { contact: '2025-10-10' } },
      '2025-11-21',
      calendar,
    );
    expect(standing.stage).toBe('returned');
    expect(standing.next).toBeNull();
  });

  it('dates each persuasion step in working days after the one before, and says when it is late', () => {
    const first = caseStanding(
      { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} },
      '2025-10-10',
      calendar,
    );
    // Suspected Thu 9 Oct; contact due two working days later: Sat 11 Oct (a make-up working day).
    expect(first.next).toEqual({ step: 'contact', dueOn: '2025-10-11', late: false });
    const later = caseStanding(
      { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: { contact: '2025-10-13' } },
      '2025-10-17',
      calendar,
    );
    // The notice is due three working days after the contact: Thursday 16 October; on the 17th it is late.
    expect(later.next).toEqual({ step: 'notice', dueOn: '2025-10-16', late: true });
    const office = caseStanding(
      { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} },
      '2025-10-10',
      calendar,
      { ...DEFAULT_STEP_DEADLINES, contact: 1 },
    );
    expect(office.next?.dueOn).toBe('2025-10-10');
  });
});

describe('stage bounds (a stage as a range of first days absent)', () => {
  it('puts every open case in the stage caseStanding computes, across the National Day break', () => {
    for (let t = 0; t < 90; t++) {
      const today = addDays('2025-09-20', t);
      const { suspectedIfAbsentBy, dropoutIfAbsentBy } = stageBounds(today, calendar);
      for (let a = 0; a <= t; a++) {
        const firstDayAbsent = addDays('2025-09-20', a);
        const byBounds =
          firstDayAbsent <= dropoutIfAbsentBy
            ? 'dropout'
            : firstDayAbsent <= suspectedIfAbsentBy
              ? 'suspected'
              : 'absent';
        const computed = caseStanding({ firstDayAbsent, returnedOn: null, stepsDone: {} }, today, calendar);
        expect(byBounds, `${firstDayAbsent} on ${today}`).toBe(computed.stage);
      }
    }
  });

  it('names the last first day absent that is suspected on 2025-10-09', () => {
    expect(stageBounds('2025-10-09', calendar).suspectedIfAbsentBy).toBe('2025-09-25');
    expect(stageBounds('2025-10-08', calendar).suspectedIfAbsentBy < '2025-09-25').toBe(true);
  });
});

describe('what a case owes notices for', () => {
  const absent = { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} };

  it('owes nothing before the suspicion, and the suspicion on its day, to the school leader', () => {
    expect(caseEscalations('c1', absent, '2025-10-08', calendar)).toEqual([]);
    expect(caseEscalations('c1', absent, '2025-10-09', calendar)).toEqual([
      { id: 'c1-suspected', kind: 'suspected', on: '2025-10-09', step: null, escalateTo: 'school-leader' },
    ]);
  });

  it('escalates a late step above its actor, with an id fixed by the step', () => {
    // Contact due two working days after 9 October (10 and 11 October, a make-up Saturday): late on the 12th.
    const owed = caseEscalations('c1', absent, '2025-10-13', calendar);
    expect(owed.map((e) => e.id)).toEqual(['c1-suspected', 'c1-late-contact']);
    expect(owed[1]).toMatchObject({ on: '2025-10-12', escalateTo: 'township' });
    // The same day read again gives the same ids: the sweep writes each once.
    expect(caseEscalations('c1', absent, '2025-10-13', calendar)).toEqual(owed);
    const contacted = { ...absent, stepsDone: { contact: '2025-10-10' } };
    expect(caseEscalations('c1', contacted, '2025-10-13', calendar).map((e) => e.id)).toEqual([
      'c1-suspected',
    ]);
  });

  it('owes the dropout to the bureau, and nothing once the child is back', () => {
    const owed = caseEscalations('c1', absent, '2025-11-10', calendar);
    expect(owed.at(-1)).toMatchObject({ id: 'c1-dropout', on: '2025-11-10', escalateTo: 'bureau' });
    expect(caseEscalations('c1', { ...absent, returnedOn: '2025-11-03' }, '2025-11-10', calendar)).toEqual(
      [],
    );
  });
});

describe('when the sweep must read a case next', () => {
  const absent = { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} };

  it('is the suspicion first, then the next step late, then the dropout, then nothing', () => {
    expect(nextEscalationOn(absent, null, calendar)).toBe('2025-10-09');
    expect(nextEscalationOn(absent, '2025-10-09', calendar)).toBe('2025-10-12');
    expect(nextEscalationOn(absent, '2025-10-12', calendar)).toBe('2025-11-10');
    expect(nextEscalationOn(absent, '2025-11-10', calendar)).toBeNull();
  });

  it('agrees with what the case owes on each of those days', () => {
    for (const day of ['2025-10-09', '2025-10-12', '2025-11-10']) {
      const before = caseEscalations('c1', absent, addDays(day, -1), calendar).length;
      expect(caseEscalations('c1', absent, day, calendar).length).toBe(before + 1);
    }
  });

  it('moves with a recorded step, and is null once the child is back', () => {
    const contacted = { ...absent, stepsDone: { contact: '2025-10-10' } };
    expect(nextEscalationOn(contacted, '2025-10-09', calendar)).not.toBe('2025-10-12');
    expect(nextEscalationOn({ ...absent, returnedOn: '2025-10-10' }, null, calendar)).toBeNull();
  });
});
