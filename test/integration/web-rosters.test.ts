import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import { CreateSemesterSchema } from '../../shared/schemas/rosters.js';
import { ORIGIN, webApp } from './web-harness.js';

const NOW = new Date('2026-09-03T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

type Web = Awaited<ReturnType<typeof webApp>>;

const CSV = [
  '花名册类别,姓名,年级,班级,居住乡镇,居住村,监护人姓名,监护人电话,学籍号,已核实在外就读',
  '无学籍人员,张小明,三年级,2班,城关镇,东街村,张大山,13812345678,,',
  '籍在人不在,李小红,五年级,1班,城关镇,西街村,李建国,13900001111,G110101201203150012,否',
  '',
].join('\r\n');

describe('pages: a school files its three rosters; the bureau reads and downloads the ledger', () => {
  let web: Web;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    const { planId } = await seedDemo(web.services, NOW);
    await web.services.semesters.create(
      OFFICE,
      CreateSemesterSchema.parse({
        id: '2026-autumn',
        name: '2026秋季学期',
        startDate: '2026-09-01',
        planId,
      }),
      NOW,
    );
  });

  async function upload(page: ReturnType<Web['browser']>, fields: Record<string, string>, file: string) {
    const form = new FormData();
    form.append('_csrf', await page.csrf());
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new File([file], '花名册.csv', { type: 'text/csv' }));
    const res = await web.app.request('/rosters/imports', {
      method: 'POST',
      body: form,
      headers: { cookie: `duban_session=${page.cookie() ?? ''}`, origin: ORIGIN },
    });
    return { status: res.status, html: await res.text() };
  }

  it('previews masked, then files the same file once; the school sees its ledger', async () => {
    const school = web.browser();
    await school.signIn('unit:chengguan-primary');
    const empty = await school.get('/rosters');
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('导入本校三类花名册');
    expect(empty.html).toContain('台账中暂无人员');

    const preview = await upload(school, { semester: '2026-autumn', mode: 'preview' }, CSV);
    expect(preview.status, preview.html.slice(0, 400)).toBe(200);
    expect(preview.html).toContain('张*明');
    expect(preview.html).not.toContain('张小明');
    expect(preview.html).toContain('确认报送');

    const bad = await upload(
      school,
      { semester: '2026-autumn', mode: 'commit' },
      CSV.replace('13812345678', '138'),
    );
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('第 2 行 H 列(监护人电话)');
    expect(bad.html).toContain('台账中暂无人员');

    const filed = await upload(school, { semester: '2026-autumn', mode: 'commit' }, CSV);
    expect(filed.status, filed.html.slice(0, 400)).toBe(200);
    expect(filed.html).toContain('已报送:写入 2 人');
    expect(filed.html).toContain('李*红');
    const again = await upload(school, { semester: '2026-autumn', mode: 'commit' }, CSV);
    expect(again.html).toContain('已报送:写入 0 人(此文件此前已报送,未重复写入)');
  });

  it('shows the bureau the county ledger with download links, and another school none of it', async () => {
    const office = web.browser();
    await office.signIn('office');
    const page = await office.get('/rosters?semester=2026-autumn');
    expect(page.html).toContain('城关镇中心小学');
    expect(page.html).toContain('张*明');
    expect(page.html).not.toContain('导入本校三类花名册');
    const csv = await web.app.request('/rosters/export?semester=2026-autumn&format=csv', {
      headers: { cookie: `duban_session=${office.cookie() ?? ''}` },
    });
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('序号,乡镇,学校,花名册类别,姓名');
    expect(text).toContain('城关镇中心小学,无学籍人员,张*明');

    const other = web.browser();
    await other.signIn('unit:hexi-central-school');
    const theirs = await other.get('/rosters');
    expect(theirs.html).toContain('台账中暂无人员');
    expect(theirs.html).not.toContain('张*明');
  });
  it('lets the office set a semester on a page, naming the fields it refuses', async () => {
    const office = web.browser();
    await office.signIn('office');
    const blank = await office.get('/semesters/new');
    expect(blank.status).toBe(200);
    const planId = blank.html.match(/<option value="([^"]+)"/)?.[1] ?? '';
    const bad = await office.post('/semesters', {
      id: 'Spring 2027',
      name: '',
      startDate: '2027-02-20',
      planId,
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('学期编号只能由小写字母');
    const good = await office.post('/semesters', {
      id: '2027-spring',
      name: '2027春季学期',
      startDate: '2027-02-20',
      endDate: '',
      planId,
    });
    expect(good.status, good.html.slice(0, 300)).toBe(303);
    expect(good.location).toBe('/rosters?semester=2027-spring');
    const semester = await web.services.semesters.get(OFFICE, '2027-spring');
    expect(semester.rosterDueAt).toBe('2027-03-06T15:59:59.999Z');

    const school = web.browser();
    await school.signIn('unit:chengguan-primary');
    expect((await school.get('/semesters/new')).status).toBe(403);
  });
});
