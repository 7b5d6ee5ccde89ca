/**
 * Importing an office's task table (issue 16): real workbooks built by exceljs here, a GBK CSV as
 * Excel saves it on Chinese Windows, through the real app on DynamoDB Local.
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { ImportPreview, ImportResult } from '../../shared/services/import-service.js';
import { OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { gbk } from '../fixtures/gbk.js';
import { tableSnapshot } from '../fixtures/snapshot.js';
import { expectPrintableSheets, openWorkbook } from '../fixtures/workbook.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type ErrorBody = {
  error: { code: string; message: string; details: { problems: ImportPreview['problems'] } };
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Seed 000 (2023年教育扶贫迎国检工作方案): its four phases, in 2023.
const PHASES = [
  { key: 'mobilize', name: '部署发动阶段', start: '2023-05-09', end: '2023-05-13' },
  { key: 'self-check', name: '自查补短阶段', start: '2023-05-14', end: '2023-05-26' },
  { key: 'improve', name: '完善提升阶段', start: '2023-05-27', end: '2023-05-31' },
  { key: 'consolidate', name: '稳固待检阶段', start: '2023-06-01' },
];

const UNITS = [
  { id: 'edu', name: '县教育体育局', kind: 'bureau' },
  { id: 'bianban', name: '县委编办', kind: 'other' },
  { id: 'finance', name: '县财政局', kind: 'other' },
  { id: 'police', name: '县公安局', kind: 'other' },
  { id: 'fupin', name: '县脱贫攻坚办', kind: 'other' },
  { id: 'chengguan', name: '城关镇', kind: 'township' },
  { id: 'cg-school', name: '城关中学', kind: 'school', parentId: 'chengguan' },
];

const HEADER = ['序号', '工作任务', '完成时限', '责任单位', '配合单位', '类型', '备注'];

/** Seed 000's duties typed as an office would: headings merged across, a lead merged down two rows. */
const SEED_ROWS: (string | null)[][] = [
  ['第一阶段:部署发动阶段(5月9日至5月13日)'],
  ['1', '制定方案,成立组织机构,召开动员大会', '2023年5月13日前', '县教育体育局', '', '', ''],
  ['2', '安排部署教育扶贫工作\n对评估检查的内容、方式、程序和要求进行讲解培训', '5月13日', null, '', '', ''],
  ['第二阶段:自查补短阶段(5月14日至5月26日)'],
  [
    '3',
    '控辍保学回头看,适龄儿童全覆盖摸排',
    '5月26日前',
    '城关镇',
    '县公安局、县脱贫攻坚办',
    '',
    '村支书、村长签字后报乡镇',
  ],
  ['4', '依法落实和完善教师管理体制,核定落实编制数', '5月26日', '县委编办', '县教体局', '', ''],
  ['5', '依法保障义务教育经费及时足额拨付到位', '长期坚持', '县财政局', '', '', ''],
  ['6', '报送控辍保学周报表(零报告)', '每周五上午', '城关中学', '', '定期报告', '没有情况也要报'],
  ['7', '对抽查中发现的问题立即整改落实', '立即', '城关镇,城关中学', '', '', ''],
];

async function workbook(
  rows: (string | null)[][],
  options: { mergeLead?: boolean } = {},
): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('任务分解');
  ws.addRow(['教育扶贫迎国检工作任务分解表']);
  ws.mergeCells(1, 1, 1, HEADER.length);
  ws.addRow(HEADER);
  for (const r of rows) {
    const row = ws.addRow(r);
    row.alignment = { wrapText: true };
    if (r.length === 1) ws.mergeCells(row.number, 1, row.number, HEADER.length);
  }
  // 县教育体育局 leads rows 1 and 2: one cell merged down, as offices do.
  if (options.mergeLead === true) ws.mergeCells('D4:D5');
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('importing an office task table', () => {
  let api: Api;
  let planId: string;
  let seedFile: Uint8Array;

  const post = <T>(plan: string, file: Uint8Array, mode: 'preview' | 'commit', type = XLSX, as = OFFICE) =>
    api.call<T>('POST', `/v1/plans/${plan}/imports?mode=${mode}`, {
      as,
      rawBody: file,
      headers: { 'content-type': type },
    });

  async function countTasks(plan: string): Promise<number> {
    const res = await api.call<{ items: unknown[] }>('GET', `/v1/plans/${plan}/tasks?limit=100`);
    return res.body.items.length;
  }

  async function countDuties(plan: string): Promise<number> {
    let n = 0;
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await api.call<{ items: unknown[]; nextCursor: string | null }>(
        'GET',
        `/v1/plans/${plan}/duties?limit=100${q}`,
      );
      n += res.body.items.length;
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    return n;
  }

  async function newPlan(): Promise<string> {
    const res = await api.call<{ id: string }>('POST', '/v1/plans', {
      body: { title: '2023年教育扶贫迎国检工作方案', phases: PHASES },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  beforeAll(async () => {
    api = await testApp({ now: new Date('2023-05-10T02:00:00Z') });
    for (const body of UNITS) expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
    const alias = await api.call('PUT', '/v1/units/edu/aliases', { body: { aliases: ['县教体局'] } });
    expect(alias.status).toBe(200);
    planId = await newPlan();
    seedFile = await workbook(SEED_ROWS, { mergeLead: true });
  }, 60_000);

  it('keeps aliases on the unit, audited', async () => {
    const unit = await api.call<{ aliases: string[] }>('GET', '/v1/units/edu');
    expect(unit.body.aliases).toEqual(['县教体局']);
    const refused = await api.call('PUT', '/v1/units/edu/aliases', {
      as: unitUser('edu'),
      body: { aliases: [] },
    });
    expect(refused.status).toBe(403);
  });

  it('previews seed 000 table: every row read, each deadline beside its text, nothing written', async () => {
    const before = await tableSnapshot(api.table);
    const res = await post<ImportPreview>(planId, seedFile, 'preview');
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(await tableSnapshot(api.table)).toBe(before);
    const p = res.body;
    expect(p.problems).toEqual([]);
    expect(p.headerRow).toBe(2);
    expect(p.columns).toMatchObject({
      seq: 'A',
      title: 'B',
      due: 'C',
      lead: 'D',
      co: 'E',
      kind: 'F',
      note: 'G',
    });
    expect(p.skipped.map((s) => s.row)).toEqual([3, 6]);
    expect(p.rows.map((r) => [r.row, r.deadline.text, r.deadline.reading])).toEqual([
      [4, '2023年5月13日前', '2023-05-13 当天结束前'],
      [5, '5月13日', '2023-05-13 当天结束前'],
      [7, '5月26日前', '2023-05-26 当天结束前'],
      [8, '5月26日', '2023-05-26 当天结束前'],
      [9, '长期坚持', '长期坚持:随“自查补短阶段”于 2023-05-26 结束'],
      [10, '每周五上午', '每周五 12:00 前'],
      [11, '立即', '立即:2023-05-10 当天结束前'],
    ]);
    // The merged lead, the alias, the heading's phase, the lead's second unit as a co-unit.
    const [r4, r5, r7, r8, , r10, r11] = p.rows;
    expect(r5?.lead.units).toEqual([{ id: 'edu', name: '县教育体育局' }]);
    expect(r5?.title).toBe('安排部署教育扶贫工作');
    expect(r4?.phase.key).toBe('mobilize');
    expect(r7?.phase.key).toBe('self-check');
    expect(r7?.co.units.map((u) => u.id)).toEqual(['police', 'fupin']);
    expect(r8?.co.units).toEqual([{ id: 'edu', name: '县教育体育局' }]);
    expect(r10?.kind).toBe('report');
    expect(r11?.co.units.map((u) => u.id)).toEqual(['cg-school']);
    expect(p.committedBefore).toBe(false);
  });

  it('names row and column of every error, offers the closest units, and a commit with errors writes nothing', async () => {
    const bad = await workbook([
      ['1', '制定方案', '尽快', '县教育局', '', '', ''],
      ['2', '', '5月13日', '县财政局', '县卫健局', '', ''],
      ['3', '摸排', '2月30日', '城关镇', '', '专项', ''],
    ]);
    const before = await tableSnapshot(api.table);
    const preview = await post<ImportPreview>(planId, bad, 'preview');
    expect(preview.status).toBe(200);
    const messages = preview.body.problems.map((p) => [p.row, p.column, p.message.split(':')[0]]);
    expect(messages).toEqual([
      [3, 'C', '第 3 行 C 列(完成时限)'],
      [3, 'D', '第 3 行 D 列(责任单位)'],
      [4, 'B', '第 4 行 B 列(工作任务)'],
      [4, 'E', '第 4 行 E 列(配合单位)'],
      [5, 'C', '第 5 行 C 列(完成时限)'],
      [5, 'F', '第 5 行 F 列(类型)'],
    ]);
    const unknown = preview.body.problems.find((p) => p.row === 3 && p.column === 'D');
    expect(unknown?.closest?.[0]).toEqual({ id: 'edu', name: '县教育体育局' });
    expect(unknown?.message).toContain('最接近的单位:县教育体育局');

    const commit = await post<ErrorBody>(planId, bad, 'commit');
    expect(commit.status).toBe(400);
    expect(commit.body.error.code).toBe('import_has_errors');
    expect(commit.body.error.details.problems).toHaveLength(6);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('commits every task once; the same file again creates nothing; the import is audited with its SHA-256', async () => {
    const first = await post<ImportResult>(planId, seedFile, 'commit');
    expect(first.status, first.text.slice(0, 300)).toBe(201);
    expect(first.body.created).toBe(7);
    expect(await countTasks(planId)).toBe(7);
    const duties = await countDuties(planId);
    // 1 + 1 + 3 + 2 + 1 + 2 one-off duties, and the weekly report's first occurrences.
    expect(duties).toBeGreaterThanOrEqual(11);

    const again = await post<ImportResult>(planId, seedFile, 'commit');
    expect(again.status).toBe(201);
    expect([again.body.created, again.body.existing, again.body.committedBefore]).toEqual([0, 7, true]);
    expect(await countTasks(planId)).toBe(7);
    expect(await countDuties(planId)).toBe(duties);

    const audit = await api.call<{ items: { action: string; after: Record<string, unknown> }[] }>(
      'GET',
      `/v1/audit?planId=${planId}&limit=100`,
    );
    const imports = audit.body.items.filter((e) => e.action === 'plan.import');
    expect(imports).toHaveLength(1);
    expect(imports[0]?.after.sha256).toBe(first.body.sha256);
    expect(first.body.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resumes an import that stopped half-way: only the missing tasks are created', async () => {
    const plan = await newPlan();
    const preview = (await post<ImportPreview>(plan, seedFile, 'preview')).body;
    // A crash after the first row's task: that task exists under its fixed id, the rest do not.
    const firstRow = preview.rows[0];
    if (firstRow === undefined) throw new Error('no rows');
    await api.services.plans.createTask(
      OFFICE,
      plan,
      {
        title: firstRow.title,
        phaseKey: 'mobilize',
        leadUnitId: 'edu',
        coUnitIds: [],
        dueAt: '2023-05-13',
        kind: 'task',
        signOffLevels: 0,
      },
      new Date('2023-05-10T02:00:00Z'),
      { taskId: firstRow.taskId },
    );
    const res = await post<ImportResult>(plan, seedFile, 'commit');
    expect(res.status).toBe(201);
    expect([res.body.created, res.body.existing]).toEqual([6, 1]);
    expect(await countTasks(plan)).toBe(7);
  });

  it('reads a GBK CSV as Excel saves it on Chinese Windows', async () => {
    const plan = await newPlan();
    const csv = [
      '序号,任务内容,牵头单位,协办单位,时间要求,阶段',
      '1,"控辍保学回头看,全覆盖摸排",县教体局,"县公安局、县财政局",5月底前,完善提升阶段',
      '2,"多行任务',
      '第二行说明",城关镇,,每月25日前,自查补短',
      '',
    ].join('\r\n');
    const res = await post<ImportPreview>(plan, gbk(csv), 'preview', 'text/csv');
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.encoding).toBe('gbk');
    expect(res.body.problems).toEqual([]);
    expect(
      res.body.rows.map((r) => [r.row, r.title, r.lead.units[0]?.id, r.deadline.reading, r.phase.key]),
    ).toEqual([
      [2, '控辍保学回头看,全覆盖摸排', 'edu', '2023-05-31 当天结束前', 'improve'],
      [3, '多行任务', 'chengguan', '每月25日当天结束前', 'self-check'],
    ]);
    const committed = await post<ImportResult>(plan, gbk(csv), 'commit', 'text/csv');
    expect(committed.status).toBe(201);
    expect(committed.body.created).toBe(2);
  });

  it('refuses a corrupt workbook, an empty body, a unit caller and an unknown plan, writing nothing', async () => {
    const before = await tableSnapshot(api.table);
    const corrupt = await post<ErrorBody>(planId, seedFile.slice(0, 300), 'commit');
    expect([corrupt.status, corrupt.body.error.code]).toEqual([400, 'validation_failed']);
    expect(corrupt.body.error.message).toContain('损坏');
    const empty = await post<ErrorBody>(planId, new Uint8Array(), 'commit');
    expect(empty.status).toBe(400);
    expect((await post(planId, seedFile, 'commit', XLSX, unitUser('edu'))).status).toBe(403);
    expect((await post('plan-nope', seedFile, 'preview')).status).toBe(404);
    const big = await post<ErrorBody>(planId, new Uint8Array(5 * 1024 * 1024), 'commit');
    expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large']);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('serves a template that reads back without errors', async () => {
    const token = await issueHs256Token(TEST_SECRET, OFFICE);
    const res = await api.app.request('/v1/imports/template.xlsx', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const template = new Uint8Array(await res.arrayBuffer());
    expect((await api.call('GET', '/v1/imports/template.xlsx', { as: null })).status).toBe(401);
    const preview = await post<ImportPreview>(await newPlan(), template, 'preview');
    expect(preview.status).toBe(200);
    expect(preview.body.problems).toEqual([]);
    expect(preview.body.rows).toHaveLength(4);
    expect(preview.body.notices).toEqual(['只读取第一个工作表“任务分解表”,其余未读取:填写说明']);
    // Titled, A4 landscape one page wide, like every workbook the product makes.
    expectPrintableSheets(await openWorkbook(template));
  });
});
