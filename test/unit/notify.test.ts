import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeMessage, inMessages, type MessageNotice } from '../../shared/domain/notify/message.js';
import { DEFAULT_QUIET_HOURS, isQuiet, releaseAt } from '../../shared/domain/notify/quiet-hours.js';
import { MAX_ATTEMPTS, nextAttemptAt } from '../../shared/domain/notify/retry-policy.js';
import { dingTalkSign, webhookSignature } from '../../shared/notify/senders.js';

const shanghai = (local: string) => new Date(`${local}+08:00`);

describe('quiet hours', () => {
  it('is quiet from 22:00 to 07:30 Shanghai, across midnight', () => {
    expect(isQuiet(shanghai('2026-05-20T21:59:59'), DEFAULT_QUIET_HOURS)).toBe(false);
    expect(isQuiet(shanghai('2026-05-20T22:00:00'), DEFAULT_QUIET_HOURS)).toBe(true);
    expect(isQuiet(shanghai('2026-05-21T03:00:00'), DEFAULT_QUIET_HOURS)).toBe(true);
    expect(isQuiet(shanghai('2026-05-21T07:29:59'), DEFAULT_QUIET_HOURS)).toBe(true);
    expect(isQuiet(shanghai('2026-05-21T07:30:00'), DEFAULT_QUIET_HOURS)).toBe(false);
  });

  it('releases held notices at the window’s end: tomorrow’s before midnight, today’s after', () => {
    expect(releaseAt(shanghai('2026-05-20T23:00:00'), 'overdue', DEFAULT_QUIET_HOURS)).toEqual(
      shanghai('2026-05-21T07:30:00'),
    );
    expect(releaseAt(shanghai('2026-05-21T01:00:00'), 'overdue', DEFAULT_QUIET_HOURS)).toEqual(
      shanghai('2026-05-21T07:30:00'),
    );
    const noon = shanghai('2026-05-21T12:00:00');
    expect(releaseAt(noon, 'overdue', DEFAULT_QUIET_HOURS)).toEqual(noon);
  });

  it('lets urgent levels through, and takes a window within one day and an empty one', () => {
    const night = shanghai('2026-05-20T23:00:00');
    expect(
      releaseAt(night, 'accountability', { ...DEFAULT_QUIET_HOURS, urgentLevels: ['accountability'] }),
    ).toEqual(night);
    const lunch = { ...DEFAULT_QUIET_HOURS, start: '12:00', end: '14:00' };
    expect(isQuiet(shanghai('2026-05-20T13:00:00'), lunch)).toBe(true);
    expect(isQuiet(shanghai('2026-05-20T23:00:00'), lunch)).toBe(false);
    expect(isQuiet(night, { ...DEFAULT_QUIET_HOURS, start: '00:00', end: '00:00' })).toBe(false);
  });
});

describe('messages', () => {
  const notice = (i: number): MessageNotice => ({
    id: `n${i}`,
    dutyId: `d${i}`,
    dutyTitle: i === 1 ? '报送*周报表*' : `任务 ${i}`,
    unitId: 'village',
    level: 'overdue',
    levelLabel: '逾期催办',
    dueAt: '2026-05-20T09:00:00Z',
    workingDaysLate: i === 1 ? 2 : 0,
  });

  it('names the duty, unit, level, due time and the duty’s page, and @-mentions by phone', () => {
    const m = composeMessage([notice(1)], {
      unitNames: new Map([['village', '东街村']]),
      baseUrl: 'https://duban.example.gov.cn/',
      mentionMobiles: ['13800001234'],
    });
    expect(m.title).toBe('【逾期催办】报送*周报表*');
    expect(m.markdown).toContain('报送\\*周报表\\*');
    expect(m.markdown).toContain('责任单位:东街村;截止:2026-05-20 17:00,已逾期 2 个工作日');
    expect(m.markdown).toContain('(https://duban.example.gov.cn/duties/d1)');
    expect(m.markdown).toContain('@13800001234');
  });

  it('gathers many notices into messages of at most ten', () => {
    const all = Array.from({ length: 23 }, (_, i) => notice(i + 2));
    expect(inMessages(all).map((b) => b.length)).toEqual([10, 10, 3]);
    const m = composeMessage(all.slice(0, 10), {
      unitNames: new Map(),
      baseUrl: 'https://x',
      mentionMobiles: [],
    });
    expect(m.title).toBe('【督办通知】10 项');
    expect(new TextEncoder().encode(m.markdown).length).toBeLessThan(4096);
  });
});

describe('signatures and retries', () => {
  it('signs DingTalk as Base64 HMAC-SHA256 over timestamp, newline, secret', () => {
    const expected = createHmac('sha256', 'SECabc').update('1700000000000\nSECabc').digest('base64');
    expect(dingTalkSign(1700000000000, 'SECabc')).toBe(expected);
    expect(webhookSignature('1700000000', '{}', 'k')).toBe(
      `sha256=${createHmac('sha256', 'k').update('1700000000.{}').digest('hex')}`,
    );
  });

  it('backs off exponentially, honours Retry-After, and stops on final errors or after the last attempt', () => {
    const now = new Date('2026-05-20T00:00:00Z');
    const busy = { ok: false as const, retryable: true, reason: '429' };
    expect(nextAttemptAt(now, 1, busy)?.getTime()).toBe(now.getTime() + 30_000);
    expect(nextAttemptAt(now, 3, busy)?.getTime()).toBe(now.getTime() + 120_000);
    expect(nextAttemptAt(now, 1, { ...busy, retryAfterMs: 90_000 })?.getTime()).toBe(now.getTime() + 90_000);
    expect(nextAttemptAt(now, MAX_ATTEMPTS, busy)).toBeNull();
    expect(nextAttemptAt(now, 1, { ok: false, retryable: false, reason: '310000' })).toBeNull();
  });
});
