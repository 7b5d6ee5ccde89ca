/**
 * 台账快照: the county ledger frozen at a cut-off date through the real app on DynamoDB Local —
 * made once per date (a repeat and a concurrent request get the same snapshot, one audit event),
 * the cases as they stood at the end of that day, CSV and Excel with a title row, Chinese headers,
 * masked names and no internal ids, every download audited; a school, a township and a leader
 * cannot make one, and refused requests write nothing.
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { LedgerReport, LedgerReportSummary } from '../../shared/schemas/case-reports.js';
import { LEADER, OFFICE, TEST_SECRET } from '../fixtures/app.js';
import {
  caseChild,
  caseTestApp,
  createCase,
  type ErrorBody,
  fieldsOf,
  SCHOOL_A,
  SCHOOL_C,
  type TestApi,
  TOWN,
} from '../fixtures/case-child.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

describe('台账快照 (frozen county ledger)', () => {
  let api: TestApi;
  let ids: string[];
  let returnedId: string;

  beforeAll(async () => {
    // Thursday 9 October 2025, 10:00 in Shanghai: the first working day after National Day.
    api = await caseTestApp({ 'school-b': null });
    const create = (as: typeof SCHOOL_A, body: Record<string, unknown>) => createCase(api, as, body);
    ids = [
      await create(SCHOOL_A, caseChild()),
      await create(SCHOOL_A, caseChild({ childName: '李四', firstDayAbsent: '2025-09-30', groups: {} })),
      await create(
        SCHOOL_C,
        caseChild({ childName: '王五', schoolUnitId: 'school-c', townshipUnitId: 'town-2', groups: {} }),
      ),
      // First absent on the 9th: after an 8 October cut-off.
      await create(SCHOOL_A, caseChild({ childName: '孙七', firstDayAbsent: '2025-10-09', groups: {} })),
    ];
    returnedId = await create(
      SCHOOL_A,
      caseChild({ childName: '赵六', firstDayAbsent: '2025-09-26', groups: { disabled: true } }),
    );
    ids.push(returnedId);
    const back = await api.call('POST', `/v1/cases/${returnedId}/return`, {
      as: SCHOOL_A,
      body: { returnedOn: '2025-10-09', evidence: '返校签到表' },
    });
    expect(back.status, back.text).toBe(200);
  });

  const snapshotEvents = async (id: string) =>
    (await api.services.audit.list(OFFICE, {}, { limit: 500 })).items.filter((e) => e.entityId === id);

  it('freezes the ledger as it stood at the end of the cut-off date', async () => {
    const res = await api.call<LedgerReport>('POST', '/v1/case-ledger/reports', {
      body: { asOf: '2025-10-08' },
    });
    expect(res.status, res.text).toBe(201);
    const report = res.body;
    expect(report).toMatchObject({ id: 'ledger-2025-10-08', asOf: '2025-10-08', since: '2025-09-01' });
    // 赵六 came back on the 9th: still out at the cut-off. 孙七 was first absent on the 9th: not yet.
    expect(report.totals).toMatchObject({ open: 4, returned: 0, suspected: 0 });
    expect(report.totals.groups).toEqual({ registeredPoor: 1, monitored: 0, disabled: 1, homeTeaching: 0 });
    const rows = report.ledger.townships.flatMap((t) => t.schools.flatMap((s) => s.cases));
    expect(rows.map((r) => r.childNameMasked).sort()).toEqual(['张*明', '李*', '王*', '赵*'].sort());
    // 25, 26, 28 (make-up day), 29 and 30 September: 5 working days, suspected only on the 6th.
    expect(rows.find((r) => r.id === ids[0])).toMatchObject({ ageWorkingDays: 5, stage: 'absent' });
    expect(JSON.stringify(report)).not.toContain('张小明');
    expect(JSON.stringify(report)).not.toContain('13812345678');

    // The live ledger of the 9th differs: the same child is suspected, 赵六 returned, 孙七 open.
    const live = await api.call<{ totals: { open: number; returned: number } }>('GET', '/v1/case-ledger');
    expect(live.body.totals).toMatchObject({ open: 4, returned: 1 });
  });

  it('is made once per date: a repeat and a concurrent request get the stored snapshot, one audit event', async () => {
    const again = await api.call<LedgerReport>('POST', '/v1/case-ledger/reports', {
      body: { asOf: '2025-10-08' },
    });
    expect(again.status).toBe(200);
    const first = await api.call<LedgerReport>('GET', '/v1/case-ledger/reports/ledger-2025-10-08');
    expect(again.body).toEqual(first.body);
    expect(
      (await snapshotEvents('ledger-2025-10-08')).filter((e) => e.action === 'case.ledger-report'),
    ).toHaveLength(1);

    const racing = await Promise.all(
      [1, 2, 3].map(() =>
        api.call<LedgerReport>('POST', '/v1/case-ledger/reports', { body: { asOf: '2025-10-07' } }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(racing.map((r) => r.body.generatedAt)).size).toBe(1);
    expect(
      (await snapshotEvents('ledger-2025-10-07')).filter((e) => e.action === 'case.ledger-report'),
    ).toHaveLength(1);

    // A change after it leaves the snapshot as it was.
    await api.call('POST', '/v1/cases', {
      as: SCHOOL_C,
      body: caseChild({
        childName: '周八',
        schoolUnitId: 'school-c',
        townshipUnitId: 'town-2',
        firstDayAbsent: '2025-09-29',
      }),
    });
    const later = await api.call<LedgerReport>('GET', '/v1/case-ledger/reports/ledger-2025-10-08');
    expect(later.body).toEqual(first.body);

    const list = await api.call<{ items: LedgerReportSummary[] }>('GET', '/v1/case-ledger/reports');
    expect(list.body.items.map((r) => r.id)).toEqual(['ledger-2025-10-08', 'ledger-2025-10-07']);
  });

  it('refuses a cut-off after today, naming it, and writes nothing', async () => {
    const before = await tableSnapshot(api.table);
    const res = await api.call<ErrorBody>('POST', '/v1/case-ledger/reports', {
      body: { asOf: '2025-10-10' },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(['asOf']);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('lets only the office make one; a school, a township and a leader are refused and write nothing', async () => {
    const before = await tableSnapshot(api.table);
    for (const as of [SCHOOL_A, TOWN, LEADER]) {
      const res = await api.call('POST', '/v1/case-ledger/reports', { as, body: { asOf: '2025-10-06' } });
      expect(res.status).toBe(403);
    }
    for (const as of [SCHOOL_A, TOWN]) {
      expect((await api.call('GET', '/v1/case-ledger/reports/ledger-2025-10-08', { as })).status).toBe(403);
      expect(
        (await api.call('GET', '/v1/case-ledger/reports/ledger-2025-10-08?format=csv', { as })).status,
      ).toBe(403);
    }
    expect(await tableSnapshot(api.table)).toBe(before);
    expect((await api.call('GET', '/v1/case-ledger/reports/ledger-2025-10-08', { as: LEADER })).status).toBe(
      200,
    );
    expect((await api.call('GET', '/v1/case-ledger/reports/ledger-2025-10-01')).status).toBe(404);
  });

  it('downloads CSV and Excel with a title row, Chinese headers, masked names and no ids, each audited', async () => {
    const csv = await api.call('GET', '/v1/case-ledger/reports/ledger-2025-10-08?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('疑似失学辍学人员台账(截至 2025-10-08)');
    expect(lines[1]?.startsWith('乡镇,学校,学生(脱敏),性别,年级班级,特殊群体,缺课首日,缺课工作日')).toBe(
      true,
    );
    expect(csv.text).toContain('城关中学');
    expect(csv.text).toContain('张*明');
    expect(csv.text).toContain('建档立卡,监测对象,残疾,送教上门');
    expect(csv.text).not.toContain('张小明');
    for (const id of ids) expect(csv.text).not.toContain(id);
    expect(csv.text).not.toContain('school-a');

    const xlsx = await api.app.request('/v1/case-ledger/reports/ledger-2025-10-08?format=xlsx', {
      headers: { authorization: `Bearer ${await issueHs256Token(TEST_SECRET, OFFICE)}` },
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toContain('ledger-2025-10-08.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.worksheets[0];
    expect(sheet?.getCell('A1').value).toBe('疑似失学辍学人员台账(截至 2025-10-08)');
    expect(sheet?.getRow(2).values).toContain('学生(脱敏)');
    const cells = book.worksheets.flatMap((ws) => {
      const out: string[] = [];
      ws.eachRow((row) => {
        for (const v of row.values as unknown[]) if (v !== null && v !== undefined) out.push(String(v));
      });
      return out;
    });
    expect(cells).toContain('张*明');
    expect(cells.join('|')).not.toContain('张小明');
    for (const id of ids) expect(cells).not.toContain(id);
    expect(book.worksheets[1]?.getCell('A1').value).toContain('各校汇总');

    const exports = (await snapshotEvents('ledger-2025-10-08')).filter((e) => e.action === 'case.export');
    expect(exports.map((e) => (e.after as { format: string }).format).sort()).toEqual(['csv', 'xlsx']);
    expect(JSON.stringify(exports)).not.toContain('张');
  });
});
