/**
 * The 控辍保学 forms: a school records an absence (picked from its roster, or typed), logs a 劝返
 * step with a file, records the return and confirms the registry; bad input writes nothing, and
 * another school gets 403 on every form and file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import { CreateCaseSchema } from '../../shared/schemas/cases.js';
import type { EvidenceUpload } from '../../shared/schemas/evidence.js';
import { CreateSemesterSchema } from '../../shared/schemas/rosters.js';
import { OFFICE, unitUser } from '../fixtures/app.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-09-10T10:00:00+08:00');
const SCHOOL = 'chengguan-primary';
const OTHER = 'hexi-central-school';

type Web = Awaited<ReturnType<typeof webApp>>;
type Browser = ReturnType<Web['browser']>;

const CSV = [
  '花名册类别,姓名,年级,班级,居住乡镇,居住村,监护人姓名,监护人电话,学籍号,已核实在外就读',
  '籍在人不在,李小红,五年级,1班,城关镇,西街村,李建国,13900001111,G110101201203150012,否',
  '',
].join('\r\n');

/** A whole absence form as a clerk types it (everything a case needs). */
const ABSENCE = {
  childName: '王小军',
  gender: 'male',
  age: '12',
  birthYearMonth: '',
  grade: '六年级',
  className: '3班',
  firstDayAbsent: '2026-09-08',
  'guardian.name': '王大力',
  'guardian.phone': '13711112222',
  'teacher.name': '赵老师',
  'teacher.phone': '13600003333',
  'leader.name': '孙校长',
  'leader.phone': '13600004444',
  village: '',
  registryNumber: '',
};

describe('控辍保学 forms', () => {
  let web: Web;
  let school: Browser;
  let other: Browser;

  const caseCount = async () => (await web.services.cases.list(OFFICE, {}, { limit: 100 }, NOW)).items.length;
  const formKey = (html: string) => /name="_formKey" value="([^"]+)"/.exec(html)?.[1] ?? '';

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
    await web.services.rosters.commit(
      unitUser(SCHOOL),
      { semester: '2026-autumn' },
      new TextEncoder().encode(CSV),
      NOW,
    );
    school = web.browser();
    await school.signIn(`unit:${SCHOOL}`);
    other = web.browser();
    await other.signIn(`unit:${OTHER}`);
  });

  it('offers the roster: one tap fills the form, the view is audited, the list stays masked', async () => {
    const list = await school.get('/cases');
    expect(list.html).toContain('href="/cases/new"');
    const blank = await school.get('/cases/new');
    expect(blank.status).toBe(200);
    expect(blank.html).toContain('从三类花名册选择学生');
    expect(blank.html).toContain('李*红');
    expect(blank.html).not.toContain('李小红');
    expect(blank.html).toContain('name="firstDayAbsent" value="2026-09-10"');
    const pick = /href="(\/cases\/new\?semester=[^"]+)"/.exec(blank.html)?.[1]?.replaceAll('&amp;', '&');
    expect(pick).toBeDefined();
    const filled = await school.get(pick ?? '');
    expect(filled.status).toBe(200);
    for (const whole of ['李小红', '李建国', '13900001111', 'G110101201203150012', '西街村', '五年级']) {
      expect(filled.html).toContain(whole);
    }
    const events = await web.services.audit.list(OFFICE, {}, { limit: 200 });
    expect(events.items.filter((e) => e.action === 'roster.view').map((e) => e.actor)).toEqual([
      `demo-${SCHOOL}`,
    ]);
    // Another school cannot open this child, nor record absences for the first school.
    const foreign = await other.get(pick ?? '');
    expect(foreign.status).toBe(404);
    expect(foreign.html).not.toContain('李小红');
  });

  it('refuses bad input with a summary and a message under each field, and writes nothing', async () => {
    const before = await caseCount();
    const page = await school.get('/cases/new');
    const bad = await school.post('/cases', {
      ...ABSENCE,
      _formKey: formKey(page.html),
      childName: '',
      gender: 'boy',
      'guardian.phone': '138',
      firstDayAbsent: '2026-09-30',
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('未登记,请修改以下问题');
    expect(bad.html).toContain('href="#childName"');
    expect(bad.html).toContain('性别只能选男或女');
    expect(bad.html).toContain('电话应为 11 位手机号或带区号的固定电话');
    expect(bad.html).toContain('value="王大力"');
    // The service's own check (a day after today) comes back the same way.
    const late = await school.post('/cases', {
      ...ABSENCE,
      _formKey: formKey(page.html),
      firstDayAbsent: '2026-09-30',
    });
    expect(late.status).toBe(400);
    expect(late.html).toContain('缺课日期不能晚于今天');
    expect(await caseCount()).toBe(before);
    // Only a school records an absence.
    const office = web.browser();
    await office.signIn('office');
    expect((await office.get('/cases/new')).status).toBe(403);
  });

  it('records the absence once per form, then the case page has the school its forms', async () => {
    const before = await caseCount();
    const page = await school.get('/cases/new');
    const fields = { ...ABSENCE, _formKey: formKey(page.html) };
    const made = await school.post('/cases', fields);
    expect(made.status).toBe(303);
    const again = await school.post('/cases', fields);
    expect(again.location).toBe(made.location);
    expect(await caseCount()).toBe(before + 1);
    const shown = await school.get(made.location ?? '');
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('已登记缺课');
    expect(shown.html).toContain('王小军');
    expect(shown.html).toContain('data-stage="absent"');
    expect(shown.html).toContain('记录劝返措施');
    expect(shown.html).toContain('登记复学');
    expect(shown.html).not.toContain('确认学籍系统已更新');
    // The school's own steps only: the bureau's and the township's are not offered to it.
    expect(shown.html).toContain('value="contact"');
    expect(shown.html).not.toContain('value="arrange"');
  });

  it('logs a 劝返 step with an uploaded 劝返通知书, returns the child and confirms the registry', async () => {
    const caseId =
      (await web.services.cases.list(unitUser(SCHOOL), {}, { limit: 10 }, NOW)).items[0]?.id ?? '';
    const path = `/cases/${caseId}`;

    // Bad step: nothing written, the problems under the fields.
    const badStep = await school.post(`${path}/steps`, {
      kind: 'contact',
      date: '',
      by: '',
      method: '',
      result: '',
    });
    expect(badStep.status).toBe(400);
    expect(badStep.html).toContain('劝返记录未保存');
    expect((await web.services.cases.view(OFFICE, caseId, NOW)).steps).toHaveLength(0);

    // The upload script's request, then the file to the URL it gets.
    const askUpload = await school.post(`${path}/evidence-uploads`, {
      fileName: 'notice.pdf',
      contentType: 'application/pdf',
      size: '9',
    });
    expect(askUpload.status).toBe(201);
    const upload = JSON.parse(askUpload.html) as EvidenceUpload;
    expect(upload.fileKey.startsWith(`duties/${caseId}/`)).toBe(true);
    const put = await web.uploads.request(upload.uploadUrl, {
      method: 'PUT',
      headers: upload.headers,
      body: new TextEncoder().encode('%PDF-1.4\n'),
    });
    expect(put.status).toBe(201);
    const foreignUpload = await other.post(`${path}/evidence-uploads`, {
      fileName: 'x.pdf',
      contentType: 'application/pdf',
      size: '9',
    });
    expect(foreignUpload.status).toBe(403);

    // Another owner's file key is not this case's material.
    const foreignKey = await school.post(`${path}/steps`, {
      kind: 'notice',
      date: '2026-09-10',
      by: '赵老师',
      method: '入户送达',
      result: '家长签收',
      'evidence.0.title': '劝返通知书',
      'evidence.0.ref': 'duties/duty-someone-else/f-1-notice.pdf',
    });
    expect(foreignKey.status).toBe(400);
    expect(foreignKey.html).toContain('该文件不属于本案例,请重新上传');
    expect((await web.services.cases.view(OFFICE, caseId, NOW)).steps).toHaveLength(0);

    const step = await school.post(`${path}/steps`, {
      kind: 'notice',
      date: '2026-09-10',
      by: '赵老师',
      method: '入户送达',
      result: '家长签收劝返通知书',
      'evidence.0.title': '劝返通知书',
      'evidence.0.ref': upload.fileKey,
    });
    expect(step.status).toBe(303);
    const withStep = await school.get(`${path}`);
    expect(withStep.html).toContain('家长签收劝返通知书');
    const link = /href="(\/cases\/[^"]+\/evidence\/[^"]+)">劝返通知书</.exec(withStep.html)?.[1];
    expect(link).toBeDefined();
    const download = await school.get(link ?? '');
    expect(download.status).toBe(303);
    expect(download.location).toContain('/local-evidence/');
    expect((await other.get(link ?? '')).status).toBe(403);
    const files = (await web.services.audit.list(OFFICE, {}, { limit: 200 })).items.filter(
      (e) => e.action === 'case.file',
    );
    expect(files).toHaveLength(1);

    // Another school may use none of the forms: each is refused, nothing is written.
    for (const [form, fields] of [
      ['steps', { kind: 'contact', date: '2026-09-10', by: '某', method: '电话', result: '代录' }],
      ['return', { returnedOn: '2026-09-10', 'evidence.0.title': '签到表' }],
      ['registry-updated', { updatedOn: '2026-09-10' }],
    ] as const) {
      const refused = await other.post(`${path}/${form}`, fields);
      expect(refused.status, form).toBe(403);
      expect(refused.html).not.toContain('王小军');
    }
    expect((await other.get(path)).status).toBe(403);

    // A return without its proof is refused; with it, the registry form follows.
    const noProof = await school.post(`${path}/return`, { returnedOn: '2026-09-10' });
    expect(noProof.status).toBe(400);
    expect(noProof.html).toContain('复学未登记');
    expect((await web.services.cases.view(OFFICE, caseId, NOW)).returnedOn).toBeNull();
    const back = await school.post(`${path}/return`, {
      returnedOn: '2026-09-10',
      'evidence.0.title': '返校签到表',
    });
    expect(back.status).toBe(303);
    const returned = await school.get(path);
    expect(returned.html).toContain('data-stage="returned"');
    expect(returned.html).toContain('确认学籍系统已更新');
    expect(returned.html).not.toContain('记录劝返措施');
    const again = await school.post(`${path}/return`, {
      returnedOn: '2026-09-10',
      'evidence.0.title': '返校签到表',
    });
    expect(again.status).toBe(409);
    expect(again.html).toContain('该学生已登记复学');

    const confirmed = await school.post(`${path}/registry-updated`, { updatedOn: '2026-09-10' });
    expect(confirmed.status).toBe(303);
    const done = await school.get(path);
    expect(done.html).toContain('已复学');
    expect(done.html).toContain('学籍系统已于 2026-09-10 更新');
    expect(done.html).not.toContain('确认学籍系统已更新');
    const twice = await school.post(`${path}/registry-updated`, { updatedOn: '2026-09-10' });
    expect(twice.status).toBe(409);
    expect(twice.html).toContain('已确认学籍系统更新');
  });

  it('shows the township only its own step, and a leader no form', async () => {
    // The school's 包保 leader is remembered from its last case, even one since returned (the
    // teacher only when a child of the same class is picked).
    const page = await school.get('/cases/new');
    expect(page.html).toContain('value="孙校长"');
    expect(page.html).not.toContain('value="赵老师"');
    const made = await school.post('/cases', {
      ...ABSENCE,
      childName: '钱小多',
      'leader.name': '吴校长',
      _formKey: formKey(page.html),
    });
    const next = await school.get('/cases/new');
    expect(next.html).toContain('value="吴校长"');
    expect(next.html).not.toContain('value="孙校长"');
    const path = made.location?.replace(/\?.*$/, '') ?? '';
    const township = web.browser();
    await township.signIn('unit:chengguan-town');
    expect((await township.get('/cases')).html).not.toContain('href="/cases/new"');
    expect((await township.get('/cases/new')).status).toBe(403);
    const seen = await township.get(path);
    expect(seen.status).toBe(200);
    expect(seen.html).toContain('value="arrange"');
    expect(seen.html).not.toContain('value="contact"');
    expect(seen.html).not.toContain('登记复学');
    expect(
      (await township.post(`${path}/return`, { returnedOn: '2026-09-10', 'evidence.0.title': 'x' })).status,
    ).toBe(403);
    const leader = web.browser();
    await leader.signIn('leader');
    const read = await leader.get(path);
    expect(read.status).toBe(200);
    expect(read.html).not.toContain('<form method="post" action="/cases/');
  });

  it('records a roster child in three taps: no gender or age, the class teacher remembered, linked to its row', async () => {
    // Once, typed: a case of 五年级1班 without gender or age; the school remembers its 包保 people.
    const typed = await school.get('/cases/new');
    const first = await school.post('/cases', {
      ...ABSENCE,
      childName: '周小华',
      gender: '',
      age: '',
      grade: '五年级',
      className: '1班',
      'teacher.name': '钱老师',
      'teacher.phone': '13600005555',
      _formKey: formKey(typed.html),
    });
    expect(first.status, first.html).toBe(303);
    const firstId = /\/cases\/(case-[^?]+)/.exec(first.location ?? '')?.[1] ?? '';
    const whole = await web.services.cases.view(OFFICE, firstId, NOW);
    expect(whole).toMatchObject({ gender: null, age: null, birthYearMonth: null, rosterRow: null });
    const shown = await school.get(`/cases/${firstId}`);
    expect(shown.html).toContain('性别 / 出生年月');
    expect(shown.html).toContain('— / —');
    expect(shown.html).toContain('手工登记');
    const listed = await school.get('/cases');
    expect(listed.status).toBe(200);
    expect(listed.html).toContain('周*华');

    // Tap 1 (登记缺课), tap 2 (the child): the form is whole, today the first day absent.
    const start = await school.get('/cases/new');
    const pick =
      /href="(\/cases\/new\?semester=[^"]+)"/.exec(start.html)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const filled = await school.get(pick);
    const fields = formFields(filled.html);
    expect(fields).toMatchObject({
      childName: '李小红',
      grade: '五年级',
      className: '1班',
      'teacher.name': '钱老师',
      'teacher.phone': '13600005555',
      'leader.name': '孙校长',
      firstDayAbsent: '2026-09-10',
      semester: '2026-autumn',
    });
    expect(fields.entry).toMatch(/^roster-/);
    // Everything the case needs is there: 确认登记 comes first, above the fields to check.
    const ready = filled.html.indexOf('data-ready');
    expect(ready).toBeGreaterThan(0);
    expect(filled.html.indexOf('>确认登记</button>')).toBeGreaterThan(ready);
    expect(filled.html.indexOf('>确认登记</button>')).toBeLessThan(filled.html.indexOf('id="childName"'));
    expect(typed.html).not.toContain('data-ready');
    // Tap 3: sent as it came.
    const made = await school.post('/cases', fields);
    expect(made.status, made.html).toBe(303);
    const caseId = /\/cases\/(case-[^?]+)/.exec(made.location ?? '')?.[1] ?? '';
    const linked = await web.services.cases.view(OFFICE, caseId, NOW);
    expect(linked.rosterRow).toEqual({
      semesterId: '2026-autumn',
      entryId: fields.entry,
      kind: 'registered-not-present',
      kindLabel: '籍在人不在',
    });
    expect(linked.gender).toBeNull();
    expect((await school.get(`/cases/${caseId}`)).html).toContain('来自花名册:籍在人不在');
    // The pick list now links the child to the open case, not to a second form.
    const listed2 = await school.get('/cases/new');
    expect(listed2.html).toContain(`data-open-case="${fields.entry}"`);
    expect(listed2.html).toContain(`href="/cases/${caseId}"`);
    expect(listed2.html).not.toContain(`data-pick="${fields.entry}"`);

    // The same child again while the case is open: 409, naming the child masked, nothing written.
    const before = await caseCount();
    const again = await school.get(pick);
    const second = await school.post('/cases', formFields(again.html));
    expect(second.status).toBe(409);
    expect(second.html).toContain('李*红 已有未复学的缺课案例');
    expect(await caseCount()).toBe(before);
    const viaApi = CreateCaseSchema.parse({
      childName: '李小红',
      grade: '五年级',
      className: '1班',
      schoolUnitId: SCHOOL,
      townshipUnitId: linked.townshipUnitId,
      guardian: { name: '李建国', phone: '13900001111' },
      teacher: { name: '钱老师', phone: '13600005555' },
      leader: { name: '孙校长', phone: '13600004444' },
      firstDayAbsent: '2026-09-10',
      rosterEntry: { semesterId: '2026-autumn', entryId: fields.entry },
    });
    await expect(web.services.cases.create(unitUser(SCHOOL), viaApi, NOW)).rejects.toMatchObject({
      status: 409,
      code: 'roster_child_has_open_case',
    });
    // A row of another semester, or not the school's, is refused by field.
    const wrong = await school.post('/cases', { ...formFields(again.html), entry: 'roster-nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('本校该学期的花名册中没有这一行');

    // Back in class: the child may be recorded again later.
    const back = await school.post(`/cases/${caseId}/return`, {
      returnedOn: '2026-09-10',
      'evidence.0.title': '返校签到表',
    });
    expect(back.status).toBe(303);
    expect((await school.get('/cases/new')).html).toContain(`data-pick="${fields.entry}"`);
    // Two clerks at once: the row's mark is conditional, so exactly one case is written.
    const racing = await Promise.allSettled(
      [0, 1].map(() => web.services.cases.create(unitUser(SCHOOL), viaApi, NOW)),
    );
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = racing.find((r) => r.status === 'rejected');
    expect(lost?.status === 'rejected' ? lost.reason : null).toMatchObject({
      code: 'roster_child_has_open_case',
    });
    expect(await caseCount()).toBe(before + 1);
  });
});

/** The absence form's fields as the page fills them (text, date and hidden inputs; checked boxes). */
function formFields(html: string): Record<string, string> {
  const form = /<form method="post" action="\/cases"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const type = /type="([^"]+)"/.exec(attrs)?.[1];
    // The anti-forgery token goes with every post of the test browser already.
    if (name === undefined || name === '_csrf') continue;
    if ((type === 'radio' || type === 'checkbox') && !attrs.includes('checked')) continue;
    out[name] = value.replaceAll('&amp;', '&');
  }
  return out;
}
