import { describe, expect, it } from 'vitest';
import {
  DUTY_EVENTS,
  DUTY_STATUS_LABELS,
  DUTY_STATUSES,
  type DutyEvent,
  type DutyStatus,
  isDutyStatus,
  transition,
} from '../../shared/domain/duty/duty-status.js';

describe('duty statuses', () => {
  it('are open, submitted and accepted, each with a Chinese label', () => {
    expect(DUTY_STATUSES).toEqual(['open', 'submitted', 'accepted']);
    expect(DUTY_STATUS_LABELS).toEqual({ open: '待办', submitted: '已提交', accepted: '已办结' });
  });

  it.each(['open', 'submitted', 'accepted'])('recognises %s', (value) => {
    expect(isDutyStatus(value)).toBe(true);
  });

  it.each(['', 'Open', 'returned', 'closed', 'toString'])('does not recognise %j', (value) => {
    expect(isDutyStatus(value)).toBe(false);
  });
});

describe('transition: allowed', () => {
  it('submit takes an open duty to submitted', () => {
    expect(transition('open', 'submit')).toEqual({ ok: true, to: 'submitted', returned: false });
  });

  it('accept takes a submitted duty to accepted', () => {
    expect(transition('submitted', 'accept')).toEqual({ ok: true, to: 'accepted', returned: false });
  });

  it('return takes a submitted duty back to open and marks a new round', () => {
    expect(transition('submitted', 'return')).toEqual({ ok: true, to: 'open', returned: true });
  });

  it('a returned duty can be submitted again', () => {
    const returned = transition('submitted', 'return');
    if (!returned.ok) throw new Error(returned.message);
    expect(transition(returned.to, 'submit')).toEqual({ ok: true, to: 'submitted', returned: false });
  });
});

describe('transition: refused', () => {
  it.each([
    ['open', 'accept', '任务当前状态为“待办”，尚未提交，不能办结'],
    ['open', 'return', '任务当前状态为“待办”，尚未提交，不能退回'],
    ['submitted', 'submit', '任务当前状态为“已提交”，不能再次提交'],
    ['accepted', 'submit', '任务当前状态为“已办结”，已经办结，不能再提交'],
    ['accepted', 'accept', '任务当前状态为“已办结”，不能再次办结'],
    ['accepted', 'return', '任务当前状态为“已办结”，已经办结，不能退回'],
  ] as const)('%s + %s: %s', (status, event, message) => {
    expect(transition(status, event)).toEqual({ ok: false, message });
  });

  it('covers every status and event: exactly three pairs are allowed', () => {
    const allowed: string[] = [];
    for (const status of DUTY_STATUSES) {
      for (const event of DUTY_EVENTS) {
        const result = transition(status, event);
        if (result.ok) {
          allowed.push(`${status}+${event}->${result.to}`);
        } else {
          expect(result.message).toMatch(/^任务当前状态为“.+”，.+$/);
        }
      }
    }
    expect(allowed).toEqual([
      'open+submit->submitted',
      'submitted+accept->accepted',
      'submitted+return->open',
    ]);
  });

  it('refuses a status or event it does not know (bad data from storage or a client)', () => {
    const result = transition('archived' as DutyStatus, 'reopen' as DutyEvent);
    expect(result).toEqual({ ok: false, message: '任务当前状态为“archived”，不能执行“reopen”操作' });
    expect(transition('open', 'reopen' as DutyEvent)).toEqual({
      ok: false,
      message: '任务当前状态为“待办”，不能执行“reopen”操作',
    });
  });
});
