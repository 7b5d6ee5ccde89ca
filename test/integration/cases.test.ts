/**
 * 控辍保学 cases through the real app on DynamoDB Local: a school records a child's absence, the
 * ladder's stage is computed on the day read (never typed), lists are masked, every whole view is
 * audited, another school is refused, the persuasion steps belong to their actors, a return closes
 * the ladder, and the identifying fields are ciphertext in the table.
 */
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseListItem } from '../../shared/schemas/cases.js';
import { LEADER, OFFICE, TEST_FIELD_CIPHER, unitUser } from '../fixtures/app.js';
import {
  caseChild,
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

interface WholeCase {
  id: string;
  childName: string;
  guardian: { name: string; phone: string };
  registryNumber: string | null;
  stage: string;
  next: { step: string; dueOn: string; late: boolean } | null;
  steps: { kind: string; result: string }[];
  returnedOn: string | null;
}

const NAME = '张小明';
const GUARDIAN = '张大山';
const PHONE = '13812345678';
const REGISTRY = 'G110101201203150012';

/** The shared child (named NAME, guardian GUARDIAN at PHONE), born 2012-03 instead of aged, with a village and a registry number. */
const { age: _age, ...base } = caseChild();
const child = (over: Record<string, unknown> = {}) => ({
  ...base,
  birthYearMonth: '2012-03',
  village: '东街村',
  registryNumber: REGISTRY,
  ...over,
});

describe('控辍保学 cases', () => {
  let api: TestApi;
  let suspected: CaseListItem;

  beforeAll(async () => {
    // Thursday 9 October 2025, 10:00 in Shanghai: the first working day after the National Day break.
    api = await caseTestApp();
    const res = await api.call<CaseListItem>('POST', '/v1/cases', { as: SCHOOL_A, body: child() });
    expect(res.status, res.text).toBe(201);
    suspected = res.body;
  });

  it('records an absence and answers it masked, at the stage the calendar gives today', () => {
    expect(suspected).toMatchObject({
      childNameMasked: '张*明',
      guardianPhoneMasked: '138****5678',
      registryNumberMasked: 'G**************0012',
      schoolUnitId: 'school-a',
      townshipUnitId: 'town',
      groups: { registeredPoor: true, monitored: false, disabled: false, homeTeaching: false },
      // Absent since Thursday 25 September: suspected on 9 October, after the National Day break.
      stage: 'suspected',
      stageLabel: '疑似辍学',
      suspectedOn: '2025-10-09',
      next: { step: 'contact', late: false },
    });
  });

  it('refuses bad fields with a 400 naming each, and writes nothing', async () => {
    const before = await tableSnapshot(api.table);
    const schema = await api.call<ErrorBody>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({
        childName: '',
        gender: 'boy',
        guardian: { name: GUARDIAN, phone: '12345' },
        groups: { homeTeaching: true },
      }),
    });
    expect(schema.status).toBe(400);
    expect(fieldsOf(schema)?.sort()).toEqual(
      ['childName', 'gender', 'groups.homeTeaching', 'guardian.phone'].sort(),
    );
    const facts = await api.call<ErrorBody>('POST', '/v1/cases', {
      as: OFFICE,
      body: child({ townshipUnitId: 'town-2', firstDayAbsent: '2025-10-10' }),
    });
    expect(facts.status).toBe(400);
    expect(fieldsOf(facts)?.sort()).toEqual(['firstDayAbsent', 'townshipUnitId']);
    // A school records its own children only.
    expect((await api.call('POST', '/v1/cases', { as: SCHOOL_B, body: child() })).status).toBe(403);
    expect((await api.call('POST', '/v1/cases', { as: TOWN, body: child() })).status).toBe(403);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('lists masked: the whole name, phone and registry number never appear', async () => {
    for (const as of [SCHOOL_A, TOWN, OFFICE, LEADER]) {
      const res = await api.call<{ items: CaseListItem[] }>('GET', '/v1/cases', { as });
      expect(res.status).toBe(200);
      expect(res.body.items.map((c) => c.id)).toContain(suspected.id);
      for (const whole of [NAME, GUARDIAN, PHONE, REGISTRY, '东街村', 'v1:test:']) {
        expect(res.text, `${as.sub} sees ${whole}`).not.toContain(whole);
      }
    }
  });

  it('keeps other schools and townships out: an empty list, 403 on the case and on a filter', async () => {
    for (const as of [SCHOOL_B, TOWN_2, unitUser('school-c')]) {
      const list = await api.call<{ items: CaseListItem[] }>('GET', '/v1/cases', { as });
      expect(list.status).toBe(200);
      expect(list.body.items.map((c) => c.id)).not.toContain(suspected.id);
      const whole = await api.call<ErrorBody>('GET', `/v1/cases/${suspected.id}`, { as });
      expect(whole.status, as.sub).toBe(403);
      expect(whole.text).not.toContain(NAME);
    }
    expect((await api.call('GET', '/v1/cases?school=school-a', { as: SCHOOL_B })).status).toBe(403);
    expect((await api.call('GET', '/v1/cases?township=town', { as: TOWN_2 })).status).toBe(403);
    // A township filtering by a school of another township reads nothing of it.
    const across = await api.call<{ items: unknown[] }>('GET', '/v1/cases?school=school-c', { as: TOWN });
    expect(across.body.items).toEqual([]);
  });

  it('shows the whole case to the school, its township and the office, each view audited', async () => {
    for (const as of [SCHOOL_A, TOWN, OFFICE]) {
      const res = await api.call<WholeCase>('GET', `/v1/cases/${suspected.id}`, { as });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        childName: NAME,
        guardian: { name: GUARDIAN, phone: PHONE },
        registryNumber: REGISTRY,
      });
    }
    const audit = await api.doc.send(
      new QueryCommand({
        TableName: `${api.table.tableName}-audit`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CASE#${suspected.id}` },
      }),
    );
    const views = (audit.Items ?? []).filter((e) => e.action === 'case.view');
    expect(views.map((e) => e.actor).sort()).toEqual([OFFICE.sub, SCHOOL_A.sub, TOWN.sub].sort());
    for (const e of views) expect(typeof e.at).toBe('string');
    // The trail says who looked, never what they saw: no identifying field, sealed or not.
    const trail = JSON.stringify(audit.Items);
    for (const whole of [NAME, GUARDIAN, PHONE, REGISTRY, 'v1:test:']) expect(trail).not.toContain(whole);
  });

  it('computes the stage on the day read: a stage filter is a range of first days absent', async () => {
    const early = await api.call<CaseListItem>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ childName: '李四', firstDayAbsent: '2025-09-01', groups: {} }),
    });
    const today = await api.call<CaseListItem>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ childName: '王五', firstDayAbsent: '2025-10-09', groups: { monitored: true } }),
    });
    expect(early.body.stage).toBe('dropout');
    expect(today.body.stage).toBe('absent');
    const ids = async (query: string, as = OFFICE) =>
      (await api.call<{ items: CaseListItem[] }>('GET', `/v1/cases?${query}`, { as })).body.items.map(
        (c) => c.id,
      );
    expect(await ids('stage=dropout')).toEqual([early.body.id]);
    expect(await ids('stage=suspected')).toEqual([suspected.id]);
    expect(await ids('stage=absent&school=school-a')).toEqual([today.body.id]);
    expect(await ids('group=monitored&township=town', TOWN)).toEqual([today.body.id]);
    expect(await ids('group=registered-poor', SCHOOL_A)).toEqual([suspected.id]);
    // The day before, the same absences stood a step lower: nothing stored changed.
    api.setNow(new Date('2025-10-08T02:00:00Z'));
    try {
      expect(await ids('stage=suspected')).toEqual([early.body.id]);
      expect(await ids('stage=dropout')).toEqual([]);
      const list = await api.call<{ items: CaseListItem[] }>('GET', '/v1/cases?school=school-a');
      expect(list.body.items.find((c) => c.id === suspected.id)?.stage).toBe('absent');
    } finally {
      api.setNow(new Date('2025-10-09T02:00:00Z'));
    }
  });

  it('records persuasion steps by their actors and moves the next step', async () => {
    const contact = await api.call<{ kind: string; label: string }>(
      'POST',
      `/v1/cases/${suspected.id}/steps`,
      {
        as: SCHOOL_A,
        body: {
          kind: 'contact',
          date: '2025-10-09',
          by: '王老师',
          method: '电话联系',
          result: '张大山说周一送回',
        },
      },
    );
    expect(contact.status, contact.text).toBe(201);
    expect(contact.body).toMatchObject({ kind: 'contact', label: '联系家长和学生劝返' });
    const notify = {
      kind: 'notify-township',
      date: '2025-10-09',
      by: '教体局',
      method: '书面',
      result: '已通报',
    };
    expect(
      (await api.call('POST', `/v1/cases/${suspected.id}/steps`, { as: SCHOOL_A, body: notify })).status,
    ).toBe(403);
    expect(
      (await api.call('POST', `/v1/cases/${suspected.id}/steps`, { as: OFFICE, body: notify })).status,
    ).toBe(201);
    const arrange = { kind: 'arrange', date: '2025-10-09', by: '镇干部', method: '入户', result: '已劝返' };
    expect(
      (await api.call('POST', `/v1/cases/${suspected.id}/steps`, { as: TOWN_2, body: arrange })).status,
    ).toBe(403);
    expect(
      (await api.call('POST', `/v1/cases/${suspected.id}/steps`, { as: TOWN, body: arrange })).status,
    ).toBe(201);
    const early = await api.call<ErrorBody>('POST', `/v1/cases/${suspected.id}/steps`, {
      as: SCHOOL_A,
      body: { ...notify, kind: 'notice', date: '2025-09-01' },
    });
    expect(early.status).toBe(400);
    expect(fieldsOf(early)).toEqual(['date']);

    const whole = (await api.call<WholeCase>('GET', `/v1/cases/${suspected.id}`, { as: SCHOOL_A })).body;
    expect(whole.steps.map((s) => s.kind)).toEqual(['contact', 'notify-township', 'arrange']);
    expect(whole.steps[0]?.result).toBe('张大山说周一送回');
    // Contact done on Thursday 9 October: the notice is due three working days later — Friday 10,
    // Saturday 11 (a make-up working day), Monday 13.
    expect(whole.next).toEqual({ step: 'notice', label: '发放劝返通知书', dueOn: '2025-10-13', late: false });
  });

  it('closes the ladder on return, then takes the registry confirmation once', async () => {
    const other = await api.call<CaseListItem>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ childName: '赵六', firstDayAbsent: '2025-09-29' }),
    });
    const early = await api.call<ErrorBody>('POST', `/v1/cases/${other.body.id}/registry-updated`, {
      as: SCHOOL_A,
      body: { updatedOn: '2025-10-09' },
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_returned');
    expect(
      (
        await api.call('POST', `/v1/cases/${other.body.id}/return`, {
          as: TOWN,
          body: { returnedOn: '2025-10-09', evidence: '返校签到表' },
        })
      ).status,
    ).toBe(403);
    const back = await api.call<CaseListItem>('POST', `/v1/cases/${other.body.id}/return`, {
      as: SCHOOL_A,
      body: { returnedOn: '2025-10-09', evidence: '返校签到表' },
    });
    expect(back.status, back.text).toBe(200);
    expect(back.body).toMatchObject({
      stage: 'returned',
      stageLabel: '已复学',
      next: null,
      returnedOn: '2025-10-09',
    });
    const again = await api.call<ErrorBody>('POST', `/v1/cases/${other.body.id}/return`, {
      as: SCHOOL_A,
      body: { returnedOn: '2025-10-09', evidence: '返校签到表' },
    });
    expect(again.status).toBe(409);
    const step = await api.call<ErrorBody>('POST', `/v1/cases/${other.body.id}/steps`, {
      as: SCHOOL_A,
      body: { kind: 'contact', date: '2025-10-09', by: '王老师', method: '电话', result: '已返校' },
    });
    expect(step.status).toBe(409);
    expect(step.body.error.code).toBe('case_closed');
    const registry = await api.call<CaseListItem>('POST', `/v1/cases/${other.body.id}/registry-updated`, {
      as: SCHOOL_A,
      body: { updatedOn: '2025-10-09' },
    });
    expect(registry.status).toBe(200);
    expect(registry.body.registryUpdatedOn).toBe('2025-10-09');
    const returned = await api.call<{ items: CaseListItem[] }>('GET', '/v1/cases?stage=returned');
    expect(returned.body.items.map((c) => c.id)).toEqual([other.body.id]);
  });

  it('keeps the identifying fields as ciphertext at rest, bound to the case and field', async () => {
    const raw = await api.doc.send(
      new GetCommand({ TableName: api.table.tableName, Key: { pk: `CASE#${suspected.id}`, sk: 'CASE' } }),
    );
    const item = raw.Item as { sealed: { childName: string } };
    const text = JSON.stringify(item);
    for (const whole of [NAME, GUARDIAN, PHONE, REGISTRY, '东街村', '2012-03']) {
      expect(text, whole).not.toContain(whole);
    }
    expect(item.sealed.childName.startsWith('v1:test:')).toBe(true);
    expect(TEST_FIELD_CIPHER.decrypt(item.sealed.childName, `case:${suspected.id}:childName`)).toBe(NAME);
    // Moved to another field it does not open.
    expect(() =>
      TEST_FIELD_CIPHER.decrypt(item.sealed.childName, `case:${suspected.id}:guardianName`),
    ).toThrow();
    // A step's result names the family too: sealed as well; nothing in the table holds it whole.
    const all = await api.doc.send(new ScanCommand({ TableName: api.table.tableName }));
    expect(JSON.stringify(all.Items)).not.toContain('张大山说周一送回');
    expect(JSON.stringify(all.Items)).not.toContain(NAME);
  });

  it('takes a case without gender, age or birth month (no roster holds them), and shows each as absent', async () => {
    const made = await api.call<CaseListItem>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ childName: '赵小芳', gender: undefined, birthYearMonth: undefined, className: '5班' }),
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body.gender).toBeNull();
    const whole = await api.call<{
      gender: unknown;
      age: unknown;
      birthYearMonth: unknown;
      rosterRow: unknown;
    }>('GET', `/v1/cases/${made.body.id}`, { as: SCHOOL_A });
    expect(whole.body).toMatchObject({ gender: null, age: null, birthYearMonth: null, rosterRow: null });
    // A value given is still checked; a roster row the school never filed is refused by field.
    const before = await tableSnapshot(api.table);
    const bad = await api.call<ErrorBody>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ age: 40, rosterEntry: { semesterId: '2025-autumn', entryId: 'roster-none' } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.fields?.map((f) => f.field)).toEqual(['age']);
    const row = await api.call<ErrorBody>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ rosterEntry: { semesterId: '2025-autumn', entryId: 'roster-none' } }),
    });
    expect(row.status).toBe(400);
    expect(row.body.error.details?.fields?.map((f) => f.field)).toEqual(['rosterEntry.entryId']);
    expect(await tableSnapshot(api.table)).toBe(before);
  });
});
