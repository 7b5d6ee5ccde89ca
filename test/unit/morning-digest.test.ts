import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  composeDigest,
  DIGEST_LINES_PER_SECTION,
  type DigestDuty,
  digestMarkdown,
  isDigestDay,
} from '../../shared/domain/digest/morning-digest.js';

const TZ = 'Asia/Shanghai';
const calendar = createWorkingCalendar([]);
const shanghai = (local: string) => new Date(`${local}+08:00`);

const duty = (over: Partial<DigestDuty> & { id: string }): DigestDuty => ({
  title: `任务 ${over.id}`,
  status: 'open',
  dueAt: shanghai('2025-10-20T17:30:00').toISOString(),
  returns: 0,
  awaitingConfirmationFrom: null,
  unitName: '城关镇',
  ...over,
});

describe('the morning digest', () => {
  it('goes out on working days only: not on the National Day holiday, but on the make-up Saturday', () => {
    // 2025: 10月1日–8日 off, 9月28日 (Sunday) and 10月11日 (Saturday) are working days.
    expect(isDigestDay(shanghai('2025-10-03T08:30:00'), TZ, calendar)).toBe(false);
    expect(isDigestDay(shanghai('2025-10-11T08:30:00'), TZ, calendar)).toBe(true);
    expect(isDigestDay(shanghai('2025-10-12T08:30:00'), TZ, calendar)).toBe(false);
    expect(isDigestDay(shanghai('2025-10-09T08:30:00'), TZ, calendar)).toBe(true);
  });

  it('is null when nothing needs the unit', () => {
    const now = shanghai('2025-10-13T08:30:00');
    const digest = composeDigest({
      unitId: 'town',
      now,
      timeZone: TZ,
      calendar,
      duties: [
        // Due next week, not returned, and a submission waiting for someone else.
        duty({ id: 'later', dueAt: shanghai('2025-10-21T17:30:00').toISOString() }),
        duty({ id: 'sub', status: 'submitted', awaitingConfirmationFrom: 'county' }),
        duty({ id: 'done', status: 'accepted' }),
      ],
    });
    expect(digest).toBeNull();
  });

  it('sorts each duty into one section, overdue counted in working days across the holiday', () => {
    // Thursday 9 October 2025, the first working day after the break.
    const now = shanghai('2025-10-09T08:30:00');
    const digest = composeDigest({
      unitId: 'town',
      now,
      timeZone: TZ,
      calendar,
      duties: [
        // Due on 30 September: 1 October to 8 October are holidays, so one working day late (9 Oct).
        duty({ id: 'late', dueAt: shanghai('2025-09-30T17:30:00').toISOString() }),
        // Overdue and returned: overdue wins.
        duty({ id: 'late-returned', dueAt: shanghai('2025-09-29T17:30:00').toISOString(), returns: 1 }),
        duty({ id: 'rework', dueAt: shanghai('2025-10-15T17:30:00').toISOString(), returns: 2 }),
        // Due Sunday 12 October end of day: still this week.
        duty({ id: 'sunday', dueAt: shanghai('2025-10-12T23:59:59.999').toISOString() }),
        duty({ id: 'next-week', dueAt: shanghai('2025-10-13T17:30:00').toISOString() }),
        duty({ id: 'confirm', status: 'submitted', awaitingConfirmationFrom: 'town', unitName: '东关村' }),
      ],
    });
    expect(digest).not.toBeNull();
    if (digest === null) return;
    expect(digest.date).toBe('2025-10-09');
    expect(digest.overdue.map((l) => [l.dutyId, l.workingDaysLate])).toEqual([
      ['late-returned', 2],
      ['late', 1],
    ]);
    expect(digest.returned.map((l) => l.dutyId)).toEqual(['rework']);
    expect(digest.dueThisWeek.map((l) => l.dutyId)).toEqual(['sunday']);
    expect(digest.toConfirm).toEqual([expect.objectContaining({ dutyId: 'confirm', fromUnit: '东关村' })]);

    const text = digestMarkdown(digest, '城关镇', 'https://duban.example.gov.cn/', TZ);
    expect(text.split('\n')[0]).toBe('**督办早间提醒 · 城关镇 · 10月9日(星期四)**');
    expect(text).toContain('**逾期未办 2 项**');
    expect(text).toContain(
      '[任务 late](https://duban.example.gov.cn/duties/late) 截止 9月30日,已逾期 1 个工作日',
    );
    expect(text).toContain('**待本单位确认 1 项**');
    expect(text).toContain('(东关村提交)');
    expect(text).not.toContain('//duties');
  });

  it('keeps the message short: a long section ends with how many more there are', () => {
    const now = shanghai('2025-10-13T08:30:00');
    const many = Array.from({ length: DIGEST_LINES_PER_SECTION + 3 }, (_, i) =>
      duty({ id: `d${i}`, title: `标题[${i}]`, dueAt: shanghai('2025-10-10T17:30:00').toISOString() }),
    );
    const digest = composeDigest({ unitId: 'town', now, timeZone: TZ, calendar, duties: many });
    if (digest === null) throw new Error('expected a digest');
    const text = digestMarkdown(digest, '城关镇', 'http://localhost:3000', TZ);
    expect(text.match(/^- \[/gm)).toHaveLength(DIGEST_LINES_PER_SECTION);
    expect(text).toContain('- 另有 3 项');
    // A bracket in a title cannot break the link.
    expect(text).toContain('[标题【0】](http://localhost:3000/duties/d0)');
  });
});
