import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReturnDutySchema, SubmitDutySchema } from '../../shared/schemas/duties.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { OFFICE, SEED_PHASES, type testApp, unitUser } from '../fixtures/app.js';
import { expectPrintableSheets } from '../fixtures/workbook.js';
import { webApp } from './web-harness.js';

/** Tasks are assigned and worked on a week before the ledger is read (a Saturday). */
const ASSIGNED = new Date('2026-05-10T02:00:00Z');
const NOW = new Date('2026-05-16T02:00:00Z');
const UNITS = [
  { id: 'edu-bureau', name: '县教育体育局', kind: 'bureau' },
  { id: 'hexi-town', name: '河西镇', kind: 'township' },
  { id: 'liuwan-village', name: '柳湾村', kind: 'village' },
] as const;

type Services = Awaited<ReturnType<typeof testApp>>['services'];

/**
 * Five tasks, one duty each: 花名册 submitted (green), 标语 due Monday (blue), 校舍 past due (red),
 * 控辍保学 accepted, 安全检查 returned for rework with a new deadline in June (green).
 */
async function seed(services: Services) {
  for (const u of UNITS) await services.units.create(OFFICE, CreateUnitSchema.parse(u), ASSIGNED);
  const plan = await services.plans.create(
    OFFICE,
    CreatePlanSchema.parse({ title: '义务教育优质均衡迎国检', phases: SEED_PHASES }),
    ASSIGNED,
  );
  const task = async (title: string, phaseKey: string, leadUnitId: string, dueAt: string) => {
    const t = await services.plans.createTask(
      OFFICE,
      plan.id,
      CreateTaskSchema.parse({ title, phaseKey, leadUnitId, dueAt }),
      ASSIGNED,
    );
    const duty = t.duties[0];
    if (duty === undefined) throw new Error(`no duty for ${title}`);
    return duty;
  };
  const submit = (unitId: string, duty: { id: string; version: number }) =>
    services.duties.submit(
      unitUser(unitId),
      duty.id,
      SubmitDutySchema.parse({ note: '已办理', version: duty.version }),
      ASSIGNED,
    );
  const roster = await task('花名册核查', 'self-check', 'edu-bureau', '2026-05-26');
  const posters = await task('宣传标语张贴', 'mobilize', 'hexi-town', '2026-05-18');
  const schools = await task('校舍安全排查', 'self-check', 'liuwan-village', '2026-05-15');
  const dropout = await task('控辍保学劝返', 'self-check', 'edu-bureau', '2026-05-29');
  const safety = await task('食品安全检查', 'mobilize', 'hexi-town', '2026-05-28');
  await submit('edu-bureau', roster);
  await submit('edu-bureau', dropout);
  await services.duties.accept(OFFICE, dropout.id, {}, ASSIGNED);
  await submit('hexi-town', safety);
  await services.duties.returnForRework(
    OFFICE,
    safety.id,
    ReturnDutySchema.parse({ reason: '缺少检查记录', newDueAt: '2026-06-05' }),
    ASSIGNED,
  );
  return { plan, roster, posters, schools, dropout, safety };
}

const dutyIds = (html: string) => [...html.matchAll(/data-duty="([^"]+)"/g)].map((m) => m[1]);

describe('任务台账 by unit duty: status, light, due-time order and the Excel export', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let s: Awaited<ReturnType<typeof seed>>;
  let office: ReturnType<Awaited<ReturnType<typeof webApp>>['browser']>;
  const list = async (query: string) => {
    const res = await office.get(`/plans/${s.plan.id}/ledger/duties${query === '' ? '' : `?${query}`}`);
    expect(res.status).toBe(200);
    return res;
  };

  beforeAll(async () => {
    web = await webApp({ now: ASSIGNED });
    s = await seed(web.services as Services);
    web.setNow(NOW);
    office = web.browser();
    await office.signIn('office');
  });

  it('lists every unit duty with names, status words and lights, and says how it filters', async () => {
    const all = await list('');
    expect(dutyIds(all.html).sort()).toEqual(
      [s.roster, s.posters, s.schools, s.dropout, s.safety].map((d) => d.id).sort(),
    );
    for (const word of ['县教育体育局', '河西镇', '柳湾村', '已提交', '已办结', '退回整改', '待办'])
      expect(all.html).toContain(word);
    expect(all.html).not.toContain('>edu-bureau<');
    expect(all.html).toContain('键查询(Query)中直接筛选');
    const ledger = await office.get(`/plans/${s.plan.id}/ledger`);
    expect(ledger.html).toContain(`href="/plans/${s.plan.id}/ledger/duties"`);
  });

  it('narrows by status: 待办, 已提交, 已办结 in the key, 退回整改 on the page', async () => {
    expect(dutyIds((await list('status=submitted')).html)).toEqual([s.roster.id]);
    expect(dutyIds((await list('status=accepted')).html)).toEqual([s.dropout.id]);
    expect(dutyIds((await list('status=open')).html).sort()).toEqual(
      [s.posters.id, s.schools.id, s.safety.id].sort(),
    );
    const returned = await list('status=returned');
    expect(dutyIds(returned.html)).toEqual([s.safety.id]);
    expect(returned.html).toContain('是否退回在每页读出的');
  });

  it('narrows by light (the one rule), by unit, phase and title', async () => {
    const red = await list('light=red');
    expect(dutyIds(red.html)).toEqual([s.schools.id]);
    expect(red.html).toContain('data-light="red"');
    expect(dutyIds((await list('light=blue')).html)).toEqual([s.posters.id]);
    expect(dutyIds((await list('light=green')).html).sort()).toEqual(
      [s.roster.id, s.dropout.id, s.safety.id].sort(),
    );
    expect(dutyIds((await list('light=yellow')).html)).toEqual([]);
    expect(dutyIds((await list('unit=hexi-town')).html).sort()).toEqual([s.posters.id, s.safety.id].sort());
    expect(dutyIds((await list('unit=hexi-town&status=open&light=blue')).html)).toEqual([s.posters.id]);
    expect(dutyIds((await list('phase=mobilize')).html).sort()).toEqual([s.posters.id, s.safety.id].sort());
    expect(dutyIds((await list(`q=${encodeURIComponent('标语')}`)).html)).toEqual([s.posters.id]);
    // What the lists do not offer is dropped, not passed on.
    expect(dutyIds((await list('status=nope&light=purple&unit=nope')).html)).toHaveLength(5);
  });

  it('sorts by due time, earliest first or latest first', async () => {
    const byDue = [s.schools.id, s.posters.id, s.safety.id];
    expect(dutyIds((await list('status=open')).html)).toEqual(byDue);
    expect(dutyIds((await list('status=open&sort=desc')).html)).toEqual([...byDue].reverse());
    expect(dutyIds((await list('unit=edu-bureau&sort=desc')).html)).toEqual([s.roster.id, s.dropout.id]);
  });

  it('exports the filtered list to an xlsx with Chinese headers that opens in exceljs', async () => {
    const res = await web.app.request(`/plans/${s.plan.id}/ledger/duties.xlsx?status=open&sort=desc`, {
      headers: { cookie: `duban_session=${office.cookie()}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.worksheets[0];
    if (sheet === undefined) throw new Error('no sheet');
    const rows: unknown[][] = [];
    sheet.eachRow((row) => {
      rows.push((row.values as unknown[]).slice(1));
    });
    expect(rows[0]?.[0]).toMatch(/ · 任务台账$/);
    expect(rows[1]).toEqual(['序号', '工作任务', '责任单位', '阶段', '截止时间', '状态', '亮灯', '最近办理']);
    expect(rows.slice(2).map((r) => [r[0], r[1], r[2], r[5], r[6]])).toEqual([
      [1, '食品安全检查', '河西镇', '退回整改', '绿灯'],
      [2, '宣传标语张贴', '河西镇', '待办', '蓝灯'],
      [3, '校舍安全排查', '柳湾村', '待办', '红灯'],
    ]);
    expect(String(rows[2]?.[7])).toContain('退回整改');
    expectPrintableSheets(workbook);

    const red = await web.app.request(`/plans/${s.plan.id}/ledger/duties.xlsx?light=red`, {
      headers: { cookie: `duban_session=${office.cookie()}` },
    });
    const redBook = new ExcelJS.Workbook();
    await redBook.xlsx.load(await red.arrayBuffer());
    expect(redBook.worksheets[0]?.rowCount).toBe(3);
  });

  it('refuses a unit the ledger and its export', async () => {
    const unit = web.browser();
    await unit.signIn('unit:edu-bureau');
    expect((await unit.get(`/plans/${s.plan.id}/ledger/duties`)).status).toBe(403);
    expect((await unit.get(`/plans/${s.plan.id}/ledger/duties.xlsx`)).status).toBe(403);
  });
});
