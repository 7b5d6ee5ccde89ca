import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { DEFAULT_STEP_DEADLINES } from '../../shared/domain/dropout/case-ladder.js';
import {
  countInto,
  datesAsOf,
  emptyTotals,
  ledgerStanding,
} from '../../shared/domain/dropout/case-ledger.js';

const calendar = createWorkingCalendar([]);
const NO_GROUPS = { registeredPoor: false, monitored: false, disabled: false, homeTeaching: false };

describe('a case as it stood at a ledger cut-off', () => {
  const returned = {
    firstDayAbsent: '2025-09-01',
    returnedOn: '2025-10-20',
    stepsDone: { contact: '2025-09-09', notice: '2025-10-13' },
  };

  it('is not in a ledger cut before its first day absent', () => {
    expect(datesAsOf(returned, '2025-08-31')).toBeNull();
    expect(datesAsOf(returned, '2025-09-01')).not.toBeNull();
  });

  it('undoes a later return and later steps, keeping those done by the end of the day', () => {
    expect(datesAsOf(returned, '2025-10-13')).toEqual({
      firstDayAbsent: '2025-09-01',
      returnedOn: null,
      stepsDone: { contact: '2025-09-09', notice: '2025-10-13' },
    });
    expect(datesAsOf(returned, '2025-10-12')?.stepsDone).toEqual({ contact: '2025-09-09' });
    expect(datesAsOf(returned, '2025-10-20')?.returnedOn).toBe('2025-10-20');
  });

  it('gives the standing of that day: before the 6th working day the child is not yet suspected', () => {
    const open = { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} };
    const at = (day: string) => {
      const dates = datesAsOf(open, day);
      if (dates === null) throw new Error('expected the case at the cut-off');
      return ledgerStanding(dates, day, calendar, DEFAULT_STEP_DEADLINES);
    };
    // 25, 26, 28 (make-up day), 29 and 30 September; the National Day break; 9 October the 6th.
    expect(at('2025-10-08')).toMatchObject({ ageWorkingDays: 5, stage: 'absent' });
    expect(at('2025-10-09')).toMatchObject({ ageWorkingDays: 6, stage: 'suspected' });
  });

  it('counts the special groups of open cases, not of returns', () => {
    const totals = emptyTotals();
    const standing = ledgerStanding(
      { firstDayAbsent: '2025-09-25', returnedOn: null, stepsDone: {} },
      '2025-10-09',
      calendar,
      DEFAULT_STEP_DEADLINES,
    );
    countInto({ standing, groups: { ...NO_GROUPS, registeredPoor: true, disabled: true } }, totals);
    countInto({ standing, groups: NO_GROUPS }, totals);
    countInto(null, totals);
    expect(totals).toMatchObject({ open: 2, returned: 1, suspected: 2 });
    expect(totals.groups).toEqual({ registeredPoor: 1, monitored: 0, disabled: 1, homeTeaching: 0 });
  });
});
