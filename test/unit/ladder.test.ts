import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  DEFAULT_ESCALATION_POLICY,
  levelFireAt,
  levelsDue,
  startLadder,
  validatePolicy,
} from '../../shared/domain/escalation/ladder.js';

const TZ = 'Asia/Shanghai';
const cal = createWorkingCalendar([]);
const level = (name: string) => {
  const found = DEFAULT_ESCALATION_POLICY.find((l) => l.level === name);
  if (found === undefined) throw new Error(name);
  return found;
};
const fire = (name: string, dueAt: string, startedAt: string) =>
  levelFireAt(
    level(name),
    { dueAt: new Date(dueAt), startedAt: new Date(startedAt) },
    TZ,
    cal,
  )?.toISOString() ?? null;

describe('the escalation ladder on working days', () => {
  // Due Friday 2025-09-26 17:00 local; the 2025 National Day holiday runs 10-01..10-08, with
  // Sunday 09-28 a working day (调休).
  const due = '2025-09-26T09:00:00.000Z';
  const assigned = '2025-09-01T01:00:00.000Z';

  it('fires remind the working day before, overdue at the due time', () => {
    expect(fire('remind', due, assigned)).toBe('2025-09-25T09:00:00.000Z');
    expect(fire('overdue', due, assigned)).toBe(due);
  });

  it('counts escalate and accountability in working days, across 调休 and the holiday', () => {
    // +3 working days from Fri 09-26: Sun 09-28 (调休), Mon 09-29, Tue 09-30.
    expect(fire('escalate', due, assigned)).toBe('2025-09-30T09:00:00.000Z');
    // +5: 10-01..10-08 are off, so Thu 10-09 and Fri 10-10.
    expect(fire('accountability', due, assigned)).toBe('2025-10-10T09:00:00.000Z');
  });

  it('counts from the assignment when a duty is assigned after its due time, and skips the reminder', () => {
    const late = '2025-09-29T02:00:00.000Z';
    expect(fire('remind', due, late)).toBeNull();
    expect(fire('overdue', due, late)).toBe(late);
    // +3 from Mon 09-29 10:00 local: 09-30, then the holiday, 10-09, 10-10.
    expect(fire('escalate', due, late)).toBe('2025-10-10T02:00:00.000Z');
  });

  it('reminds at once when assigned inside the reminder window', () => {
    const justBefore = '2025-09-26T01:00:00.000Z';
    expect(fire('remind', due, justBefore)).toBe(justBefore);
  });

  it('returns every passed level at once after an outage, and what comes next', () => {
    const round = { dueAt: new Date(due), startedAt: new Date(assigned) };
    const { due: passed, next } = levelsDue(
      DEFAULT_ESCALATION_POLICY,
      0,
      round,
      new Date('2025-10-01T00:00:00Z'),
      TZ,
      cal,
    );
    expect(passed.map((l) => l.level.level)).toEqual(['remind', 'overdue', 'escalate']);
    expect(next?.level.level).toBe('accountability');
    const fromMiddle = levelsDue(
      DEFAULT_ESCALATION_POLICY,
      2,
      round,
      new Date('2025-10-01T00:00:00Z'),
      TZ,
      cal,
    );
    expect(fromMiddle.due.map((l) => l.level.level)).toEqual(['escalate']);
  });

  it('starts a round with the first level that fires', () => {
    const started = startLadder(
      DEFAULT_ESCALATION_POLICY,
      { dueAt: new Date(due), startedAt: new Date(assigned) },
      TZ,
      cal,
    );
    expect(started).toEqual({
      nextLevelIndex: 0,
      nextActionAt: '2025-09-25T09:00:00.000Z',
      lastNoticeLevel: null,
    });
    const lateStart = startLadder(
      DEFAULT_ESCALATION_POLICY,
      { dueAt: new Date(due), startedAt: new Date('2025-09-29T02:00:00.000Z') },
      TZ,
      cal,
    );
    expect(lateStart.nextActionAt).toBe('2025-09-29T02:00:00.000Z');
  });

  it('validates a policy: unique levels, strictly increasing offsets', () => {
    expect(validatePolicy(DEFAULT_ESCALATION_POLICY)).toEqual([]);
    const bad = validatePolicy([
      { level: 'a', offsetWorkingDays: 0, addressees: ['unit'] },
      { level: 'a', offsetWorkingDays: 0, addressees: ['office', 'office'] },
    ]);
    expect(bad.map((p) => p.field)).toEqual([
      'escalation.1.level',
      'escalation.1.offsetWorkingDays',
      'escalation.1.addressees',
    ]);
  });
});
