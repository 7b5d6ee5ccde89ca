/**
 * The 控辍保学台账 page: the office sees the county's open cases by township and school, masked,
 * with age in working days and lights; a township sees only its own; a school gets the 403 page;
 * a download from the page is the same file as the API's and is written to the audit trail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateCaseSchema } from '../../shared/schemas/cases.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateSemesterSchema } from '../../shared/schemas/rosters.js';
import { OFFICE, unitUser } from '../fixtures/app.js';
import { caseChild, caseUnits } from '../fixtures/case-child.js';
import { webApp } from './web-harness.js';

// Thursday 9 October 2025, 10:00 in Shanghai.
const NOW = new Date('2025-10-09T02:00:00Z');

const child = (over: Record<string, unknown>) => CreateCaseSchema.parse(caseChild(over));

describe('控辍保学台账 page', () => {
  let web: Awaited<ReturnType<typeof webApp>>;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    for (const u of caseUnits({ 'school-b': null })) {
      await web.services.units.create(OFFICE, u, NOW);
    }
    await web.services.cases.create(unitUser('school-a'), child({}), NOW);
    await web.services.cases.create(
      unitUser('school-c'),
      child({ childName: '王小五', schoolUnitId: 'school-c', townshipUnitId: 'town-2' }),
      NOW,
    );
  });

  it('shows the office the county by township and school, masked, with working days and lights', async () => {
    const page = web.browser();
    await page.signIn('office');
    expect((await page.get('/cases')).html).toContain('href="/cases/ledger"');
    const res = await page.get('/cases/ledger');
    expect(res.status, res.html).toBe(200);
    expect(res.html).toContain('疑似失学辍学人员台账');
    for (const shown of [
      '城关镇',
      '柳湾镇',
      '城关中学',
      '柳湾中学',
      '张*明',
      '王*五',
      '建档立卡',
      '疑似辍学',
    ]) {
      expect(res.html).toContain(shown);
    }
    for (const whole of ['张小明', '王小五', '张大山', '13812345678']) expect(res.html).not.toContain(whole);
    // The page shows the same computed standing as the service (age in working days, light).
    const ledger = await web.services.caseLedger.read(OFFICE, {}, NOW);
    const row = ledger.townships.flatMap((t) => t.schools.flatMap((s) => s.cases))[0];
    expect(row).toBeDefined();
    expect(res.html).toContain(`<td>${row?.ageWorkingDays}</td>`);
    expect(res.html).toContain(row?.lightLabel ?? '-');
    expect(res.html).toMatch(/class="badge b-(red|yellow|blue|green)"/);
    expect(res.html).toContain('/cases/ledger/export?format=xlsx');
  });

  it('shows a township only its own cases, and gives a school the 403 page', async () => {
    const town = web.browser();
    await town.signIn('unit:town');
    expect((await town.get('/cases')).html).toContain('href="/cases/ledger"');
    const own = await town.get('/cases/ledger');
    expect(own.status).toBe(200);
    expect(own.html).toContain('张*明');
    expect(own.html).not.toContain('王*五');
    expect(own.html).not.toContain('柳湾中学');
    expect((await town.get('/cases/ledger?township=town-2')).status).toBe(403);

    const school = web.browser();
    await school.signIn('unit:school-a');
    expect((await school.get('/cases')).html).not.toContain('href="/cases/ledger"');
    const refused = await school.get('/cases/ledger');
    expect(refused.status).toBe(403);
    expect(refused.html).not.toContain('张*明');
    expect((await school.get('/cases/ledger/export?format=csv')).status).toBe(403);
  });

  it('downloads the ledger as CSV and Excel, each download audited', async () => {
    const page = web.browser();
    await page.signIn('office');
    const csv = await page.get('/cases/ledger/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('case-ledger.csv');
    expect(csv.html).toContain('学生(脱敏)');
    expect(csv.html).toContain('张*明');
    expect(csv.html).not.toContain('张小明');
    const xlsx = await page.get('/cases/ledger/export?format=xlsx');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toContain('case-ledger.xlsx');

    const town = web.browser();
    await town.signIn('unit:town');
    expect((await town.get('/cases/ledger/export?format=csv')).html).not.toContain('王*五');

    const events = await web.services.audit.list(OFFICE, {}, { limit: 200 });
    const exports = events.items.filter((e) => e.action === 'case.export');
    expect(exports.map((e) => [e.actor, (e.after as { format: string }).format]).sort()).toEqual([
      ['demo-office', 'csv'],
      ['demo-office', 'xlsx'],
      ['demo-town', 'csv'],
    ]);
  });

  it('counts returns since the start of the latest semester begun, else 1 September', async () => {
    const page = web.browser();
    await page.signIn('office');
    const summary = async (q = '') => (await page.get(`/cases/ledger/export?format=csv${q}`)).html;
    expect(await summary()).toContain('各校汇总(复学自 2025-09-01)');
    const plan = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '控辍保学',
        phases: [{ key: 'work', name: '劝返复学', start: '2025-08-01' }],
      }),
      NOW,
    );
    for (const [id, startDate] of [
      ['2025-autumn', '2025-08-25'],
      ['2026-spring', '2026-02-23'],
    ] as const) {
      await web.services.semesters.create(
        OFFICE,
        CreateSemesterSchema.parse({ id, name: id, startDate, planId: plan.id, phaseKey: 'work' }),
        NOW,
      );
    }
    // The spring semester has not begun on 9 October: the autumn one's start counts.
    expect(await summary()).toContain('各校汇总(复学自 2025-08-25)');
    expect((await web.services.caseLedger.read(OFFICE, {}, NOW)).since).toBe('2025-08-25');
    // An explicit ?since= still wins, and the page's download links carry it.
    expect(await summary('&since=2025-10-01')).toContain('各校汇总(复学自 2025-10-01)');
    expect((await page.get('/cases/ledger?since=2025-10-01')).html).toContain(
      '/cases/ledger/export?format=csv&amp;since=2025-10-01',
    );
  });
});
