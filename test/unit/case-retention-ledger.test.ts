import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { DEFAULT_STEP_DEADLINES } from '../../shared/domain/dropout/case-ladder.js';
import { ledgerStanding, semesterStartOf } from '../../shared/domain/dropout/case-ledger.js';
import { erasedFrom, lastReturnDateToErase } from '../../shared/domain/dropout/retention.js';

const calendar = createWorkingCalendar([]);

describe('retention of a closed case', () => {
  it('keeps it to the end of the following school year by default, and erases it from 1 September', () => {
    expect(erasedFrom('2025-10-09', 1)).toBe('2027-09-01');
    expect(erasedFrom('2026-06-30', 1)).toBe('2027-09-01');
    expect(erasedFrom('2026-06-30', 0)).toBe('2026-09-01');
    expect(lastReturnDateToErase('2027-08-31', 1)).toBe('2025-08-31');
    expect(lastReturnDateToErase('2027-09-01', 1)).toBe('2026-08-31');
    // Every return date up to the cut-off is erased on that day, none after it.
    for (const returned of ['2025-09-01', '2025-10-09', '2026-08-31']) {
      expect(erasedFrom(returned, 1) <= '2027-09-01').toBe(true);
    }
    expect(erasedFrom('2026-09-01', 1) > '2027-09-01').toBe(true);
  });
});

describe('the ledger standing of an open case', () => {
  const dates = { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} };

  it('counts its age in working days and lights it by its step', () => {
    // Suspected 9 October; contact due Saturday 11 October (a make-up working day).
    const s = ledgerStanding(dates, '2025-10-09', calendar, DEFAULT_STEP_DEADLINES);
    expect(s).toMatchObject({ ageWorkingDays: 6, stage: 'suspected', light: 'blue' });
    expect(ledgerStanding(dates, '2025-10-13', calendar, DEFAULT_STEP_DEADLINES)).toMatchObject({
      step: { step: 'contact', late: true },
      light: 'red',
    });
    // Contact done: the notice is due 3 working days later; not near yet, a step recorded: green.
    const contacted = { ...dates, stepsDone: { contact: '2025-10-09' } };
    expect(ledgerStanding(contacted, '2025-10-09', calendar, DEFAULT_STEP_DEADLINES).light).toBe('green');
    // Not yet suspected: green, no step.
    expect(ledgerStanding(dates, '2025-09-30', calendar, DEFAULT_STEP_DEADLINES)).toMatchObject({
      stage: 'absent',
      step: null,
      light: 'green',
    });
  });

  it('takes the semester from 1 September or 1 February', () => {
    expect(semesterStartOf('2025-10-09')).toBe('2025-09-01');
    expect(semesterStartOf('2026-01-20')).toBe('2025-09-01');
    expect(semesterStartOf('2026-03-02')).toBe('2026-02-01');
  });
});
