/**
 * 控辍保学 notices, written by the sweep on the cases whose escalation day has come (K5): the
 * suspicion once however many sweeps run at once, a late persuasion step up to the township, a
 * return ends them; no notice nor audit event carries the child's name or any phone.
 */
import { DeleteCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditTableOf } from '../../shared/db/client.js';
import { caseKey, caseSweepKeys, noticeRecipientKey } from '../../shared/db/keys.js';
import type { Notice, SweepResult } from '../../shared/schemas/notices.js';
import { OFFICE, unitUser } from '../fixtures/app.js';
import { webApp } from './web-harness.js';

const SCHOOL = unitUser('school-a');
const NAME = '张小明';
const GUARDIAN = '张大山';
const PHONE = '13812345678';
/** Shanghai 10:00 on a local date. */
const at = (day: string) => new Date(`${day}T02:00:00Z`);

describe('控辍保学 notices from the sweep', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let caseId: string;

  const sweep = (day: string): Promise<SweepResult> => {
    web.setNow(at(day));
    return web.services.sweeps.sweep(OFFICE, {}, at(day));
  };
  const caseNotices = async (): Promise<Notice[]> =>
    (await web.services.notices.list(OFFICE, {}, { limit: 100 })).items.filter((n) => n.caseId === caseId);
  const scan = async (tableName: string) =>
    (await web.tableRef.doc.send(new ScanCommand({ TableName: tableName }))).Items ?? [];

  beforeAll(async () => {
    web = await webApp({ now: at('2025-09-30') });
    for (const u of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' as const },
      { id: 'town', name: '城关镇', kind: 'township' as const, parentId: 'county' },
      { id: 'school-a', name: '城关中学', kind: 'school' as const, parentId: 'town' },
    ]) {
      await web.services.units.create(OFFICE, u, at('2025-09-30'));
    }
    caseId = (
      await web.services.cases.create(
        SCHOOL,
        {
          childName: NAME,
          gender: 'male',
          age: 13,
          grade: '七年级',
          className: '2班',
          schoolUnitId: 'school-a',
          townshipUnitId: 'town',
          guardian: { name: GUARDIAN, phone: PHONE },
          groups: { registeredPoor: false, monitored: false, disabled: false, homeTeaching: false },
          teacher: { name: '王老师', phone: '13900001111' },
          leader: { name: '李校长', phone: '13900002222' },
          // Thursday: the 6th working day absent is 9 October, after the National Day break.
          firstDayAbsent: '2025-09-25',
        },
        at('2025-09-30'),
      )
    ).id;
  });

  it('reads no case before its escalation day', async () => {
    expect(await sweep('2025-10-08')).toMatchObject({ casesExamined: 0, written: 0, failed: 0 });
    expect(await caseNotices()).toEqual([]);
  });

  it('writes the suspicion once, to the school, when 8 sweeps run at once on the 6th working day', async () => {
    web.setNow(at('2025-10-09'));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => web.services.sweeps.sweep(OFFICE, {}, at('2025-10-09'))),
    );
    expect(results.reduce((n, r) => n + r.written, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
    const notices = await caseNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      id: `${caseId}-suspected`,
      level: 'case-suspected',
      levelLabel: '疑似辍学',
      unitId: 'school-a',
      recipients: ['unit:school-a'],
    });
    expect(notices[0]?.dutyTitle).toContain('张*明');
    expect(notices[0]?.dutyTitle).toContain('李校长');
    const events = (await scan(auditTableOf(web.tableRef))).filter(
      (e) => e.action === 'case.escalate' && e.entityId === caseId,
    );
    expect(events).toHaveLength(1);
    // Read once, then moved on to its next day: the next sweep on the same day reads nothing.
    expect(await sweep('2025-10-09')).toMatchObject({ casesExamined: 0, written: 0 });
  });

  it('sends a late contact step up to the township, whose inbox links to the case', async () => {
    // Contact was due two working days after the suspicion (10 and 11 October): late from the 12th.
    expect(await sweep('2025-10-13')).toMatchObject({ casesExamined: 1, written: 1, failed: 0 });
    const late = (await caseNotices()).find((n) => n.id === `${caseId}-late-contact`);
    expect(late).toMatchObject({
      level: 'case-step-late',
      recipients: ['unit:school-a', 'unit:town'],
    });
    const inbox = await web.services.notices.list(unitUser('town'), { unitId: 'town' }, { limit: 50 });
    expect(inbox.items.map((n) => n.id)).toContain(`${caseId}-late-contact`);
    const page = web.browser();
    await page.signIn('unit:town');
    const my = await page.get('/my');
    expect(my.status).toBe(200);
    expect(my.html).toContain(`href="/cases/${caseId}"`);
    expect(my.html).not.toContain(NAME);
  });

  it('finishes a notice whose writer stopped before its township entry and audit event', async () => {
    const id = `${caseId}-late-contact`;
    const audit = auditTableOf(web.tableRef);
    const event = (await scan(audit)).find((e) => e.id === `escalate-${id}`);
    expect(event).toBeDefined();
    // What a sweep that died right after the notice item leaves: no other entry, no event, the
    // case still due on the day of the late step.
    await web.tableRef.doc.send(
      new DeleteCommand({ TableName: web.tableRef.tableName, Key: noticeRecipientKey(id, 'unit:town') }),
    );
    await web.tableRef.doc.send(
      new DeleteCommand({ TableName: audit, Key: { pk: event?.pk, sk: event?.sk } }),
    );
    await web.tableRef.doc.send(
      new UpdateCommand({
        TableName: web.tableRef.tableName,
        Key: caseKey(caseId),
        UpdateExpression: 'SET nextEscalationOn = :day, gsi4pk = :pk, gsi4sk = :sk',
        ExpressionAttributeValues: {
          ':day': '2025-10-12',
          ':pk': caseSweepKeys('2025-10-12', caseId).gsi4pk,
          ':sk': caseSweepKeys('2025-10-12', caseId).gsi4sk,
        },
      }),
    );
    const results = await Promise.all([sweep('2025-10-13'), sweep('2025-10-13')]);
    expect(results.reduce((n, r) => n + r.written, 0)).toBe(0);
    const inbox = await web.services.notices.list(unitUser('town'), { unitId: 'town' }, { limit: 50 });
    expect(inbox.items.filter((n) => n.id === id)).toHaveLength(1);
    // The first writer's event, once: same id, same instant.
    const events = (await scan(audit)).filter((e) => e.id === `escalate-${id}`);
    expect(events).toHaveLength(1);
    expect(events[0]?.at).toBe(event?.at);
  });

  it('writes nothing more once the child is back, not even the dropout a month on', async () => {
    web.setNow(at('2025-10-14'));
    await web.services.cases.recordReturn(
      SCHOOL,
      caseId,
      { returnedOn: '2025-10-14', evidence: '返校签到表' },
      at('2025-10-14'),
    );
    expect(await sweep('2025-10-20')).toMatchObject({ casesExamined: 0, written: 0 });
    expect(await sweep('2025-11-20')).toMatchObject({ casesExamined: 0, written: 0 });
    expect((await caseNotices()).map((n) => n.level).sort()).toEqual(['case-step-late', 'case-suspected']);
  });

  it('keeps the child and the family out of every notice and audit event', async () => {
    const items = [...(await scan(web.tableRef.tableName)), ...(await scan(auditTableOf(web.tableRef)))];
    const noticeItems = items.filter((i) => i.entity === 'Notice' || i.entity === 'NoticeRecipient');
    expect(noticeItems.length).toBeGreaterThanOrEqual(3);
    const escalations = items.filter((i) => i.action === 'case.escalate');
    expect(escalations).toHaveLength(2);
    for (const item of [...noticeItems, ...escalations]) {
      const text = JSON.stringify(item);
      for (const whole of [NAME, GUARDIAN, PHONE]) expect(text).not.toContain(whole);
      // No phone at all, the chain's staff included.
      expect(text).not.toMatch(/1\d{10}/);
    }
  });
});

describe('the case walk reads what is due, not what is open', () => {
  it('reads the one due case among many open ones', async () => {
    const web = await webApp({ now: at('2025-10-09') });
    for (const u of [
      { id: 'town', name: '城关镇', kind: 'township' as const },
      { id: 'school-a', name: '城关中学', kind: 'school' as const, parentId: 'town' },
    ]) {
      await web.services.units.create(OFFICE, u, at('2025-10-09'));
    }
    const open = (firstDayAbsent: string, i: number) =>
      web.services.cases.create(
        SCHOOL,
        {
          childName: `李${i}`,
          gender: 'female',
          age: 12,
          grade: '六年级',
          className: '1班',
          schoolUnitId: 'school-a',
          townshipUnitId: 'town',
          guardian: { name: '李家长', phone: '13700000000' },
          groups: { registeredPoor: false, monitored: false, disabled: false, homeTeaching: false },
          teacher: { name: '赵老师', phone: '13900003333' },
          leader: { name: '钱校长', phone: '13900004444' },
          firstDayAbsent,
        },
        at('2025-10-09'),
      );
    // 20 children absent since today (suspected only from 15 October), one since 25 September.
    for (let i = 0; i < 20; i++) await open('2025-10-09', i);
    const due = await open('2025-09-25', 99);
    const result = await web.services.sweeps.sweep(OFFICE, {}, at('2025-10-09'));
    expect(result).toMatchObject({ casesExamined: 1, itemsRead: 1, written: 1, failed: 0 });
    const notices = (await web.services.notices.list(OFFICE, {}, { limit: 100 })).items;
    expect(notices.map((n) => n.id)).toEqual([`${due.id}-suspected`]);
  });
});
