/**
 * The 控辍保学 pages: the list shows each child masked, at today's stage; the case page shows the
 * child whole to the school, records the view in the audit trail, and refuses another school.
 */
import { beforeAll, describe, expect, it } from 'vitest';
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
});
