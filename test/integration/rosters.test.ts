/**
 * 三类花名册 (issue 13, registers): the office sets a semester and every school owes its rosters two
 * weeks later, on the ladder; a school imports them from its own workbook (built here with exceljs)
 * or a GBK CSV; a file with a bad row writes nothing; the same file again changes nothing; the
 * county ledger is masked, paged by key, exported with Chinese headers (audited), and one school
 * or township never sees another's children.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type {
  RosterEntry,
  RosterPreview,
  RosterResult,
  SemesterCreated,
} from '../../shared/schemas/rosters.js';
import { LEADER, OFFICE, TEST_FIELD_CIPHER, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { gbk } from '../fixtures/gbk.js';
import { tableSnapshot } from '../fixtures/snapshot.js';
import { expectPrintableSheets } from '../fixtures/workbook.js';

type Api = Awaited<ReturnType<typeof testApp>>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = [
  '序号',
  '花名册类别',
  '姓名',
  '学校',
  '年级',
  '班级',
  '居住乡镇',
  '居住村',
  '监护人姓名',
  '监护人电话',
  '学籍号',
  '已核实在外就读',
];
const GOOD_ROWS = [
  [
    '1',
    '无学籍人员',
    '张小明',
    '城关一小',
    '三年级',
    '2班',
    '城关镇',
    '东街村',
    '张大山',
    '13812345678',
    '',
    '否',
  ],
  [
    '2',
    '籍在人不在',
    '李小红',
    '城关一小',
    '五年级',
    '1班',
    '城关镇',
    '西街村',
    '李建国',
    '13900001111',
    'G110101201203150012',
    '',
  ],
  [
    '3',
    '人在籍不在',
    '王芳',
    '城关一小',
    '四年级',
    '3班',
    '河西镇',
    '柳湾村',
    '王强',
    '0931-8123456',
    '',
    '',
  ],
  [
    '4',
    '籍在人不在',
    '赵小刚',
    '城关一小',
    '六年级',
    '1班',
    '城关镇',
    '南街村',
    '赵刚',
    '13700002222',
    'G110101201105010033',
    '是',
  ],
];

async function workbook(rows: string[][], header = HEADER): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('花名册');
  ws.addRow(['城关一小2026秋季学期三类花名册']);
  ws.mergeCells(1, 1, 1, header.length);
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('semesters, rosters and the county ledger', () => {
  let api: Api;
  let plan: Plan;
  let goodFile: Uint8Array;
  const s1 = unitUser('s1');

  const post = <T>(
    file: Uint8Array,
    mode: 'preview' | 'commit',
    as = s1,
    query = 'semester=2026-autumn',
    type = XLSX,
  ) =>
    api.call<T>('POST', `/v1/rosters/imports?${query}&mode=${mode}`, {
      as,
      rawBody: file,
      headers: { 'content-type': type },
    });

  const dutyOf = async (unitId: string, taskId: string) => {
    const res = await api.call<{ items: Duty[] }>('GET', `/v1/units/${unitId}/duties?planId=${plan.id}`);
    const duty = res.body.items.find((d) => d.taskId === taskId);
    if (duty === undefined) throw new Error(`no duty of ${unitId}`);
    return duty;
  };

  beforeAll(async () => {
    api = await testApp({ now: new Date('2026-09-03T02:00:00Z') });
    for (const body of [
      { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
      { id: 'town1', name: '城关镇', kind: 'township', parentId: 'bureau' },
      { id: 'town2', name: '河西镇', kind: 'township', parentId: 'bureau' },
      { id: 's1', name: '城关一小', kind: 'school', parentId: 'town1' },
      { id: 's2', name: '城关二小', kind: 'school', parentId: 'town1' },
      { id: 's3', name: '河西中学', kind: 'school', parentId: 'town2' },
      { id: 'v1', name: '东街村', kind: 'village', parentId: 'town1' },
    ]) {
      expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
    }
    plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: { title: '控辍保学', phases: [{ key: 'work', name: '常态化', start: '2026-08-01' }] },
      })
    ).body;
    goodFile = await workbook(GOOD_ROWS);
  });

  it('sets a semester: one filing duty per school, due two weeks after the start, once', async () => {
    const body = {
      id: '2026-autumn',
      name: '2026秋季学期',
      startDate: '2026-09-01',
      endDate: '2027-01-20',
      planId: plan.id,
    };
    const first = await api.call<SemesterCreated>('POST', '/v1/semesters', { body });
    expect(first.status, first.text).toBe(201);
    // The school kind, not the village: s1, s2, s3.
    expect(first.body.schoolUnitIds.sort()).toEqual(['s1', 's2', 's3']);
    expect(first.body.rosterDueAt).toBe('2026-09-15T15:59:59.999Z');
    expect(first.body.duties.every((d) => d.created)).toBe(true);
    const duty = await dutyOf('s1', first.body.duties.find((d) => d.unitId === 's1')?.taskId ?? '');
    expect(duty.status).toBe('open');
    expect(duty.dueAt).toBe('2026-09-15T15:59:59.999Z');
    expect(duty.title).toContain('报送三类花名册');

    const before = await tableSnapshot(api.table);
    const again = await api.call<SemesterCreated>('POST', '/v1/semesters', { body });
    expect(again.status).toBe(200);
    expect(again.body.duties.some((d) => d.created)).toBe(false);
    expect(await tableSnapshot(api.table)).toBe(before);

    const clash = await api.call('POST', '/v1/semesters', { body: { ...body, startDate: '2026-09-02' } });
    expect(clash.status).toBe(409);
    const list = await api.call<{ items: { id: string }[] }>('GET', '/v1/semesters', { as: s1 });
    expect(list.body.items.map((s) => s.id)).toEqual(['2026-autumn']);
  });

  it('previews a school workbook masked, and a file with bad rows writes nothing', async () => {
    const preview = await post<RosterPreview>(goodFile, 'preview');
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.problems).toEqual([]);
    expect(preview.body.headerRow).toBe(2);
    expect(preview.body.entries.map((e) => e.childNameMasked)).toEqual(['张*明', '李*红', '王*', '赵*刚']);
    expect(preview.body.entries[0]?.guardianPhoneMasked).toBe('138****5678');
    expect(preview.text).not.toContain('张小明');
    expect(preview.body.counts).toEqual({
      'no-registry': 1,
      'present-not-registered': 1,
      'registered-not-present': 1,
    });

    const bad = await workbook([
      ...GOOD_ROWS.slice(0, 2),
      ['3', '失学人员', '', '城关一小', '四年级', '3班', '城关镇', '', '王强', '1381234', '', ''],
      [
        '4',
        '籍在人不在',
        '赵小刚',
        '河西中学',
        '六年级',
        '1班',
        '城关镇',
        '',
        '赵刚',
        '13700002222',
        '',
        '也许',
      ],
    ]);
    const checked = await post<RosterPreview>(bad, 'preview');
    const messages = checked.body.problems.map((p) => p.message);
    expect(messages).toContain(
      '第 5 行 B 列(花名册类别):“失学人员”不是花名册类别,应为“无学籍人员”“人在籍不在”或“籍在人不在”',
    );
    expect(messages).toContain('第 5 行 C 列(姓名):不能为空');
    expect(messages).toContain('第 5 行 J 列(监护人电话):“1381234”应为 11 位手机号或带区号的固定电话');
    expect(messages).toContain('第 6 行 D 列(学校):“河西中学”不是本校(城关一小),只能报送本校的花名册');
    expect(messages).toContain('第 6 行 K 列(学籍号):籍在人不在人员须填写学籍号');
    expect(messages).toContain('第 6 行 L 列(已核实在外就读):“也许”应为“是”或“否”(留空为否)');

    const before = await tableSnapshot(api.table);
    const refused = await post<{ error: { code: string } }>(bad, 'commit');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('import_has_errors');
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('files the rosters sealed, closes the filing duty, and a second import changes nothing', async () => {
    const res = await post<RosterResult>(goodFile, 'commit');
    expect(res.status, res.text).toBe(201);
    expect(res.body.written).toBe(4);
    expect(res.body.dutyId).not.toBeNull();
    const duty = await api.call<Duty>('GET', `/v1/duties/${res.body.dutyId}`);
    expect(duty.body.status).toBe('submitted');

    // At rest: ciphertext only, bound to its entry and field.
    const stored = await api.doc.send(
      new QueryCommand({
        TableName: api.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': 'ROSTER#2026-autumn#s1', ':e': 'ENTRY#' },
      }),
    );
    const items = stored.Items ?? [];
    expect(items).toHaveLength(4);
    const raw = JSON.stringify(items);
    for (const whole of ['张小明', '13812345678', 'G110101201203150012', '张大山', '东街村']) {
      expect(raw).not.toContain(whole);
    }
    const zhang = items.find((i) => i.row === 3);
    expect(TEST_FIELD_CIPHER.decrypt(zhang?.sealed.childName, `roster:${zhang?.id}:childName`)).toBe(
      '张小明',
    );

    const before = await tableSnapshot(api.table);
    const again = await post<RosterResult>(goodFile, 'commit');
    expect(again.status).toBe(201);
    expect(again.body.committedBefore).toBe(true);
    expect(again.body.written).toBe(0);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('reads a GBK CSV, and gives the county ledger by township and school, paged by key', async () => {
    const csv = [
      '花名册类别,姓名,学校,年级,班级,居住乡镇,居住村,监护人姓名,监护人电话,学籍号,已核实在外就读',
      '无学籍人员,孙悟净,河西中学,七年级,1班,河西镇,柳湾村,孙大圣,13600003333,,否',
      '籍在人不在,周小舟,河西中学,八年级,2班,河西镇,柳湾村,周大海,13600004444,G110101201001010011,否',
    ].join('\r\n');
    const res = await post<RosterResult>(
      gbk(csv),
      'commit',
      unitUser('s3'),
      'semester=2026-autumn',
      'text/csv',
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body.encoding).toBe('gbk');
    expect(res.body.written).toBe(2);

    const seen: RosterEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await api.call<{ items: RosterEntry[]; nextCursor: string | null }>(
        'GET',
        `/v1/rosters/ledger?semester=2026-autumn&limit=2${q}`,
      );
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBeGreaterThanOrEqual(3);
    // The verified-elsewhere child (赵小刚) is not in the ledger; town1 before town2.
    expect(seen.map((e) => `${e.townshipUnitId}/${e.schoolUnitId}/${e.childNameMasked}`)).toEqual([
      'town1/s1/张*明',
      'town1/s1/王*',
      'town1/s1/李*红',
      'town2/s3/孙*净',
      'town2/s3/周*舟',
    ]);
    const town = await api.call<{ items: RosterEntry[] }>(
      'GET',
      '/v1/rosters/ledger?semester=2026-autumn&township=town2',
      { as: LEADER },
    );
    expect(town.body.items.map((e) => e.schoolUnitId)).toEqual(['s3', 's3']);
  });

  it('a school sees only its own, a township only its own schools; others are refused', async () => {
    const ledger = (as: ReturnType<typeof unitUser>, query = '') =>
      api.call<{ items: RosterEntry[] }>('GET', `/v1/rosters/ledger?semester=2026-autumn${query}`, { as });
    expect((await ledger(s1)).body.items).toHaveLength(3);
    expect((await ledger(unitUser('s2'))).body.items).toHaveLength(0);
    expect((await ledger(unitUser('s2'), '&school=s1')).status).toBe(403);
    expect((await ledger(unitUser('s3'), '&township=town1')).status).toBe(403);
    expect((await ledger(unitUser('town2'), '&school=s1')).status).toBe(403);
    const town1 = await ledger(unitUser('town1'));
    expect(town1.body.items.map((e) => e.schoolUnitId)).toEqual(['s1', 's1', 's1']);
    expect((await ledger(unitUser('town1'), '&school=s1')).body.items).toHaveLength(3);

    const before = await tableSnapshot(api.table);
    expect((await post(goodFile, 'commit', unitUser('s2'), 'semester=2026-autumn&school=s1')).status).toBe(
      403,
    );
    expect((await post(goodFile, 'commit', LEADER as never)).status).toBe(403);
    expect((await post(goodFile, 'commit', unitUser('v1'))).status).toBe(404);
    expect((await post(goodFile, 'preview', s1, 'semester=2099-spring')).status).toBe(404);
    const unnamed = await post<{ error: { details: { fields: { field: string }[] } } }>(
      goodFile,
      'preview',
      OFFICE,
    );
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.details.fields.map((f) => f.field)).toEqual(['school']);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('exports the ledger as CSV and xlsx with Chinese headers, masked, each export audited', async () => {
    const csv = await api.call('GET', '/v1/rosters/ledger/export?semester=2026-autumn&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('序号,乡镇,学校,花名册类别,姓名,年级,班级,居住乡镇,监护人,监护人电话,学籍号');
    expect(lines[1]).toBe('1,城关镇,城关一小,无学籍人员,张*明,三年级,2班,城关镇,张*山,138****5678,');
    expect(lines).toHaveLength(6);
    expect(csv.text).not.toContain('张小明');

    // The township's own export: a workbook of its schools only.
    const res = await api.app.request('/v1/rosters/ledger/export?semester=2026-autumn&format=xlsx', {
      headers: { authorization: `Bearer ${await issueHs256Token(TEST_SECRET, unitUser('town2'))}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('疑似失学辍学人员台账'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = wb.worksheets[0];
    expect(sheet?.getRow(1).getCell(1).value).toBe('疑似失学辍学人员台账(2026秋季学期)');
    expect(sheet?.getRow(2).getCell(5).value).toBe('姓名');
    expect(sheet?.getRow(3).getCell(5).value).toBe('孙*净');
    expect(sheet?.getRow(4).getCell(3).value).toBe('河西中学');
    expect(sheet?.actualRowCount).toBe(4);
    expectPrintableSheets(wb, ['town2']);

    const trail = async (id: string) =>
      (
        (
          await api.doc.send(
            new QueryCommand({
              TableName: `${api.table.tableName}-audit`,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': `ROSTER#${id}` },
            }),
          )
        ).Items ?? []
      ).filter((e) => e.action === 'roster.export');
    const county = await trail('2026-autumn:county');
    const town2 = await trail('2026-autumn:town2');
    expect(county.map((e) => [e.actor, e.after.rows])).toEqual([[OFFICE.sub, 5]]);
    expect(town2.map((e) => [e.actor, e.after.rows])).toEqual([[unitUser('town2').sub, 2]]);
    expect(JSON.stringify([...county, ...town2])).not.toContain('孙');
  });

  it('a school that has not filed is overdue on the ladder; filing late closes the duty', async () => {
    const body = {
      id: '2026-late',
      name: '补报学期',
      startDate: '2026-09-01',
      planId: plan.id,
      schoolUnitIds: ['s2'],
    };
    const term = await api.call<SemesterCreated>('POST', '/v1/semesters', { body });
    expect(term.status, term.text).toBe(201);
    const taskId = term.body.duties[0]?.taskId ?? '';
    api.setNow(new Date('2026-09-16T02:00:00Z'));
    try {
      expect((await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } })).status).toBe(200);
      const duty = await dutyOf('s2', taskId);
      const notices = await api.call<{ items: { dutyId: string; level: string }[] }>(
        'GET',
        '/v1/notices?unitId=s2',
      );
      expect(notices.body.items.filter((n) => n.dutyId === duty.id).map((n) => n.level)).toContain('overdue');
      const filed = await post<RosterResult>(goodFile, 'commit', unitUser('s2'), 'semester=2026-late');
      // The file names 城关一小 in its 学校 column: s2 may not file it as its own.
      expect(filed.status).toBe(400);
      const own = await workbook(
        GOOD_ROWS.map((r) => r.map((cell) => (cell === '城关一小' ? '城关二小' : cell))),
      );
      const late = await post<RosterResult>(own, 'commit', unitUser('s2'), 'semester=2026-late');
      expect(late.status, late.text).toBe(201);
      expect(late.body.dutyId).toBe(duty.id);
      expect((await dutyOf('s2', taskId)).status).toBe('submitted');
    } finally {
      api.setNow(new Date('2026-09-03T02:00:00Z'));
    }
  });

  it('the same file sent twice at once is filed once', async () => {
    const body = {
      id: '2026-race',
      name: '并发学期',
      startDate: '2026-09-01',
      planId: plan.id,
      schoolUnitIds: ['s1'],
    };
    expect((await api.call('POST', '/v1/semesters', { body })).status).toBe(201);
    const both = await Promise.all([
      post<RosterResult>(goodFile, 'commit', s1, 'semester=2026-race'),
      post<RosterResult>(goodFile, 'commit', s1, 'semester=2026-race'),
    ]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    expect(both.reduce((n, r) => n + r.body.written, 0)).toBe(4);
    const stored = await api.doc.send(
      new QueryCommand({
        TableName: api.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ROSTER#2026-race#s1' },
      }),
    );
    expect((stored.Items ?? []).map((i) => i.entity).sort()).toEqual([
      'RosterEntry',
      'RosterEntry',
      'RosterEntry',
      'RosterEntry',
      'RosterImport',
    ]);
    const duty = await api.call<Duty>('GET', `/v1/duties/${both[0]?.body.dutyId}`);
    expect(duty.body.status).toBe('submitted');
  });

  it('without a semester nothing is read, and the office files for a school with no duty left open', async () => {
    expect((await api.call('GET', '/v1/rosters/ledger?semester=2099-spring')).status).toBe(404);
    expect((await api.call('GET', '/v1/semesters/2099-spring')).status).toBe(404);
    const empty = await workbook([]);
    const res = await post<RosterResult>(empty, 'commit', OFFICE, 'semester=2026-autumn&school=s2');
    expect(res.status, res.text).toBe(201);
    expect(res.body.written).toBe(0);
    const duty = await api.call<Duty>('GET', `/v1/duties/${res.body.dutyId}`);
    expect(duty.body.status).toBe('submitted');
  });
  it('a corrected file replaces the earlier rows of the rosters it holds, and only those', async () => {
    const corrected = await workbook([
      [
        '1',
        '无学籍人员',
        '钱小多',
        '城关一小',
        '二年级',
        '1班',
        '城关镇',
        '北街村',
        '钱多多',
        '13500005555',
        '',
        '',
      ],
    ]);
    const res = await post<RosterResult>(corrected, 'commit', s1, 'semester=2026-race');
    expect(res.status, res.text).toBe(201);
    expect([res.body.written, res.body.replaced]).toEqual([1, 1]);
    const ledger = await api.call<{ items: RosterEntry[] }>('GET', '/v1/rosters/ledger?semester=2026-race', {
      as: s1,
    });
    expect(ledger.body.items.map((e) => e.childNameMasked)).toEqual(['钱*多', '王*', '李*红']);
    // The replaced child is gone from the table, not only from the ledger.
    const raw = await api.doc.send(
      new QueryCommand({
        TableName: api.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': 'ROSTER#2026-race#s1', ':e': 'ENTRY#' },
      }),
    );
    expect(raw.Items?.map((i) => i.masked.childName).sort()).toEqual(
      ['李*红', '王*', '赵*刚', '钱*多'].sort(),
    );
  });
});
