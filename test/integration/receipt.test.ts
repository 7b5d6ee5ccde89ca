/**
 * 签收 and 催办 (issue 15): a plan that requires 签收 puts new and returned duties in 待签收 until
 * their unit signs; unsigned after the deadline, one `receipt` notice however many sweeps run; the
 * office (or a unit above) presses 催办, one notice a press, idempotent on retry.
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { counterRepository } from '../../shared/db/counter-repository.js';
import { reportRepository } from '../../shared/db/report-repository.js';
import { unitRepository } from '../../shared/db/unit-repository.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import type { AuditEventView as AuditEvent } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice, SweepResult } from '../../shared/schemas/notices.js';
import type { Plan, PlanView } from '../../shared/schemas/plans.js';
import type { Report } from '../../shared/schemas/reports.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { reportComputer } from '../../shared/services/report-service.js';
import { OFFICE, TEST_SECRET, type TestResponse, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
// Monday 2026-05-18 10:00 in Asia/Shanghai.
const MONDAY = new Date('2026-05-18T02:00:00Z');
const village = unitUser('village');

const ok = <T>(res: TestResponse<T>, status = 200): T => {
  expect(res.status, res.text).toBe(status);
  return res.body;
};

describe('签收 and 催办', () => {
  let api: Api;
  let plan: Plan;
  const newDuty = async (planId = plan.id, dueAt = '2026-06-30'): Promise<Duty> =>
    ok(
      await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${planId}/tasks`, {
        body: { title: '摸排适龄儿童', phaseKey: 'work', leadUnitId: 'village', dueAt },
      }),
      201,
    ).duties[0] as Duty;
  const receive = (id: string, as = village) => api.call<Duty>('POST', `/v1/duties/${id}/receive`, { as });
  const notices = async (level: string): Promise<Notice[]> =>
    ok(await api.call<{ items: Notice[] }>('GET', `/v1/notices?planId=${plan.id}&level=${level}&limit=100`))
      .items;

  beforeAll(async () => {
    api = await testApp({ now: MONDAY });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      { id: 'other', name: '柳湾村', kind: 'village', parentId: 'county' },
    ]) {
      ok(await api.call('POST', '/v1/units', { body }), 201);
    }
    plan = ok(
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '控辍保学',
          phases: [{ key: 'work', name: '整改', start: '2026-05-01' }],
          receiptRequired: true,
        },
      }),
      201,
    );
  }, 60_000);

  it('keeps plans without 签收 as they were', async () => {
    const plain = ok(
      await api.call<Plan>('POST', '/v1/plans', {
        body: { title: '普通方案', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
      }),
      201,
    );
    expect(plain.receiptRequired).toBe(false);
    const duty = await newDuty(plain.id);
    expect(duty.receipt).toBeNull();
    const res = await receive(duty.id);
    expect(res.status).toBe(409);
    expect((res.body as unknown as { error: { code: string } }).error.code).toBe('receipt_not_required');
  });

  it('refuses a bad receipt deadline, naming the field', async () => {
    const res = await api.call<{ error: { details: { fields: { field: string }[] } } }>('POST', '/v1/plans', {
      body: {
        title: '坏方案',
        phases: [{ key: 'work', name: '整改', start: '2026-05-01' }],
        receiptRequired: 'yes',
        receiptWorkingHours: 0,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f) => f.field).sort()).toEqual([
      'receiptRequired',
      'receiptWorkingHours',
    ]);
  });

  it('signs once, by the owning unit only, with who and when in the history', async () => {
    const duty = await newDuty();
    // 待签收, due at the end of the next working day (Tuesday, local).
    expect(duty.receipt).toMatchObject({ round: 1, at: null, dueAt: '2026-05-19T15:59:59.999Z' });
    expect((await receive(duty.id, unitUser('other'))).status).toBe(403);
    expect((await receive(duty.id, unitUser('town'))).status).toBe(403);
    expect((await api.call('POST', `/v1/duties/${duty.id}/receive`)).status).toBe(403);
    expect((await receive('duty-does-not-exist')).status).toBe(404);
    expect((await receive('Bad_Id')).status).toBe(400);

    api.setNow(new Date('2026-05-18T03:30:00Z'));
    const signed = ok(await receive(duty.id));
    expect(signed.receipt).toMatchObject({
      at: '2026-05-18T03:30:00.000Z',
      by: 'village-clerk',
      workingMinutes: 90,
    });
    expect(signed.version).toBe(duty.version + 1);
    // Again: the same signature, nothing written.
    api.setNow(new Date('2026-05-18T05:00:00Z'));
    const again = ok(await receive(duty.id));
    expect(again.receipt).toEqual(signed.receipt);
    expect(again.version).toBe(signed.version);

    const history = ok(
      await api.call<{ items: AuditEvent[] }>('GET', `/v1/duties/${duty.id}/history`),
    ).items.filter((e) => e.action === 'duty.receive');
    expect(history).toHaveLength(1);
    // Who, and (in what changed) when by the business clock.
    expect(history[0]).toMatchObject({ actor: 'village-clerk' });
    expect(JSON.stringify(history[0])).toContain('"at":"2026-05-18T03:30:00.000Z"');
    api.setNow(MONDAY);
  });

  it('writes the receipt notice exactly once under 8 concurrent sweeps, and none for signed duties', async () => {
    const unsigned = await newDuty();
    const signed = await newDuty();
    ok(await receive(signed.id));
    // Wednesday 09:00 local: Tuesday's deadline has passed.
    api.setNow(new Date('2026-05-20T01:00:00Z'));
    const results = await Promise.all(
      Array.from({ length: 8 }, async () =>
        ok(await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: plan.id } })),
      ),
    );
    expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
    const found = (await notices('receipt')).filter((n) => [unsigned.id, signed.id].includes(n.dutyId));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      dutyId: unsigned.id,
      levelLabel: '超时未签收',
      recipients: ['unit:village', 'role:office'],
    });
    // Later sweeps find nothing more to do for it.
    const later = ok(await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: plan.id } }));
    expect((await notices('receipt')).filter((n) => n.dutyId === unsigned.id)).toHaveLength(1);
    expect(later.written).toBe(0);
    const stored = ok(await api.call<Duty>('GET', `/v1/duties/${unsigned.id}`));
    expect(stored.receiptNoticedAt).toBe('2026-05-20T01:00:00.000Z');
    api.setNow(MONDAY);
  });

  it('keeps the receipt deadline when a ladder level fires first', async () => {
    const hours = ok(
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '两小时签收',
          phases: [{ key: 'work', name: '整改', start: '2026-05-01' }],
          receiptRequired: true,
          receiptWorkingHours: 2,
        },
      }),
      201,
    );
    // Due today: the reminder fires at once, the receipt is due at 12:00 local, overdue at midnight.
    const duty = await newDuty(hours.id, '2026-05-18');
    expect(duty.receipt?.dueAt).toBe('2026-05-18T04:00:00.000Z');
    const sweep = async (at: string) => {
      api.setNow(new Date(at));
      return ok(await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: hours.id } }));
    };
    expect((await sweep('2026-05-18T02:30:00Z')).written).toBe(1);
    const ofDuty = async (level: string) =>
      ok(
        await api.call<{ items: Notice[] }>('GET', `/v1/notices?planId=${hours.id}&level=${level}&limit=100`),
      ).items.filter((n) => n.dutyId === duty.id);
    expect(await ofDuty('remind')).toHaveLength(1);
    expect(await ofDuty('receipt')).toHaveLength(0);
    // 12:30 local: the receipt deadline has passed, the overdue level has not.
    const noon = await sweep('2026-05-18T04:30:00Z');
    expect(noon.written).toBe(1);
    expect(await ofDuty('receipt')).toHaveLength(1);
    expect(await ofDuty('overdue')).toHaveLength(0);
    api.setNow(MONDAY);
  });

  it('takes a signed duty off the sweep once its moot receipt wake-up has passed', async () => {
    const hours = ok(
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '签收后不再巡检',
          phases: [{ key: 'work', name: '整改', start: '2026-05-01' }],
          receiptRequired: true,
          receiptWorkingHours: 2,
        },
      }),
      201,
    );
    const duty = await newDuty(hours.id, '2026-06-30');
    ok(await receive(duty.id));
    const sweep = async () =>
      ok(await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: hours.id } }));
    api.setNow(new Date('2026-05-18T04:30:00Z'));
    const first = await sweep();
    expect(first).toMatchObject({ written: 0, failed: 0 });
    expect(first.itemsRead).toBeGreaterThan(0);
    // The first sweep past the old deadline put the duty back at its ladder's next level.
    expect((await sweep()).itemsRead).toBe(0);
    api.setNow(MONDAY);
  });

  it('signs with the submit, and a returned duty must be signed again', async () => {
    const duty = await newDuty();
    const submitted = ok(
      await api.call<Duty>('POST', `/v1/duties/${duty.id}/submit`, { as: village, body: { note: '已完成' } }),
    );
    expect(submitted.receipt).toMatchObject({ at: MONDAY.toISOString(), by: 'village-clerk' });
    api.setNow(new Date('2026-05-18T06:00:00Z'));
    const returned = ok(
      await api.call<Duty>('POST', `/v1/duties/${duty.id}/return`, { body: { reason: '缺少签字' } }),
    );
    expect(returned.receipt).toMatchObject({ round: 2, at: null, since: '2026-05-18T06:00:00.000Z' });
    expect(returned.receiptNoticedAt).toBeNull();
    const signed = ok(await receive(duty.id));
    expect(signed.receipt).toMatchObject({ round: 2, at: '2026-05-18T06:00:00.000Z' });
    api.setNow(MONDAY);
  });

  it('counts who has not signed and how fast each unit signs in the plan view', async () => {
    const view = ok(await api.call<PlanView>('GET', `/v1/plans/${plan.id}`));
    const village = view.receipts.byUnit.village;
    expect(village).toBeDefined();
    const duties = ok(
      await api.call<{ items: Duty[] }>('GET', `/v1/plans/${plan.id}/duties?unitId=village&limit=100`),
    ).items;
    const signed = duties.filter((d) => d.receipt?.at);
    expect(village).toMatchObject({
      unsigned: duties.filter((d) => d.receipt !== null && d.receipt.at === null).length,
      signed: signed.length,
      signedLate: signed.filter((d) => (d.receipt?.at ?? '') > (d.receipt?.dueAt ?? '')).length,
    });
    const minutes = signed.reduce((n, d) => n + (d.receipt?.workingMinutes ?? 0), 0);
    expect(village?.averageWorkingMinutes).toBe(
      signed.length === 0 ? null : Math.round(minutes / signed.length),
    );
  });

  it('freezes who has not signed and how fast each unit signs in the reports: JSON, CSV and xlsx', async () => {
    const view = ok(await api.call<PlanView>('GET', `/v1/plans/${plan.id}`));
    // Both ways of computing a report (the counters now, the replay of every duty) agree.
    const ref = { doc: api.doc, tableName: api.table.tableName };
    const computer = reportComputer({
      reports: reportRepository(ref),
      units: unitRepository(ref),
      counters: counterRepository(ref),
    });
    // After every step of the tests above (some signed on later days than MONDAY).
    const later = new Date('2026-06-01T00:00:00Z');
    const input = { asOf: later, now: later, calendar: createWorkingCalendar([]) };
    const [counted, replayed] = await Promise.all([
      computer.compute(plan, { ...input, method: 'counters' }),
      computer.compute(plan, { ...input, method: 'replay' }),
    ]);
    expect(counted.method).toBe('counters');
    expect(counted.built.content.receipts).toEqual(replayed.built.content.receipts);

    const report = ok(
      await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'month' } }),
      201,
    );
    const village = report.receipts?.units.find((u) => u.unitId === 'village');
    expect(village).toEqual({ unitId: 'village', unitName: '东街村', ...view.receipts.byUnit.village });
    expect(report.receipts?.all).toEqual(view.receipts.all);
    expect(village?.unsigned).toBeGreaterThan(0);
    // Most unsigned first.
    const unsigned = report.receipts?.units.map((u) => u.unsigned) ?? [];
    expect(unsigned).toEqual([...unsigned].sort((a, b) => b - a));

    const { text } = await api.call('GET', `/v1/reports/${report.id}?format=csv`);
    expect(text).toContain(`签收情况:未签收 ${report.receipts?.all.unsigned} 条`);
    expect(text).toContain('单位,未签收,已签收,超时签收,平均签收用时(工作分钟)');
    expect(text).toContain(`东街村,${village?.unsigned},${village?.signed},${village?.signedLate},`);
    const xlsx = await api.app.request(`/v1/reports/${report.id}?format=xlsx`, {
      headers: { authorization: `Bearer ${await issueHs256Token(TEST_SECRET, OFFICE)}` },
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.getWorksheet('签收情况');
    expect(sheet?.getRow(2).getCell(2).value).toBe('未签收');
    const rows: unknown[][] = [];
    sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows).toContainEqual([
      '东街村',
      village?.unsigned,
      village?.signed,
      village?.signedLate,
      ...(village?.averageWorkingMinutes == null ? [] : [village.averageWorkingMinutes]),
    ]);

    // A unit sees its own figures only.
    const own = ok(await api.call<Report>('GET', `/v1/reports/${report.id}`, { as: unitUser('other') }));
    expect(own.receipts?.units.every((u) => u.unitId === 'other')).toBe(true);
  });

  describe('催办', () => {
    const remind = (
      id: string,
      body: unknown,
      init: { key?: string; as?: ReturnType<typeof unitUser> } = {},
    ) =>
      api.call<Notice>('POST', `/v1/duties/${id}/reminders`, {
        body,
        ...(init.as ? { as: init.as } : {}),
        ...(init.key ? { headers: { 'idempotency-key': init.key } } : {}),
      });

    it('writes one manual notice a press, and a retried press gives the first answer', async () => {
      const duty = await newDuty(plan.id, '2026-05-15');
      const first = ok(await remind(duty.id, { text: '请今天下班前报送' }, { key: 'press-1' }), 201);
      expect(first).toMatchObject({
        level: 'manual',
        text: '请今天下班前报送',
        recipients: ['unit:village'],
      });
      const retried = await remind(duty.id, { text: '请今天下班前报送' }, { key: 'press-1' });
      expect(retried.status).toBe(201);
      expect(retried.body.id).toBe(first.id);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      const second = ok(await remind(duty.id, {}, { key: 'press-2' }), 201);
      expect(second.id).not.toBe(first.id);
      // A unit above the owner may press it too.
      ok(await remind(duty.id, {}, { as: unitUser('town') }), 201);
      const manual = (await notices('manual')).filter((n) => n.dutyId === duty.id);
      expect(manual).toHaveLength(3);
      // The unit sees them in its inbox.
      const inbox = ok(
        await api.call<{ items: Notice[] }>('GET', `/v1/notices?unitId=village&level=manual&limit=100`, {
          as: village,
        }),
      ).items;
      expect(inbox.filter((n) => n.dutyId === duty.id)).toHaveLength(3);
    });

    it('counts 催办 and receipt notices by level in the reports', async () => {
      api.setNow(new Date('2026-05-20T02:00:00Z'));
      const made = ok(
        await api.call<{ id: string }>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } }),
        201,
      );
      const report = ok(
        await api.call<{
          levels: { level: string; label: string }[];
          totals: { notices: Record<string, number> };
        }>('GET', `/v1/reports/${made.id}`),
      );
      expect(report.levels).toEqual(
        expect.arrayContaining([
          { level: 'manual', label: '催办' },
          { level: 'receipt', label: '超时未签收' },
        ]),
      );
      expect(report.totals.notices.manual).toBe((await notices('manual')).length);
      expect(report.totals.notices.receipt).toBe((await notices('receipt')).length);
      api.setNow(MONDAY);
    });

    it('refuses bad text naming the field, other units, missing and finished duties', async () => {
      const duty = await newDuty();
      const before = (await notices('manual')).length;
      const bad = await remind(duty.id, { text: '催'.repeat(201) });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('"field":"text"');
      expect((await remind(duty.id, { text: '催办', extra: 1 })).status).toBe(400);
      expect((await remind(duty.id, {}, { as: unitUser('other') })).status).toBe(403);
      expect((await remind(duty.id, {}, { as: village })).status).toBe(403);
      expect((await remind('duty-does-not-exist', {})).status).toBe(404);
      ok(await api.call('POST', `/v1/duties/${duty.id}/submit`, { as: village, body: { note: '已完成' } }));
      expect((await remind(duty.id, {})).status).toBe(409);
      expect((await notices('manual')).length).toBe(before);
    });
  });
});
