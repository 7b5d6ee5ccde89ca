import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { CalendarNoticeResult, YearCalendarView } from '../../shared/schemas/calendar.js';
import type { SweepResult } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { LEADER, testApp, unitUser } from '../fixtures/app.js';
import { NOTICE_2026, NOTICE_2027 } from '../fixtures/holiday-notices.js';
import { tableSnapshot } from '../fixtures/snapshot.js';
import { webApp } from './web-harness.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type ErrorBody = {
  error: { code: string; message: string; details: { fields: { field: string; message: string }[] } };
};

let api: Api;
let plan: Plan;

beforeAll(async () => {
  api = await testApp({ now: new Date('2026-12-01T02:00:00Z') });
  expect(
    (await api.call('POST', '/v1/units', { body: { id: 'village', name: '东街村', kind: 'village' } }))
      .status,
  ).toBe(201);
  plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '春季开学准备',
        phases: [{ key: 'work', name: '整改阶段', start: '2026-12-01', end: '2027-06-30' }],
      },
    })
  ).body;
});

const post = <T>(year: number, body: unknown, as = {}) =>
  api.call<T>('POST', `/v1/calendar/${year}/notice`, { body, ...as });

describe('the calendar from the State Council’s notice', () => {
  it('previews the parse and writes nothing', async () => {
    const before = await tableSnapshot(api.table);
    const res = await post<CalendarNoticeResult>(2027, { text: NOTICE_2027, mode: 'preview' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ year: 2027, mode: 'preview', saved: false, errors: [], version: 0 });
    expect(res.body.items.map((i) => i.name)).toEqual([
      '元旦',
      '春节',
      '清明节',
      '劳动节',
      '端午节',
      '中秋节',
      '国庆节',
    ]);
    expect(res.body.workdays).toEqual(['2027-02-14', '2027-04-25', '2027-05-08', '2027-09-26', '2027-10-09']);
    expect(res.body.calendar.source).toBe('weekdays');
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('previews a bad notice with its errors, and refuses to save it with a 400 naming the line', async () => {
    const bad = NOTICE_2027.replace('2月14日(周日)上班', '2月15日(周一)上班');
    const preview = await post<CalendarNoticeResult>(2027, { text: bad, mode: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.body.errors.map((e) => e.message)).toEqual([
      '第3行“二、春节”：调休上班日2月15日是星期一，只能是星期六或星期日',
    ]);
    expect(preview.body.errors[0]).toMatchObject({ line: 3, item: '春节' });

    const before = await tableSnapshot(api.table);
    const commit = await post<ErrorBody>(2027, { text: bad, mode: 'commit' });
    expect(commit.status).toBe(400);
    expect(commit.body.error.code).toBe('validation_failed');
    expect(commit.body.error.details.fields).toEqual([
      { field: 'text', message: '第3行“二、春节”：调休上班日2月15日是星期一，只能是星期六或星期日' },
    ]);
    expect(commit.body.error.message).toContain('第3行');
    const other = await post<ErrorBody>(2027, { text: NOTICE_2026, mode: 'commit' });
    expect(other.status).toBe(400);
    expect(other.body.error.details.fields[0]?.message).toBe('第1行：通知是2026年的，正在设置的是2027年');
    const empty = await post<ErrorBody>(2027, { text: '', mode: 'commit' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.fields[0]?.field).toBe('text');
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('is the office’s alone: everyone else gets 403 and nothing changes', async () => {
    const before = await tableSnapshot(api.table);
    for (const as of [LEADER, unitUser('village')]) {
      for (const mode of ['preview', 'commit']) {
        expect((await post(2027, { text: NOTICE_2027, mode }, { as })).status).toBe(403);
      }
    }
    expect((await post(2027, { text: NOTICE_2027, mode: 'preview' }, { as: null })).status).toBe(401);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('saves the year, audited with the text’s SHA-256, and the sweep counts working days by it', async () => {
    // Due Thu 2027-02-04 17:00. On plain weekdays escalation (+3 working days) is Tue 02-09; by the
    // notice, 02-05…02-13 are off and Sun 02-14 is on: 02-14, 02-15, 02-16 → Tue 02-16.
    const task = await api.call('POST', `/v1/plans/${plan.id}/tasks`, {
      body: {
        title: '开学前校舍安全排查',
        phaseKey: 'work',
        leadUnitId: 'village',
        dueAt: '2027-02-04T17:00:00+08:00',
      },
    });
    expect(task.status, task.text).toBe(201);

    const saved = await post<CalendarNoticeResult>(2027, {
      text: NOTICE_2027,
      mode: 'commit',
      expectedVersion: 0,
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({
      saved: true,
      version: 1,
      calendar: { source: 'override', updatedBy: 'office-1' },
    });
    const year = await api.call<YearCalendarView>('GET', '/v1/calendar/2027', { as: unitUser('village') });
    expect(year.body.holidays).toHaveLength(30);
    expect(year.body.workdays).toContain('2027-02-14');

    const audit = await api.call<{ items: AuditEventView[] }>('GET', '/v1/audit?limit=100');
    const event = audit.body.items.find((e) => e.action === 'calendar.notice');
    expect(event).toMatchObject({
      entityType: 'calendar',
      entityId: '2027',
      actor: 'office-1',
      before: null,
    });
    expect(event?.after?.noticeSha256).toBe(createHash('sha256').update(NOTICE_2027).digest('hex'));

    const sweep = async (at: string) => {
      api.setNow(new Date(at));
      const res = await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: plan.id } });
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    expect(await sweep('2027-02-04T09:30:00Z')).toMatchObject({ calendarFallbackYears: [] });
    expect(await sweep('2027-02-09T09:30:00Z')).toMatchObject({ written: 0, calendarFallbackYears: [] });
    expect(await sweep('2027-02-15T09:30:00Z')).toMatchObject({ written: 0 });
    expect(await sweep('2027-02-16T09:30:00Z')).toMatchObject({ written: 1 });
  });

  it('refuses a save over a version it did not preview (409), and keeps PUT working', async () => {
    const before = await tableSnapshot(api.table);
    const stale = await post<ErrorBody>(2027, { text: NOTICE_2027, mode: 'commit', expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(await tableSnapshot(api.table)).toBe(before);

    const put = await api.call<YearCalendarView>('PUT', '/v1/calendar/2027', {
      body: { holidays: ['2027-01-01'], workdays: [] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ source: 'override', holidays: ['2027-01-01'], workdays: [] });
    const again = await post<CalendarNoticeResult>(2027, {
      text: NOTICE_2027,
      mode: 'commit',
      expectedVersion: 2,
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body.version).toBe(3);
  });
});

describe('the 工作日历 page', () => {
  it('previews the notice as a month grid beside its sentences, then saves it', async () => {
    const web = await webApp({ now: new Date('2026-12-01T02:00:00Z') });
    const page = web.browser();
    await page.signIn('office');
    const start = await page.get('/calendar');
    expect(start.status).toBe(303);
    expect(start.location).toBe('/calendar/2027');
    const empty = await page.get('/calendar/2027');
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('无数据,按周一至周五计算');
    expect(empty.html).toContain('工作日历');

    const preview = await page.post('/calendar/2027', { text: NOTICE_2027, mode: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.html).toContain('预览(尚未保存)');
    expect(preview.html).toContain('二、春节:2月5日(农历除夕、周五)至13日(周六)放假调休,共9天。');
    expect(preview.html).toContain('2月5日至2月13日(9天)');
    expect(preview.html).toMatch(/<td class="on" data-date="2027-02-14"[^>]*>14班<\/td>/);
    expect(preview.html).toMatch(/<td class="off" data-date="2027-10-07"[^>]*>7休<\/td>/);
    expect(preview.html).toContain('name="expectedVersion" value="0"');
    expect(preview.html).toContain('确认保存为2027年工作日历');
    expect((await web.services.calendar.get({ sub: 'x', role: 'office' }, 2027)).source).toBe('weekdays');

    const bad = await page.post('/calendar/2027', {
      text: NOTICE_2027.replace('共9天', '共8天'),
      mode: 'commit',
      expectedVersion: '0',
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('第3行“二、春节”：“共8天”与2月5日至2月13日的9天不符');
    expect(bad.html).not.toContain('确认保存为');
    expect((await web.services.calendar.get({ sub: 'x', role: 'office' }, 2027)).source).toBe('weekdays');

    const saved = await page.post('/calendar/2027', {
      text: NOTICE_2027,
      mode: 'commit',
      expectedVersion: '0',
    });
    expect(saved.status, saved.html).toBe(303);
    expect(saved.location).toBe('/calendar/2027?ok=calendar');
    const after = await page.get('/calendar/2027?ok=calendar');
    expect(after.html).toContain('工作日历已保存');
    expect(after.html).toContain('本办公室设置');
    expect(after.html).toMatch(/<td class="on" data-date="2027-02-14"/);

    const stale = await page.post('/calendar/2027', {
      text: NOTICE_2027,
      mode: 'commit',
      expectedVersion: '0',
    });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('请重新预览后再保存');
  });

  it('is not shown to a leader or a unit', async () => {
    const web = await webApp({ now: new Date('2026-12-01T02:00:00Z') });
    const leader = web.browser();
    await leader.signIn('leader');
    expect((await leader.get('/calendar/2027')).status).toBe(403);
    expect((await leader.get('/plans')).html).not.toContain('href="/calendar"');
  });
});
