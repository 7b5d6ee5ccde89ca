/**
 * The 留守儿童关爱档案 pages: a school files a care file from its list (masked), opens it whole
 * (the view audited), appends a support record; the office sets up a 师生结对 from the same page;
 * another school gets 403 and never sees the child.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { OFFICE } from '../fixtures/app.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2025-10-09T02:00:00Z');

describe('留守儿童关爱档案 pages', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let fileId: string;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    for (const u of [
      { id: 'town', name: '城关镇', kind: 'township' as const },
      { id: 'school-a', name: '城关小学', kind: 'school' as const, parentId: 'town' },
      { id: 'school-b', name: '城关二小', kind: 'school' as const, parentId: 'town' },
    ]) {
      await web.services.units.create(OFFICE, u, NOW);
    }
    await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '师生结对帮扶',
        phases: [{ key: 'work', name: '帮扶', start: '2025-09-01' }],
      }),
      NOW,
    );
  });

  it('files a care file from the school list, shown masked, with bad fields named and nothing filed', async () => {
    const page = web.browser();
    await page.signIn('unit:school-a');
    expect((await page.get('/cases')).html).toContain('href="/care-files"');
    const fields = {
      childName: '刘小红',
      grade: '四年级',
      className: '2班',
      village: '东街村三组',
      guardianName: '刘奶奶',
      guardianPhone: '13712345678',
      guardianRelation: '祖母',
      away: 'both',
    };
    const bad = await page.post('/care-files', { ...fields, childName: '', guardianPhone: '123' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('电话应为 11 位手机号');
    expect((await web.services.careFiles.list(OFFICE, {}, { limit: 10 })).items).toEqual([]);
    const filed = await page.post('/care-files', fields);
    expect(filed.status, filed.html).toBe(303);
    const list = await page.get('/care-files');
    expect(list.html).toContain('刘*红');
    expect(list.html).toContain('父母均外出务工');
    for (const whole of ['刘小红', '刘奶奶', '13712345678', '东街村三组'])
      expect(list.html).not.toContain(whole);
    fileId = /href="\/care-files\/([^"]+)"/.exec(list.html)?.[1] ?? '';
    expect(fileId).not.toBe('');
  });

  it('shows the file whole to its school, audited, and appends a support record', async () => {
    const page = web.browser();
    await page.signIn('unit:school-a');
    const whole = await page.get(`/care-files/${fileId}`);
    expect(whole.status).toBe(200);
    expect(whole.html).toContain('刘小红');
    expect(whole.html).toContain('13712345678');
    expect(whole.html).not.toContain('设置师生结对帮扶');
    const added = await page.post(`/care-files/${fileId}/records`, {
      kind: 'support',
      date: '2025-10-09',
      by: '王老师',
      content: '辅导数学作业',
    });
    expect(added.status, added.html).toBe(303);
    expect((await page.get(`/care-files/${fileId}`)).html).toContain('辅导数学作业');
    const events = await web.services.audit.list(OFFICE, {}, { limit: 100 });
    const views = events.items.filter((e) => e.action === 'care-file.view' && e.entityId === fileId);
    expect(views.map((e) => e.actor)).toEqual(['demo-school-a', 'demo-school-a']);
    expect(JSON.stringify(events.items)).not.toContain('刘小红');

    const other = web.browser();
    await other.signIn('unit:school-b');
    const refused = await other.get(`/care-files/${fileId}`);
    expect(refused.status).toBe(403);
    expect(refused.html).not.toContain('刘小红');
    expect((await other.get('/care-files')).html).not.toContain('刘*红');
  });

  it('lets the office set up a teacher–child pair from the file page', async () => {
    const page = web.browser();
    await page.signIn('office');
    const whole = await page.get(`/care-files/${fileId}`);
    expect(whole.status, whole.html).toBe(200);
    const planPhase = /name="planPhase"[\s\S]*?<option value="([^"]+)"/.exec(whole.html)?.[1] ?? '';
    expect(planPhase).toMatch(/\/work$/);
    const bad = await page.post(`/care-files/${fileId}/pairs`, {
      planPhase,
      teacherName: '',
      teacherPhone: '1',
    });
    expect(bad.status).toBe(400);
    const set = await page.post(`/care-files/${fileId}/pairs`, {
      planPhase,
      teacherName: '王老师',
      teacherPhone: '13900001111',
    });
    expect(set.status, set.html).toBe(303);
    const after = await page.get(`/care-files/${fileId}`);
    expect(after.html).toContain('结对教师 王老师');
  });

  it('shows each pair’s duties of this period, 待记录 then 已记录 once a record closes them, 逾期 when missed', async () => {
    const page = web.browser();
    await page.signIn('unit:school-a');
    const before = await page.get(`/care-files/${fileId}`);
    expect(before.html).toMatch(/data-period="本周帮扶记录" data-state="pending"[\s\S]*?待记录/);
    expect(before.html).toMatch(/data-period="本月家访" data-state="pending"/);
    const added = await page.post(`/care-files/${fileId}/records`, {
      kind: 'support',
      date: '2025-10-09',
      by: '王老师',
      content: '辅导语文作业',
    });
    expect(added.status, added.html).toBe(303);
    expect(added.location).toContain('ok=care-record-duty');
    const after = await page.get(added.location ?? '');
    expect(after.html).toContain('帮扶记录已追加,并已提交本期结对任务');
    expect(after.html).toMatch(/data-period="本周帮扶记录" data-state="recorded"[\s\S]*?已记录/);
    expect(after.html).toMatch(/data-period="本月家访" data-state="pending"/);
    // The next week passes with no record: its duty is late.
    web.setNow(new Date('2025-10-18T02:00:00Z'));
    const late = await page.get(`/care-files/${fileId}`);
    expect(late.html).toMatch(/data-period="本周帮扶记录" data-state="overdue"[\s\S]*?逾期/);
    web.setNow(NOW);
  });
});
