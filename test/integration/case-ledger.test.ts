/**
 * The 控辍保学 county ledger, the office's step deadlines and the retention of closed cases, through
 * the real app on DynamoDB Local: open cases by township and school with their age in working
 * days, step, lateness and light; returns this semester; Excel and CSV with Chinese headers and
 * masked names, every export audited; a school and another township refused; deadlines changed by
 * the office (validated, audited) move the ladder; a closed case past retention is erased by the
 * sweep, once, its counts kept.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { CaseLedger, CaseSettingsView } from '../../shared/schemas/case-reports.js';
import { OFFICE, TEST_SECRET } from '../fixtures/app.js';
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
  TOWN_2,
} from '../fixtures/case-child.js';
import { tableSnapshot } from '../fixtures/snapshot.js';
import { expectPrintableSheets, openWorkbook } from '../fixtures/workbook.js';

const child = caseChild;

describe('控辍保学台账, settings and retention', () => {
  let api: TestApi;
  let suspectedId: string;
  let returnedId: string;

  beforeAll(async () => {
    // Thursday 9 October 2025, 10:00 in Shanghai.
    api = await caseTestApp({ 'school-b': null });
    const create = (as: typeof SCHOOL_A, body: Record<string, unknown>) => createCase(api, as, body);
    // Suspected on 9 October; contact due 2 working days later (Saturday 11 October, a make-up working day).
    suspectedId = await create(SCHOOL_A, child());
    // Absent since 29 September: not yet suspected.
    await create(SCHOOL_A, child({ childName: '李四', firstDayAbsent: '2025-09-30', groups: {} }));
    await create(SCHOOL_C, child({ childName: '王五', schoolUnitId: 'school-c', townshipUnitId: 'town-2' }));
    returnedId = await create(SCHOOL_A, child({ childName: '赵六', firstDayAbsent: '2025-09-26' }));
    expect(
      (
        await api.call('POST', `/v1/cases/${returnedId}/return`, {
          as: SCHOOL_A,
          body: { returnedOn: '2025-10-09', evidence: '返校签到表' },
        })
      ).status,
    ).toBe(200);
  });

  it('lists open cases by township and school, with age in working days, step, lateness and lights', async () => {
    const res = await api.call<CaseLedger>('GET', '/v1/case-ledger');
    expect(res.status, res.text).toBe(200);
    const ledger = res.body;
    expect(ledger).toMatchObject({ asOf: '2025-10-09', since: '2025-09-01' });
    expect(ledger.totals).toMatchObject({ open: 3, suspected: 2, dropout: 0, late: 0, returned: 1 });
    expect(ledger.townships.map((t) => t.townshipName)).toEqual(['城关镇', '柳湾镇']);
    const a = ledger.townships[0]?.schools[0];
    expect(a).toMatchObject({ schoolName: '城关中学', totals: { open: 2, returned: 1 } });
    const row = a?.cases.find((c) => c.id === suspectedId);
    expect(row).toMatchObject({
      childNameMasked: '张*明',
      // 25, 26, 28 (make-up day), 29, 30 September and 9 October.
      ageWorkingDays: 6,
      stage: 'suspected',
      step: { step: 'contact', dueOn: '2025-10-11', late: false },
      light: 'blue',
    });
    expect(JSON.stringify(ledger)).not.toContain('张小明');
    expect(JSON.stringify(ledger)).not.toContain('13812345678');
  });

  it('shows a township its own part only; a school and another township are refused', async () => {
    const own = await api.call<CaseLedger>('GET', '/v1/case-ledger', { as: TOWN });
    expect(own.status).toBe(200);
    expect(own.body.townships.map((t) => t.townshipUnitId)).toEqual(['town']);
    expect((await api.call('GET', '/v1/case-ledger?township=town', { as: TOWN_2 })).status).toBe(403);
    expect((await api.call('GET', '/v1/case-ledger', { as: SCHOOL_A })).status).toBe(403);
    expect((await api.call('GET', '/v1/case-ledger?format=csv', { as: SCHOOL_A })).status).toBe(403);
    const leader = await api.call<CaseLedger>('GET', '/v1/case-ledger?township=town-2', {
      as: { sub: 'leader-1', role: 'leader' },
    });
    expect(leader.body.totals.open).toBe(1);
  });

  it('exports Excel and CSV with Chinese headers and masked names, each export audited', async () => {
    const csv = await api.call('GET', '/v1/case-ledger?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.text.replace(/^\uFEFF/, '').startsWith('乡镇,学校,学生(脱敏),性别')).toBe(true);
    expect(csv.text).toContain('张*明');
    expect(csv.text).not.toContain('张小明');
    expect(csv.text).toContain('本学期复学');
    const xlsx = await api.app.request('/v1/case-ledger?format=xlsx', {
      headers: { authorization: `Bearer ${await issueHs256Token(TEST_SECRET, OFFICE)}` },
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    expect(bytes[0]).toBe(0x50); // PK: a zip
    expectPrintableSheets(await openWorkbook(bytes));
    const events = await api.services.audit.list(OFFICE, {}, { limit: 200 });
    const exports = events.items.filter((e) => e.action === 'case.export');
    expect(exports.map((e) => (e.after as { format: string }).format).sort()).toEqual(['csv', 'xlsx']);
  });

  it('lets the office change step deadlines (validated, audited, versioned), and the ladder uses them', async () => {
    const before = await api.call<CaseSettingsView>('GET', '/v1/case-settings', { as: SCHOOL_A });
    expect(before.body).toMatchObject({ version: 0, retentionSchoolYears: 1, stepDeadlines: { contact: 2 } });
    const snapshot = await tableSnapshot(api.table);
    const bad = await api.call<ErrorBody>('PUT', '/v1/case-settings', {
      body: {
        stepDeadlines: { contact: 0, notice: 3, 'report-bureau': 2, 'notify-township': 3, arrange: 61 },
        retentionSchoolYears: -1,
        expectedVersion: 0,
      },
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)?.sort()).toEqual([
      'retentionSchoolYears',
      'stepDeadlines.arrange',
      'stepDeadlines.contact',
    ]);
    const body = {
      stepDeadlines: { contact: 1, notice: 3, 'report-bureau': 2, 'notify-township': 3, arrange: 10 },
      retentionSchoolYears: 1,
      expectedVersion: 0,
    };
    expect((await api.call('PUT', '/v1/case-settings', { as: SCHOOL_A, body })).status).toBe(403);
    expect(await tableSnapshot(api.table)).toEqual(snapshot);
    const put = await api.call<CaseSettingsView>('PUT', '/v1/case-settings', { body });
    expect(put.status, put.text).toBe(200);
    expect(put.body.version).toBe(1);
    expect((await api.call('PUT', '/v1/case-settings', { body })).status).toBe(409);
    // Contact now due one working day after the suspicion: Friday 10 October.
    const row = (
      await api.call<CaseLedger>('GET', '/v1/case-ledger')
    ).body.townships[0]?.schools[0]?.cases.find((c) => c.id === suspectedId);
    expect(row?.step).toMatchObject({ step: 'contact', dueOn: '2025-10-10' });
    const listed = await api.call<{ items: { id: string; next: { dueOn: string } | null }[] }>(
      'GET',
      '/v1/cases',
      {
        as: SCHOOL_A,
      },
    );
    expect(listed.body.items.find((c) => c.id === suspectedId)?.next?.dueOn).toBe('2025-10-10');
    const events = await api.services.audit.list(OFFICE, {}, { limit: 200 });
    const change = events.items.find((e) => e.action === 'case.settings');
    expect(change?.before).toMatchObject({ stepDeadlines: { contact: 2 } });
    expect(change?.after).toMatchObject({ stepDeadlines: { contact: 1 } });
  });

  it('erases a closed case past retention from the sweep, once, keeping its counts', async () => {
    // Returned 9 October 2025: kept to 31 August 2027 (the end of the following school year).
    api.setNow(new Date('2027-08-31T02:00:00Z'));
    expect((await api.call('POST', '/v1/sweeps', { body: {} })).status).toBe(200);
    const kept = await api.call<{ childName: string }>('GET', `/v1/cases/${returnedId}`, { as: SCHOOL_A });
    expect(kept.body.childName).toBe('赵六');

    api.setNow(new Date('2027-09-01T02:00:00Z'));
    const first = await api.call<{ casesErased: number }>('POST', '/v1/sweeps', { body: {} });
    expect(first.body.casesErased).toBe(1);
    const again = await api.call<{ casesErased: number }>('POST', '/v1/sweeps', { body: {} });
    expect(again.body.casesErased).toBe(0);
    const stored = await api.doc.send(
      new GetCommand({ TableName: api.table.tableName, Key: { pk: `CASE#${returnedId}`, sk: 'CASE' } }),
    );
    expect(stored.Item?.sealed).toBeNull();
    expect(stored.Item?.gsi4pk).toBeUndefined();
    expect(stored.Item).toMatchObject({
      schoolUnitId: 'school-a',
      returnedOn: '2025-10-09',
      erasedOn: '2027-09-01',
    });
    const erased = await api.call<{ childName: string; guardian: { phone: string } }>(
      'GET',
      `/v1/cases/${returnedId}`,
      { as: SCHOOL_A },
    );
    expect(erased.body.childName).toBe('(已按保存期限删除)');
    expect(erased.body.guardian.phone).toBe('(已按保存期限删除)');
    // Still counted as a return (anonymous) in that semester's ledger.
    const ledger = await api.call<CaseLedger>('GET', '/v1/case-ledger?since=2025-09-01');
    expect(ledger.body.totals.returned).toBe(1);
    const events = await api.services.audit.list(OFFICE, {}, { limit: 500 });
    expect(events.items.filter((e) => e.action === 'case.erase' && e.entityId === returnedId)).toHaveLength(
      1,
    );
    // Open cases are never erased.
    const open = await api.call<{ childName: string }>('GET', `/v1/cases/${suspectedId}`, { as: SCHOOL_A });
    expect(open.body.childName).toBe('张小明');
    expect((await api.call('GET', `/v1/cases/${suspectedId}`, { as: SCHOOL_C })).status).toBe(403);
  });
});
