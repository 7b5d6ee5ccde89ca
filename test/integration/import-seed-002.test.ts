/**
 * Seed 002 (县2020年教育扶贫工作要点): its task list — every task followed by its responsible units,
 * the lead first — typed into Excel as an office would (simplified characters, the office's own
 * column names and order, units separated by 、,; or line breaks, an alias), then imported.
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../shared/schemas/tasks.js';
import type { ImportPreview, ImportResult } from '../../shared/services/import-service.js';
import { testApp } from '../fixtures/app.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

type Api = Awaited<ReturnType<typeof testApp>>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const UNITS: [id: string, name: string][] = [
  ['zizhu', '县教育局资助中心'],
  ['zhongxinxiao', '各中心校'],
  ['youeryuan', '各公民办幼儿园'],
  ['chuzhong', '初级中学'],
  ['wanzhong', '各完中'],
  ['zhongzhi', '各中职学校'],
  ['xiangguan', '各相关学校'],
  ['youer-all', '各类幼儿园'],
  ['yingyang', '局营养办'],
  ['nongcun', '农村义务教育阶段学校'],
  ['xiangmu', '局项目办'],
  ['dianjiao', '电教馆'],
  ['jiaoyi', '教仪站'],
  ['schools', '各学校'],
  ['jijiao', '局基教股'],
  ['tejiao', '特殊教育学校'],
  ['yiwu', '各义务教育阶段学校'],
  ['bangongshi', '局办公室'],
];

// 序号, 重点工作, 牵头单位, 协办单位, 时间要求, 类型 — the seed's tasks 二(二)1–9 and 二(三)1–4.
const ROWS: string[][] = [
  [
    '1',
    '确保普惠性学前教育建档立卡贫困家庭在籍在园幼儿资助落实到位',
    '县教育局资助中心',
    '各中心校、各公民办幼儿园',
    '6月30日前',
    '',
  ],
  [
    '2',
    '确保义务教育建档立卡贫困家庭学生生活补助政策落实到位',
    '资助中心',
    '各中心校,初级中学',
    '2020年12月31日前',
    '',
  ],
  ['3', '对建档立卡贫困家庭普通高中在籍在校学生补助国家助学金', '县教育局资助中心', '各完中', '12月31日', ''],
  ['4', '对建档立卡家庭经济困难普通高中学生免除学费', '县教育局资助中心', '各完中', '9月30日前', ''],
  [
    '5',
    '对建档立卡贫困家庭中职一、二年级学生补助国家助学金',
    '县教育局资助中心',
    '各中职学校',
    '12月31日前',
    '',
  ],
  ['6', '对中职学校农村(含县镇)学生免除学费', '县教育局资助中心', '各中职学校', '12月31日前', ''],
  ['7', '做好高校生源地信用助学贷款工作,提高助贷率', '县教育局资助中心', '', '长期坚持', ''],
  ['8', '做好建档立卡高中毕业生入高校入学路费资助工作', '县教育局资助中心', '各完中', '8月31日前', ''],
  [
    '9',
    '做好建档立卡家庭学生资助档案整理工作\n确保数据与名册一致',
    '县教育局资助中心',
    '各相关学校\n各类幼儿园',
    '12月31日前',
    '',
  ],
  ['10', '落实义务教育学生营养改善计划规范化管理工作', '局营养办', '农村义务教育阶段学校', '长期坚持', ''],
  ['11', '提升各类学校办学条件', '局项目办', '电教馆、教仪站、各学校', '12月31日前', ''],
  [
    '12',
    '持续做好义务教育阶段学生“控辍保学”工作',
    '局基教股',
    '特殊教育学校;各义务教育阶段学校',
    '长期坚持',
    '',
  ],
  ['13', '定时上报教职工结对帮扶活动开展情况', '局办公室', '各相关学校', '每月25日前', '定期报告'],
];

async function seedWorkbook(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('2020年教育扶贫工作要点');
  ws.addRow(['县2020年教育扶贫工作要点任务分解表']);
  ws.mergeCells(1, 1, 1, 6);
  ws.addRow(['序号', '重点工作', '牵头单位', '协办单位', '时间要求', '类型']);
  for (const r of ROWS) ws.addRow(r).alignment = { wrapText: true, vertical: 'top' };
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('seed 002’s task table, imported', () => {
  let api: Api;
  let planId: string;
  let file: Uint8Array;
  const post = <T>(mode: 'preview' | 'commit') =>
    api.call<T>('POST', `/v1/plans/${planId}/imports?mode=${mode}`, {
      rawBody: file,
      headers: { 'content-type': XLSX },
    });

  beforeAll(async () => {
    api = await testApp({ now: new Date('2020-03-02T02:00:00Z') });
    for (const [id, name] of UNITS) {
      expect((await api.call('POST', '/v1/units', { body: { id, name, kind: 'other' } })).status).toBe(201);
    }
    const alias = await api.call('PUT', '/v1/units/zizhu/aliases', { body: { aliases: ['资助中心'] } });
    expect(alias.status).toBe(200);
    const plan = await api.call<{ id: string }>('POST', '/v1/plans', {
      body: {
        title: '县2020年教育扶贫工作要点',
        phases: [{ key: 'year', name: '全年工作', start: '2020-01-01', end: '2020-12-31' }],
      },
    });
    expect(plan.status).toBe(201);
    planId = plan.body.id;
    file = await seedWorkbook();
  }, 60_000);

  it('previews every row with its lead and co-units and each deadline beside its text, writing nothing', async () => {
    const before = await tableSnapshot(api.table);
    const res = await post<ImportPreview>('preview');
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(await tableSnapshot(api.table)).toBe(before);
    const p = res.body;
    expect(p.problems).toEqual([]);
    expect(p.headerRow).toBe(2);
    expect(p.columns).toMatchObject({ seq: 'A', title: 'B', lead: 'C', co: 'D', due: 'E', kind: 'F' });
    expect(p.rows).toHaveLength(13);
    const row = (seq: string) => p.rows.find((r) => r.seq === seq);
    expect(row('1')?.co.units.map((u) => u.id)).toEqual(['zhongxinxiao', 'youeryuan']);
    // The alias, a comma, a line break and a semicolon between units.
    expect(row('2')?.lead.units).toEqual([{ id: 'zizhu', name: '县教育局资助中心' }]);
    expect(row('2')?.co.units.map((u) => u.id)).toEqual(['zhongxinxiao', 'chuzhong']);
    expect(row('9')?.co.units.map((u) => u.id)).toEqual(['xiangguan', 'youer-all']);
    expect(row('9')?.title).toBe('做好建档立卡家庭学生资助档案整理工作');
    expect(row('11')?.co.units.map((u) => u.id)).toEqual(['dianjiao', 'jiaoyi', 'schools']);
    expect(row('12')?.co.units.map((u) => u.id)).toEqual(['tejiao', 'yiwu']);
    expect(row('7')?.co.units).toEqual([]);
    expect(row('13')?.kind).toBe('report');
    expect(p.rows.map((r) => r.deadline.text)).toEqual(ROWS.map((r) => r[4]));
    expect(row('4')?.deadline.reading).toBe('2020-09-30 当天结束前');
    expect(row('7')?.deadline.reading).toContain('长期坚持');
  });

  it('commits each task with its lead and co-units once; committing again creates nothing', async () => {
    const first = await post<ImportResult>('commit');
    expect(first.status, first.text.slice(0, 300)).toBe(201);
    expect(first.body.created).toBe(13);
    const tasks = await api.call<{ items: Task[] }>('GET', `/v1/plans/${planId}/tasks?limit=100`);
    expect(tasks.body.items).toHaveLength(13);
    const byTitle = (start: string) => tasks.body.items.find((t) => t.title.startsWith(start));
    expect(byTitle('提升各类学校办学条件')).toMatchObject({
      leadUnitId: 'xiangmu',
      coUnitIds: ['dianjiao', 'jiaoyi', 'schools'],
    });
    expect(byTitle('确保义务教育建档立卡')).toMatchObject({
      leadUnitId: 'zizhu',
      coUnitIds: ['zhongxinxiao', 'chuzhong'],
    });
    // One duty per responsible unit: the seed's lead and co-units, each in its own list.
    const own = await api.call<{ items: { taskId: string; role: string }[] }>(
      'GET',
      '/v1/units/jiaoyi/duties?limit=100',
    );
    expect(own.body.items.map((d) => d.role)).toEqual(['co']);

    const again = await post<ImportResult>('commit');
    expect(again.status).toBe(201);
    expect([again.body.created, again.body.existing]).toEqual([0, 13]);
  });
});
