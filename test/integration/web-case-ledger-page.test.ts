/**
 * The 台账 page's filters and pagination (township, school, stage, late only; a page at a time by
 * cursor), its frozen snapshots (made by the office from the page, listed with downloads, refused
 * to townships and schools) and the 送教上门 form, through the real app on DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateCaseSchema } from '../../shared/schemas/cases.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { OFFICE, unitUser } from '../fixtures/app.js';
import { caseChild, caseUnits } from '../fixtures/case-child.js';
import { webApp } from './web-harness.js';

// Thursday 9 October 2025, 10:00 in Shanghai.
const NOW = new Date('2025-10-09T02:00:00Z');

/** The case ids of a page's rows, in order. */
const rowsOf = (html: string) => [...html.matchAll(/<tr data-case="([^"]+)"/g)].map((m) => m[1]);
const nextOf = (html: string) => html.match(/<a href="([^"]+)" rel="next">/)?.[1]?.replaceAll('&amp;', '&');

describe('台账 page: filters, pagination, snapshots and 送教上门', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    for (const u of caseUnits({ 'school-b': { name: '城关小学' } })) {
      await web.services.units.create(OFFICE, u, NOW);
    }
    const add = async (key: string, over: Record<string, unknown>) => {
      const school = (over.schoolUnitId as string | undefined) ?? 'school-a';
      const body = CreateCaseSchema.parse(caseChild(over));
      id[key] = (await web.services.cases.create(unitUser(school), body, NOW)).id;
    };
    // Suspected since 8 September: its contact step is long overdue (red).
    await add('late', { childName: '钱小三', firstDayAbsent: '2025-09-01', groups: {} });
    await add('suspected', {});
    await add('absent', { childName: '李小四', firstDayAbsent: '2025-09-30', groups: {} });
    await add('schoolB', { childName: '吴小九', schoolUnitId: 'school-b', groups: {} });
    await add('town2', {
      childName: '王小五',
      schoolUnitId: 'school-c',
      townshipUnitId: 'town-2',
      groups: { disabled: true, homeTeaching: true },
    });
  });

  it('filters by township, school, stage and late steps, saying how the page reads', async () => {
    const page = web.browser();
    await page.signIn('office');
    const all = await page.get('/cases/ledger');
    expect(all.status, JSON.stringify(web.errors)).toBe(200);
    expect(rowsOf(all.html).sort()).toEqual(Object.values(id).sort());
    expect(all.html).toContain('data-reads');
    expect(all.html).toContain('每页读取一次');
    for (const whole of ['钱小三', '王小五', '张大山', '13812345678']) expect(all.html).not.toContain(whole);

    expect(rowsOf((await page.get('/cases/ledger?township=town-2')).html)).toEqual([id.town2]);
    expect(rowsOf((await page.get('/cases/ledger?school=school-b')).html)).toEqual([id.schoolB]);
    expect(rowsOf((await page.get('/cases/ledger?stage=absent')).html)).toEqual([id.absent]);
    const late = await page.get('/cases/ledger?late=1');
    expect(rowsOf(late.html)).toEqual([id.late]);
    expect(late.html).toContain('b-red');
    expect(late.html).toMatch(/name="late" value="1" checked/);
    // The township's filter keeps its own schools only.
    const town = web.browser();
    await town.signIn('unit:town');
    const own = await town.get('/cases/ledger?school=school-c');
    expect(own.status).toBe(200);
    expect(rowsOf(own.html)).toEqual([]);
    expect(own.html).not.toContain('柳湾中学');
    expect(rowsOf((await town.get('/cases/ledger')).html).sort()).toEqual(
      [id.late, id.suspected, id.absent, id.schoolB].sort(),
    );
  });

  it('pages by cursor in the ledger order, each row once', async () => {
    const page = web.browser();
    await page.signIn('office');
    const seen: string[] = [];
    let next: string | undefined = '/cases/ledger?limit=2';
    let pages = 0;
    while (next !== undefined) {
      const res = await page.get(next);
      expect(res.status).toBe(200);
      const rows = rowsOf(res.html);
      expect(rows.length).toBeLessThanOrEqual(2);
      seen.push(...(rows as string[]));
      next = nextOf(res.html);
      if (next !== undefined) expect(next).toContain('limit=2');
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    // First day absent, earliest first.
    expect(seen[0]).toBe(id.late);
    expect(seen.at(-1)).toBe(id.absent);
  });

  it('lets the office freeze a snapshot from the page, lists it with downloads, once per date', async () => {
    const page = web.browser();
    await page.signIn('office');
    const made = await page.post('/cases/ledger/reports', { asOf: '2025-10-08' });
    expect(made.status, made.html).toBe(303);
    expect(made.location).toContain('made=ledger-2025-10-08&created=1');
    const listed = await page.get(made.location ?? '');
    expect(listed.html).toContain('已生成台账快照');
    expect(listed.html).toContain('data-snapshot="ledger-2025-10-08"');
    expect(listed.html).toContain('/cases/ledger/reports/ledger-2025-10-08/export?format=xlsx');
    const again = await page.post('/cases/ledger/reports', { asOf: '2025-10-08' });
    expect(again.location).toContain('created=0');
    const csv = await page.get('/cases/ledger/reports/ledger-2025-10-08/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.html.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('疑似失学辍学人员台账(截至 2025-10-08)');
    const future = await page.post('/cases/ledger/reports', { asOf: '2025-10-10' });
    expect(future.status).toBe(400);
    expect(future.html).toContain('截止日期');

    const leader = web.browser();
    await leader.signIn('leader');
    const read = await leader.get('/cases/ledger');
    expect(read.html).toContain('data-snapshot="ledger-2025-10-08"');
    expect(read.html).not.toContain('action="/cases/ledger/reports"');

    const town = web.browser();
    await town.signIn('unit:town');
    expect((await town.get('/cases/ledger')).html).not.toContain('data-snapshot');
    expect((await town.get('/cases/ledger/reports/ledger-2025-10-08/export?format=csv')).status).toBe(403);
    expect((await town.post('/cases/ledger/reports', { asOf: '2025-10-07' })).status).toBe(403);
    const school = web.browser();
    await school.signIn('unit:school-a');
    expect((await school.post('/cases/ledger/reports', { asOf: '2025-10-07' })).status).toBe(403);
    expect((await web.services.caseLedgerReports.list(OFFICE, { limit: 10 })).items).toHaveLength(1);

    const events = await web.services.audit.list(OFFICE, {}, { limit: 500 });
    expect(
      events.items.filter((e) => e.action === 'case.export' && e.entityId === 'ledger-2025-10-08'),
    ).toHaveLength(1);
  });

  it('sets up 送教上门 for a child from the ledger, once, and refuses a child not registered for it', async () => {
    const plan = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '控辍保学',
        phases: [{ key: 'work', name: '劝返复学', start: '2025-09-01', end: '2026-01-31' }],
      }),
      NOW,
    );
    const page = web.browser();
    await page.signIn('office');
    const ledger = await page.get('/cases/ledger?township=town-2');
    expect(ledger.html).toContain(`href="/cases/${id.town2}/home-teaching"`);
    const form = await page.get(`/cases/${id.town2}/home-teaching`);
    expect(form.status).toBe(200);
    expect(form.html).toContain(`value="${plan.id}|work"`);
    expect(form.html).not.toContain('王小五');
    const fields = { plan: `${plan.id}|work`, weekday: '5', time: '17:00' };
    const done = await page.post(`/cases/${id.town2}/home-teaching`, fields);
    expect(done.status, done.html).toBe(200);
    expect(done.html).toContain('送教上门任务已设置');
    expect(done.html).toContain('每周五 17:00 前');
    expect((await page.post(`/cases/${id.town2}/home-teaching`, fields)).html).toContain('此前已设置');

    const bad = await page.post(`/cases/${id.town2}/home-teaching`, { ...fields, time: '25:00' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('时间格式应为 HH:MM');
    const notRegistered = await page.post(`/cases/${id.absent}/home-teaching`, fields);
    expect(notRegistered.status).toBe(400);
    expect(notRegistered.html).toContain('未登记为送教上门');

    const town = web.browser();
    await town.signIn('unit:town-2');
    expect((await town.post(`/cases/${id.town2}/home-teaching`, fields)).status).toBe(403);
  });
});
