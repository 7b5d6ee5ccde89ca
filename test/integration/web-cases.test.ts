/**
 * The 控辍保学 pages: the list shows each child masked, at today's stage; the case page shows the
 * child whole to the school, records the view in the audit trail, and refuses another school.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { OFFICE, unitUser } from '../fixtures/app.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2025-10-09T02:00:00Z');

describe('控辍保学 pages', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let caseId: string;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    for (const u of [
      { id: 'town', name: '城关镇', kind: 'township' as const },
      { id: 'school-a', name: '城关中学', kind: 'school' as const, parentId: 'town' },
      { id: 'school-b', name: '城关二中', kind: 'school' as const, parentId: 'town' },
    ]) {
      await web.services.units.create(OFFICE, u, NOW);
    }
    caseId = (
      await web.services.cases.create(
        unitUser('school-a'),
        {
          childName: '张小明',
          gender: 'male',
          age: 13,
          grade: '七年级',
          className: '2班',
          schoolUnitId: 'school-a',
          townshipUnitId: 'town',
          guardian: { name: '张大山', phone: '13812345678' },
          groups: { registeredPoor: true, monitored: false, disabled: false, homeTeaching: false },
          teacher: { name: '王老师', phone: '13900001111' },
          leader: { name: '李校长', phone: '13900002222' },
          firstDayAbsent: '2025-09-25',
        },
        NOW,
      )
    ).id;
  });

  it('lists the school its children masked, at the stage computed today', async () => {
    const page = web.browser();
    await page.signIn('unit:school-a');
    const list = await page.get('/cases');
    expect(list.status).toBe(200);
    expect(list.html).toContain('张*明');
    expect(list.html).toContain('疑似辍学');
    expect(list.html).toContain('建档立卡');
    for (const whole of ['张小明', '张大山', '13812345678']) expect(list.html).not.toContain(whole);
    expect((await page.get('/cases?stage=absent')).html).not.toContain('张*明');
  });

  it('shows the case whole to its school and audits the view; another school gets 403', async () => {
    const page = web.browser();
    await page.signIn('unit:school-a');
    const whole = await page.get(`/cases/${caseId}`);
    expect(whole.status).toBe(200);
    expect(whole.html).toContain('张小明');
    expect(whole.html).toContain('13812345678');
    const events = await web.services.audit.list(OFFICE, {}, { limit: 100 });
    const views = events.items.filter((e) => e.action === 'case.view' && e.entityId === caseId);
    expect(views.map((e) => e.actor)).toEqual(['demo-school-a']);
    expect(JSON.stringify(events.items)).not.toContain('张小明');

    const other = web.browser();
    await other.signIn('unit:school-b');
    const refused = await other.get(`/cases/${caseId}`);
    expect(refused.status).toBe(403);
    expect(refused.html).not.toContain('张小明');
    expect((await other.get('/cases')).html).not.toContain('张*明');
  });

  it('shows a school its weekly form generated from its cases, and files it with one button', async () => {
    await web.services.units.create(OFFICE, { id: 'county', name: '县教育体育局', kind: 'bureau' }, NOW);
    const plan = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '控辍保学',
        phases: [{ key: 'work', name: '劝返复学', start: '2025-09-01' }],
      }),
      NOW,
    );
    await web.services.caseWeeklyForms.setUp(
      OFFICE,
      {
        planId: plan.id,
        phaseKey: 'work',
        schoolUnitIds: ['school-a', 'school-b'],
        weekday: 5,
        time: '12:00',
      },
      NOW,
    );
    const page = web.browser();
    await page.signIn('unit:school-a');
    const list = await page.get('/cases');
    const link = /href="(\/cases\/weekly-forms\/[^"]+)">第41周/.exec(list.html)?.[1];
    expect(link).toBeDefined();
    const form = await page.get(link ?? '');
    expect(form.status).toBe(200);
    expect(form.html).toContain('新增疑似辍学');
    expect(form.html).toContain('报送周报表');
    expect(form.html).not.toContain('零报告(本周无情况)');
    const filed = await page.post(link ?? '', { zeroReport: '0', version: '1' });
    expect(filed.status).toBe(303);
    expect((await page.get(link ?? '')).html).toContain('已报送');

    // school-b has no case: its button is the 零报告; school-a may not open its form.
    const other = web.browser();
    await other.signIn('unit:school-b');
    const zeroLink =
      /href="(\/cases\/weekly-forms\/[^"]+)">第41周/.exec((await other.get('/cases')).html)?.[1] ?? '';
    expect((await other.get(zeroLink)).html).toContain('零报告(本周无情况)');
    expect((await page.get(zeroLink)).status).toBe(403);
    expect((await other.post(zeroLink, { zeroReport: '1', version: '1' })).status).toBe(303);
  });
});
