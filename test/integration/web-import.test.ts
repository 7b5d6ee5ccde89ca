import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import { assignEach } from '../../shared/services/assign-each.js';
import { ORIGIN, webApp } from './web-harness.js';

const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

type Web = Awaited<ReturnType<typeof webApp>>;

const CSV = [
  '序号,工作任务,责任单位,配合单位,完成时限',
  '1,报送校舍安全排查台账,城关镇,"东街村、城关镇中心小学",12月1日前',
  '2,报送控辍保学周报表,城关镇中心小学,,每周五上午',
  '',
].join('\r\n');

describe('pages: importing a task table, and 分别交办 as one idempotent operation', () => {
  let web: Web;
  let planId: string;

  const tasks = async () => (await web.services.plans.listTasks(OFFICE, planId, { limit: 100 })).items;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  async function upload(page: ReturnType<Web['browser']>, fields: Record<string, string>, file: string) {
    const form = new FormData();
    form.append('_csrf', await page.csrf());
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new File([file], '任务分解表.csv', { type: 'text/csv' }));
    const res = await web.app.request(`/plans/${planId}/imports`, {
      method: 'POST',
      body: form,
      headers: { cookie: `duban_session=${page.cookie() ?? ''}`, origin: ORIGIN },
    });
    return { status: res.status, html: await res.text() };
  }

  it('offers the file picker and the template on the task entry page', async () => {
    const page = web.browser();
    await page.signIn('office');
    const entry = await page.get(`/plans/${planId}/tasks/new`);
    expect(entry.html).toContain('enctype="multipart/form-data"');
    expect(entry.html).toContain(`/plans/${planId}/imports/template.xlsx`);
    const template = await page.get(`/plans/${planId}/imports/template.xlsx`);
    expect(template.status).toBe(200);
    expect(template.headers.get('content-type')).toContain('spreadsheetml');
  });

  it('previews (writing nothing), then imports the same file once', async () => {
    const page = web.browser();
    await page.signIn('office');
    const before = (await tasks()).length;
    const preview = await upload(page, { mode: 'preview' }, CSV);
    expect(preview.status, preview.html.slice(0, 500)).toBe(200);
    expect(preview.html).toContain('12月1日前 → 2026-12-01 当天结束前');
    expect(preview.html).toContain('每周五上午 → 每周五 12:00 前');
    expect(preview.html).toContain('name="sha256"');
    // Nine columns: on a phone the table scrolls sideways (and says so), never squeezed.
    expect(preview.html).toContain('<div class="scroll" tabindex="0"><table>');
    expect((await tasks()).length).toBe(before);

    const sha = preview.html.match(/name="sha256" value="([0-9a-f]{64})"/)?.[1] ?? '';
    const done = await upload(page, { mode: 'commit', sha256: sha }, CSV);
    expect(done.html).toContain('已导入:新建 2 条任务');
    expect((await tasks()).length).toBe(before + 2);
    const again = await upload(page, { mode: 'commit', sha256: sha }, CSV);
    expect(again.html).toContain('新建 0 条任务,2 条此前已导入');
    expect((await tasks()).length).toBe(before + 2);
  });

  it('shows each error with its row and column, and refuses a file other than the one previewed', async () => {
    const page = web.browser();
    await page.signIn('office');
    const bad = await upload(page, { mode: 'preview' }, '工作任务,责任单位,完成时限\r\n摸排,城关,尽快\r\n');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('第 2 行 B 列(责任单位)');
    expect(bad.html).toContain('第 2 行 C 列(完成时限)');
    const swapped = await upload(page, { mode: 'commit', sha256: '0'.repeat(64) }, CSV);
    expect(swapped.status).toBe(400);
    expect(swapped.html).toContain('不是同一个文件');
  });

  it('assigns each unit its own task once, whatever is retried', async () => {
    const input = {
      title: '报送联系人',
      phaseKey: 'self-check',
      dueAt: '2026-11-30',
      kind: 'task' as const,
      signOffLevels: 0,
    };
    const units = ['justice-bureau', 'youth-league', 'chengguan-town'];
    // A first attempt that stopped after the first unit.
    const first = await assignEach(
      web.services.plans,
      OFFICE,
      planId,
      input,
      units.slice(0, 1),
      'form-1',
      NOW,
    );
    expect(first.created).toBe(1);
    const retry = await assignEach(web.services.plans, OFFICE, planId, input, units, 'form-1', NOW);
    expect([retry.created, retry.existing]).toEqual([2, 1]);
    const made = (await tasks()).filter((t) => t.title === '报送联系人');
    expect(made.map((t) => t.leadUnitId).sort()).toEqual([...units].sort());
  });
});
