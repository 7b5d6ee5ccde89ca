/**
 * 师生结对帮扶 logged once: a care file's record also submits the pair's duty for the record's
 * period, through the real app on DynamoDB Local — a support record that week's 帮扶记录, a home
 * visit that month's 家访; a second record of the same period submits nothing more, two at once
 * submit once, a date outside the plan keeps the record with `duty: null`, and a week with no
 * record still goes overdue on the ladder.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEntityPk } from '../../shared/db/audit.js';
import type {
  CareFile,
  CareFileListItem,
  CarePairSetupResult,
  CareRecordResult,
} from '../../shared/schemas/care-files.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { occurrenceDutyId } from '../../shared/services/duty-factory.js';
import { OFFICE, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;

const SCHOOL_A = unitUser('school-a');
const NAME = '刘小红';
const PHONE = '13712345678';

describe('师生结对帮扶: a record submits its period’s pair duty once', () => {
  let api: Api;
  let fileId: string;
  let pair: CarePairSetupResult;

  const dutyOf = (taskId: string, key: string) => occurrenceDutyId(taskId, 'school-a', key);
  const getDuty = async (id: string) => (await api.call<Duty>('GET', `/v1/duties/${id}`)).body;
  const record = (body: Record<string, unknown>) =>
    api.call<CareRecordResult>('POST', `/v1/care-files/${fileId}/records`, {
      as: SCHOOL_A,
      body: { by: '王老师', content: '辅导数学作业,与刘奶奶谈孩子近况', ...body },
    });
  const submits = async (dutyId: string) => {
    const out = await api.doc.send(
      new QueryCommand({
        TableName: `${api.table.tableName}-audit`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': auditEntityPk('duty', dutyId) },
      }),
    );
    return (out.Items ?? []).filter((e) => e.action === 'duty.submit');
  };

  beforeAll(async () => {
    // Thursday 9 October 2025, 10:00 in Shanghai (week 41: 6–12 October).
    api = await testApp({ now: new Date('2025-10-09T02:00:00Z') });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'school-a', name: '城关小学', kind: 'school', parentId: 'town' },
    ]) {
      expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
    }
    const plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: { title: '师生结对帮扶', phases: [{ key: 'work', name: '帮扶', start: '2025-09-01' }] },
      })
    ).body;
    const file = await api.call<CareFileListItem>('POST', '/v1/care-files', {
      as: SCHOOL_A,
      body: {
        childName: NAME,
        grade: '四年级',
        className: '2班',
        schoolUnitId: 'school-a',
        townshipUnitId: 'town',
        village: '东街村三组',
        guardian: { name: '刘奶奶', phone: PHONE },
        away: 'both',
      },
    });
    expect(file.status, file.text).toBe(201);
    fileId = file.body.id;
    const set = await api.call<CarePairSetupResult>('POST', `/v1/care-files/${fileId}/pairs`, {
      as: OFFICE,
      body: { teacher: { name: '王老师', phone: '13900001111' }, planId: plan.id, phaseKey: 'work' },
    });
    expect(set.status, set.text).toBe(200);
    pair = set.body;
  });

  it('a support record submits that week’s record duty, naming the record and the child masked only', async () => {
    const weekId = dutyOf(pair.weeklyTaskId, '2025-W41');
    expect((await getDuty(weekId)).status).toBe('open');
    const res = await record({ kind: 'support', date: '2025-10-08' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.duty).toMatchObject({
      dutyId: weekId,
      kind: 'weekly-record',
      occurrenceKey: '2025-W41',
      status: 'submitted',
      state: 'recorded',
      stateLabel: '已记录',
      submittedNow: true,
    });
    expect(res.body.dutyMessage).toContain('已同时提交');
    const duty = await getDuty(weekId);
    expect(duty.status).toBe('submitted');
    expect(duty.submission?.submittedBy).toBe(SCHOOL_A.sub);
    expect(duty.submission?.note).toContain(res.body.id);
    expect(duty.submission?.note).toContain('刘*红');
    for (const whole of [NAME, PHONE, '刘奶奶']) expect(JSON.stringify(duty)).not.toContain(whole);
    expect(await submits(weekId)).toHaveLength(1);
    // As for any report duty: the office reviews what was submitted.
    const accepted = await api.call<Duty>('POST', `/v1/duties/${weekId}/accept`, { body: {} });
    expect(accepted.status, accepted.text).toBe(200);
  });

  it('a second record the same week is kept and submits nothing more', async () => {
    const weekId = dutyOf(pair.weeklyTaskId, '2025-W41');
    const before = await getDuty(weekId);
    const res = await record({ kind: 'support', date: '2025-10-09' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.duty).toMatchObject({ dutyId: weekId, status: 'accepted', submittedNow: false });
    expect(res.body.dutyMessage).toContain('不再重复提交');
    expect(await getDuty(weekId)).toEqual(before);
    expect(await submits(weekId)).toHaveLength(1);
    const view = await api.call<CareFile>('GET', `/v1/care-files/${fileId}`, { as: SCHOOL_A });
    expect(view.body.records.filter((r) => r.date >= '2025-10-08' && r.kind === 'support')).toHaveLength(2);
  });

  it('two records of one week sent at once submit its duty once', async () => {
    // Week 40 (29 September – 5 October): its Friday has passed, the duty is open and late.
    const weekId = dutyOf(pair.weeklyTaskId, '2025-W40');
    expect(await getDuty(weekId)).toMatchObject({ status: 'open', overdue: true });
    const both = await Promise.all([
      record({ kind: 'support', date: '2025-09-30' }),
      record({ kind: 'support', date: '2025-10-01' }),
    ]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    expect(both.map((r) => r.body.duty?.submittedNow).sort()).toEqual([false, true]);
    expect(both.every((r) => r.body.duty?.status === 'submitted')).toBe(true);
    expect(await submits(weekId)).toHaveLength(1);
    expect((await getDuty(weekId)).status).toBe('submitted');
  });

  it('a home visit submits that month’s visit duty; a counselling session none', async () => {
    const monthId = dutyOf(pair.monthlyTaskId, '2025-10');
    const res = await record({ kind: 'home-visit', date: '2025-10-05' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.duty).toMatchObject({
      dutyId: monthId,
      kind: 'monthly-visit',
      occurrenceKey: '2025-10',
      status: 'submitted',
      submittedNow: true,
    });
    expect((await getDuty(monthId)).submission?.note).toContain('家访');
    expect(await submits(monthId)).toHaveLength(1);
    // The week of 5 October (week 40) was already logged: a home visit is not a weekly record.
    expect(await submits(dutyOf(pair.weeklyTaskId, '2025-W40'))).toHaveLength(1);
    const talk = await record({ kind: 'counselling', date: '2025-10-09' });
    expect(talk.status).toBe(201);
    expect(talk.body.duty).toBeNull();
  });

  it('a record dated outside the plan is kept, with duty null and the reason', async () => {
    const res = await record({ kind: 'support', date: '2025-08-20' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.duty).toBeNull();
    expect(res.body.dutyMessage).toContain('没有结对帮扶记录任务');
    const view = await api.call<CareFile>('GET', `/v1/care-files/${fileId}`, { as: SCHOOL_A });
    expect(view.body.records.map((r) => r.id)).toContain(res.body.id);
  });

  it('shows each pair’s duties of this week and month, and a week with no record goes overdue', async () => {
    const now = await api.call<CareFile>('GET', `/v1/care-files/${fileId}`, { as: SCHOOL_A });
    expect(now.body.pairs[0]).toMatchObject({
      thisWeek: { occurrenceKey: '2025-W41', state: 'recorded', stateLabel: '已记录' },
      thisMonth: { occurrenceKey: '2025-10', state: 'recorded' },
    });
    // Monday 20 October, 10:00: week 42 (13–19 October) had no record.
    api.setNow(new Date('2025-10-20T02:00:00Z'));
    expect((await api.call('POST', '/v1/sweeps', { body: { planId: pair.planId } })).status).toBe(200);
    expect(await getDuty(dutyOf(pair.weeklyTaskId, '2025-W42'))).toMatchObject({
      status: 'open',
      overdue: true,
    });
    expect((await getDuty(dutyOf(pair.weeklyTaskId, '2025-W41'))).status).toBe('accepted');
    const later = await api.call<CareFile>('GET', `/v1/care-files/${fileId}`, { as: SCHOOL_A });
    expect(later.body.pairs[0]).toMatchObject({
      thisWeek: { occurrenceKey: '2025-W43', state: 'pending', stateLabel: '待记录' },
      thisMonth: { state: 'recorded' },
    });
    // A late record closes the missed week all the same.
    const late = await record({ kind: 'support', date: '2025-10-17' });
    expect(late.body.duty).toMatchObject({ occurrenceKey: '2025-W42', submittedNow: true });
  });
});
