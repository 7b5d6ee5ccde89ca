import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  awaitingReceipt,
  receiptDeadline,
  signedLate,
  signReceipt,
  startReceipt,
  sweepWakeAt,
  workingMinutesBetween,
} from '../../shared/domain/duty/receipt.js';

const TZ = 'Asia/Shanghai';
const cal = createWorkingCalendar([]);
// Local (UTC+8) wall time as an instant.
const local = (s: string) => new Date(`${s}+08:00`);
const deadline = (since: string, hours: number | null) =>
  receiptDeadline(local(since), hours, TZ, cal).toISOString();

describe('the receipt deadline (签收期限)', () => {
  it('defaults to the end of the next working day', () => {
    // Wed 2025-09-24 10:00 → end of Thu 09-25.
    expect(deadline('2025-09-24T10:00:00', null)).toBe(local('2025-09-25T23:59:59.999').toISOString());
    // Fri 09-26 → Sun 09-28 is a working day (调休 for National Day).
    expect(deadline('2025-09-26T16:00:00', null)).toBe(local('2025-09-28T23:59:59.999').toISOString());
    // Tue 09-30 → the holiday runs 10-01..10-08: Thu 10-09.
    expect(deadline('2025-09-30T09:00:00', null)).toBe(local('2025-10-09T23:59:59.999').toISOString());
  });

  it('counts working hours only within office hours on working days', () => {
    // Wed 10:00 + 2 h → 12:00 the same morning.
    expect(deadline('2025-09-24T10:00:00', 2)).toBe(local('2025-09-24T12:00:00').toISOString());
    // Wed 11:00 + 2 h → 1 h before lunch, 1 h after: 15:00.
    expect(deadline('2025-09-24T11:00:00', 2)).toBe(local('2025-09-24T15:00:00').toISOString());
    // Wed 17:00 + 1 h → 30 min left today, then Thu 09:00.
    expect(deadline('2025-09-24T17:00:00', 1)).toBe(local('2025-09-25T09:00:00').toISOString());
    // At night or at lunch: the count starts with the next office hour.
    expect(deadline('2025-09-24T22:00:00', 1)).toBe(local('2025-09-25T09:30:00').toISOString());
    expect(deadline('2025-09-24T12:30:00', 1)).toBe(local('2025-09-24T15:00:00').toISOString());
    // A whole working day is 7 hours: Wed 08:30 + 7 h → Wed 17:30.
    expect(deadline('2025-09-24T08:30:00', 7)).toBe(local('2025-09-24T17:30:00').toISOString());
  });

  it('skips weekends, holidays and counts 调休 working weekends', () => {
    // Sat 2025-09-27 is off, Sun 09-28 is a working day: Sat 10:00 + 1 h → Sun 09:30.
    expect(deadline('2025-09-27T10:00:00', 1)).toBe(local('2025-09-28T09:30:00').toISOString());
    // Tue 09-30 17:00 + 1 h → 30 min, then the holiday, then Thu 10-09 09:00.
    expect(deadline('2025-09-30T17:00:00', 1)).toBe(local('2025-10-09T09:00:00').toISOString());
  });

  it('refuses hours that are not a positive integer', () => {
    expect(() => receiptDeadline(local('2025-09-24T10:00:00'), 0, TZ, cal)).toThrow(RangeError);
    expect(() => receiptDeadline(local('2025-09-24T10:00:00'), 1.5, TZ, cal)).toThrow(RangeError);
  });
});

describe('working minutes to sign', () => {
  const minutes = (a: string, b: string) => workingMinutesBetween(local(a), local(b), TZ, cal);
  it('counts only office hours', () => {
    expect(minutes('2025-09-24T10:00:00', '2025-09-24T10:45:00')).toBe(45);
    expect(minutes('2025-09-24T11:30:00', '2025-09-24T14:30:00')).toBe(60);
    expect(minutes('2025-09-24T18:00:00', '2025-09-25T08:00:00')).toBe(0);
    // Tue 09-30 17:00 → Thu 10-09 09:00: 30 + 30 minutes across the holiday.
    expect(minutes('2025-09-30T17:00:00', '2025-10-09T09:00:00')).toBe(60);
    expect(minutes('2025-09-24T12:00:00', '2025-09-24T10:00:00')).toBe(0);
  });
});

describe('the receipt state', () => {
  it('starts unsigned, signs with its minutes, and tells late from on time', () => {
    const r = startReceipt(1, local('2025-09-24T10:00:00'), 2, TZ, cal);
    expect(r).toMatchObject({ round: 1, at: null, by: null, workingMinutes: null });
    expect(awaitingReceipt({ status: 'open', receipt: r })).toBe(true);
    expect(awaitingReceipt({ status: 'open', receipt: null })).toBe(false);
    const onTime = signReceipt(r, local('2025-09-24T11:00:00'), 'u1', TZ, cal);
    expect(onTime).toMatchObject({ by: 'u1', workingMinutes: 60 });
    expect(signedLate(onTime)).toBe(false);
    expect(awaitingReceipt({ status: 'open', receipt: onTime })).toBe(false);
    expect(signedLate(signReceipt(r, local('2025-09-25T09:00:00'), 'u1', TZ, cal))).toBe(true);
  });

  it('wakes the sweep at the earlier of the ladder and an unsigned, unnoticed receipt', () => {
    const r = startReceipt(1, local('2025-09-24T10:00:00'), null, TZ, cal);
    const base = { status: 'open', nextActionAt: '2025-12-01T00:00:00.000Z' };
    expect(sweepWakeAt({ ...base, receipt: r })).toBe(r.dueAt);
    expect(sweepWakeAt({ ...base, nextActionAt: null, receipt: r })).toBe(r.dueAt);
    expect(sweepWakeAt({ ...base, receipt: r, receiptNoticedAt: r.dueAt })).toBe(base.nextActionAt);
    expect(sweepWakeAt({ ...base, receipt: { ...r, at: r.since } })).toBe(base.nextActionAt);
    expect(sweepWakeAt({ ...base, nextActionAt: '2025-09-20T00:00:00.000Z', receipt: r })).toBe(
      '2025-09-20T00:00:00.000Z',
    );
    expect(sweepWakeAt({ ...base, status: 'submitted', receipt: r })).toBe(base.nextActionAt);
  });
});
