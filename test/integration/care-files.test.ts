/**
 * 留守儿童关爱档案 (一人一案) and 师生结对帮扶 through the real app on DynamoDB Local: a school files
 * a left-behind child's care file, lists show it masked, every whole view is audited, another
 * school is refused, bad fields write nothing, support records are appended sealed; a pair set up
 * twice gives one weekly and one monthly duty, and a week without a record is overdue on the ladder.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CareFile, CareFileListItem, CarePairSetupResult } from '../../shared/schemas/care-files.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { pairTaskId } from '../../shared/services/care-pairs.js';
import { LEADER, OFFICE, unitUser } from '../fixtures/app.js';
import {
  careChild,
  caseChild,
  casePlan,
  caseTestApp,
  type ErrorBody,
  fieldsOf,
  SCHOOL_A,
  SCHOOL_B,
  type TestApi,
  TOWN,
  TOWN_2,
} from '../fixtures/case-child.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

/** careChild's whole name, guardian, phone and village: never in a list. */
const NAME = '刘小红';
const GUARDIAN = '刘奶奶';
const PHONE = '13712345678';
const VILLAGE = '东街村三组';

describe('留守儿童关爱档案 and 师生结对帮扶', () => {
  let api: TestApi;
  let plan: Plan;
  let file: CareFileListItem;

  beforeAll(async () => {
    // Thursday 9 October 2025, 10:00 in Shanghai (week 41: 6–12 October).
    api = await caseTestApp({
      'school-a': { name: '城关小学' },
      'school-b': { name: '城关二小' },
      'school-c': { name: '柳湾小学' },
    });
    plan = await casePlan(api, '师生结对帮扶', '帮扶');
    const res = await api.call<CareFileListItem>('POST', '/v1/care-files', {
      as: SCHOOL_A,
      body: careChild(),
    });
    expect(res.status, res.text).toBe(201);
    file = res.body;
  });

  it('files a care file and answers it masked', () => {
    expect(file).toMatchObject({
      childNameMasked: '刘*红',
      guardianPhoneMasked: '137****5678',
      grade: '四年级',
      className: '2班',
      schoolUnitId: 'school-a',
      townshipUnitId: 'town',
      away: 'both',
      awayLabel: '父母均外出务工',
    });
  });

  it('refuses bad fields with a 400 naming each, another school and the township, and writes nothing', async () => {
    const before = await tableSnapshot(api.table);
    const schema = await api.call<ErrorBody>('POST', '/v1/care-files', {
      as: SCHOOL_A,
      body: careChild({ childName: '', away: 'uncle', guardian: { name: GUARDIAN, phone: '12345' } }),
    });
    expect(schema.status).toBe(400);
    expect(fieldsOf(schema)?.sort()).toEqual(['away', 'childName', 'guardian.phone'].sort());
    const facts = await api.call<ErrorBody>('POST', '/v1/care-files', {
      as: OFFICE,
      body: careChild({ townshipUnitId: 'town-2' }),
    });
    expect(facts.status).toBe(400);
    expect(fieldsOf(facts)).toEqual(['townshipUnitId']);
    expect((await api.call('POST', '/v1/care-files', { as: SCHOOL_B, body: careChild() })).status).toBe(403);
    expect((await api.call('POST', '/v1/care-files', { as: TOWN, body: careChild() })).status).toBe(403);
    for (const [body, field] of [
      [{ date: '2025-10-08', by: '', content: '辅导作业' }, 'by'],
      [{ date: '2025-10-10', by: '王老师', content: '辅导作业' }, 'date'],
      [{ kind: 'party', date: '2025-10-08', by: '王老师', content: '辅导作业' }, 'kind'],
    ] as const) {
      const record = await api.call<ErrorBody>('POST', `/v1/care-files/${file.id}/records`, {
        as: SCHOOL_A,
        body,
      });
      expect(record.status).toBe(400);
      expect(fieldsOf(record)).toEqual([field]);
    }
    const pair = await api.call<ErrorBody>('POST', `/v1/care-files/${file.id}/pairs`, {
      body: { teacher: { name: '王老师', phone: '1390000' }, planId: plan.id, phaseKey: 'work', weekday: 9 },
    });
    expect(pair.status).toBe(400);
    expect(fieldsOf(pair)?.sort()).toEqual(['teacher.phone', 'weekday']);
    const noPhase = await api.call<ErrorBody>('POST', `/v1/care-files/${file.id}/pairs`, {
      body: { teacher: { name: '王老师', phone: '13900001111' }, planId: plan.id, phaseKey: 'none' },
    });
    expect(noPhase.status).toBe(400);
    expect(fieldsOf(noPhase)).toEqual(['phaseKey']);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('lists masked to the school, its township, the office and leaders', async () => {
    for (const as of [SCHOOL_A, TOWN, OFFICE, LEADER]) {
      const res = await api.call<{ items: CareFileListItem[] }>('GET', '/v1/care-files', { as });
      expect(res.status).toBe(200);
      expect(res.body.items.map((f) => f.id)).toContain(file.id);
      for (const whole of [NAME, GUARDIAN, PHONE, VILLAGE, 'v1:test:']) {
        expect(res.text, `${as.sub} sees ${whole}`).not.toContain(whole);
      }
    }
    const bySchool = await api.call<{ items: CareFileListItem[] }>('GET', '/v1/care-files?school=school-a');
    expect(bySchool.body.items.map((f) => f.id)).toEqual([file.id]);
  });

  it('keeps other schools and townships out: an empty list, 403 on the file and its records', async () => {
    for (const as of [SCHOOL_B, TOWN_2, unitUser('school-c')]) {
      const list = await api.call<{ items: CareFileListItem[] }>('GET', '/v1/care-files', { as });
      expect(list.status).toBe(200);
      expect(list.body.items.map((f) => f.id)).not.toContain(file.id);
      const whole = await api.call('GET', `/v1/care-files/${file.id}`, { as });
      expect(whole.status, as.sub).toBe(403);
      expect(whole.text).not.toContain(NAME);
    }
    const before = await tableSnapshot(api.table);
    const record = { date: '2025-10-09', by: '王老师', content: '谈心' };
    for (const as of [SCHOOL_B, TOWN, LEADER]) {
      const res = await api.call('POST', `/v1/care-files/${file.id}/records`, { as, body: record });
      expect(res.status, as.sub).toBe(403);
    }
    expect((await api.call('GET', '/v1/care-files?school=school-a', { as: SCHOOL_B })).status).toBe(403);
    expect((await api.call('GET', '/v1/care-files?township=town', { as: TOWN_2 })).status).toBe(403);
    expect((await api.call('GET', '/v1/care-files/care-none')).status).toBe(404);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('appends support records sealed at rest, and shows them in the whole view, each view audited', async () => {
    const added = await api.call<{ id: string; label: string }>('POST', `/v1/care-files/${file.id}/records`, {
      as: SCHOOL_A,
      body: { kind: 'home-visit', date: '2025-10-08', by: '王老师', content: '家访,与刘奶奶谈孩子近况' },
    });
    expect(added.status, added.text).toBe(201);
    expect(added.body.label).toBe('家访');
    for (const as of [SCHOOL_A, TOWN, OFFICE]) {
      const res = await api.call<CareFile>('GET', `/v1/care-files/${file.id}`, { as });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        childName: NAME,
        village: VILLAGE,
        guardian: { name: GUARDIAN, phone: PHONE, relation: '祖母' },
        awayLabel: '父母均外出务工',
        records: [
          { kind: 'home-visit', date: '2025-10-08', by: '王老师', content: '家访,与刘奶奶谈孩子近况' },
        ],
      });
    }
    const audit = await api.doc.send(
      new QueryCommand({
        TableName: `${api.table.tableName}-audit`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CARE-FILE#${file.id}` },
      }),
    );
    const views = (audit.Items ?? []).filter((e) => e.action === 'care-file.view');
    expect(views.map((e) => e.actor).sort()).toEqual([OFFICE.sub, SCHOOL_A.sub, TOWN.sub].sort());
    expect((audit.Items ?? []).map((e) => e.action)).toEqual(
      expect.arrayContaining(['care-file.create', 'care-file.record']),
    );
    const trail = JSON.stringify(audit.Items);
    for (const whole of [NAME, GUARDIAN, PHONE, VILLAGE, '刘奶奶谈', 'v1:test:'])
      expect(trail).not.toContain(whole);
    // At rest: ciphertext only.
    const items = JSON.stringify(
      (await api.doc.send(new ScanCommand({ TableName: api.table.tableName }))).Items,
    );
    for (const whole of [NAME, GUARDIAN, PHONE, VILLAGE, '刘奶奶谈']) expect(items).not.toContain(whole);
  });

  it('sets a pair up once: one weekly record duty and one monthly visit duty, the child masked', async () => {
    const body = { teacher: { name: '王老师', phone: '13900001111' }, planId: plan.id, phaseKey: 'work' };
    const refused = await api.call('POST', `/v1/care-files/${file.id}/pairs`, { as: SCHOOL_A, body });
    expect(refused.status).toBe(403);
    const set = await api.call<CarePairSetupResult>('POST', `/v1/care-files/${file.id}/pairs`, { body });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({
      created: true,
      planId: plan.id,
      teacher: { name: '王老师' },
      weeklyTaskId: pairTaskId(plan.id, { kind: 'care-file', id: file.id }, 'weekly-record'),
      monthlyTaskId: pairTaskId(plan.id, { kind: 'care-file', id: file.id }, 'monthly-visit'),
    });
    const before = await tableSnapshot(api.table);
    const again = await api.call<CarePairSetupResult>('POST', `/v1/care-files/${file.id}/pairs`, {
      body: { ...body, teacher: { name: '李老师', phone: '13900003333' } },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, teacher: { name: '王老师' } });
    expect(await tableSnapshot(api.table)).toBe(before);

    const tasks = await api.call<{ items: { id: string; title: string }[] }>(
      'GET',
      `/v1/plans/${plan.id}/tasks?limit=100`,
    );
    expect(tasks.body.items.map((t) => t.id).sort()).toEqual(
      [set.body.weeklyTaskId, set.body.monthlyTaskId].sort(),
    );
    const duties = await api.call<{ items: Duty[] }>('GET', `/v1/plans/${plan.id}/duties?limit=100`);
    expect(duties.body.items.every((d) => d.unitId === 'school-a')).toBe(true);
    const week = duties.body.items.find(
      (d) => d.taskId === set.body.weeklyTaskId && d.occurrenceKey === '2025-W41',
    );
    const month = duties.body.items.find(
      (d) => d.taskId === set.body.monthlyTaskId && d.occurrenceKey === '2025-10',
    );
    expect(week?.title).toContain('师生结对帮扶记录(四年级2班 刘*红,结对教师 王老师)');
    expect(month?.title).toContain('师生结对家访(四年级2班 刘*红,结对教师 王老师)');
    expect(duties.text).not.toContain(NAME);

    const view = await api.call<CareFile>('GET', `/v1/care-files/${file.id}`, { as: SCHOOL_A });
    expect(view.body.pairs).toEqual([
      expect.objectContaining({ planId: plan.id, weeklyTaskId: set.body.weeklyTaskId }),
    ]);
    // Logging the month's home visit is submitting that month's duty.
    const logged = await api.call<Duty>('POST', `/v1/duties/${month?.id}/submit`, {
      as: SCHOOL_A,
      body: { note: '10月8日 王老师家访,与祖母沟通学习情况' },
    });
    expect(logged.status, logged.text).toBe(200);
  });

  it('sets a pair up for a dropout case child too, on the case', async () => {
    const kid = await api.call<{ id: string }>('POST', '/v1/cases', { as: SCHOOL_A, body: caseChild() });
    expect(kid.status, kid.text).toBe(201);
    const body = { teacher: { name: '赵老师', phone: '13900004444' }, planId: plan.id, phaseKey: 'work' };
    const set = await api.call<CarePairSetupResult>('POST', `/v1/cases/${kid.body.id}/pairs`, { body });
    expect(set.status, set.text).toBe(200);
    expect(set.body.created).toBe(true);
    expect(set.body.weeklyTaskId).toBe(
      pairTaskId(plan.id, { kind: 'case', id: kid.body.id }, 'weekly-record'),
    );
    expect((await api.call('POST', '/v1/cases/case-none/pairs', { body })).status).toBe(404);
  });

  it('leaves a week without a support record overdue through the sweep', async () => {
    const weekly = pairTaskId(plan.id, { kind: 'care-file', id: file.id }, 'weekly-record');
    // Monday 13 October, 10:00: week 41's record (due Friday 17:00) was never filed.
    api.setNow(new Date('2025-10-13T02:00:00Z'));
    expect((await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } })).status).toBe(200);
    const duties = await api.call<{ items: Duty[] }>('GET', `/v1/plans/${plan.id}/duties?limit=100`);
    const week = duties.body.items.find((d) => d.taskId === weekly && d.occurrenceKey === '2025-W41');
    expect(week).toMatchObject({ status: 'open', overdue: true });
    const notices = await api.call<{ items: Notice[] }>('GET', '/v1/notices?unitId=school-a', {
      as: SCHOOL_A,
    });
    expect(notices.body.items.some((n) => n.dutyId === week?.id && n.level === 'overdue')).toBe(true);
    expect(notices.text).not.toContain(NAME);
  });
});
