/**
 * Issue 15, the morning digest sent: at 08:30 Asia/Shanghai on working days (the official calendar
 * with the office's overrides), one message per unit that has a channel — overdue, returned for
 * rework, due this week, waiting for its confirmation — through a real receiver on loopback;
 * exactly once per unit and channel under concurrent and repeated runs, deliveries recorded,
 * nothing when there is nothing, a failed post retried by a later run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryRepository } from '../../shared/db/delivery-repository.js';
import { digestId } from '../../shared/db/keys.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { testApp, unitUser } from '../fixtures/app.js';
import { robotReceiver } from '../fixtures/robot-receiver.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type Receiver = Awaited<ReturnType<typeof robotReceiver>>;

const DINGTALK_SECRET = 'SECdigest-dingtalk-sign-secret-77';
const WEBHOOK_SECRET = 'whsec-digest-province-0099';
const DING_TOKEN = 'dt-access-token-digest-5f';
const at = (local: string) => new Date(`${local}+08:00`);
// Wednesday 10 June 2026, a working day.
const MORNING = at('2026-06-10T08:30:00');

describe('the morning digest, sent', () => {
  let api: Api;
  let receiver: Receiver;
  let clock = MORNING;
  const titles = {
    overdue: '报送控辍保学月报',
    thisWeek: '完成校舍安全排查',
    nextWeek: '整理迎检档案',
    returned: '补齐适龄儿童花名册',
    toConfirm: '东街村入户走访记录',
  };
  const postsTo = (key: string) => receiver.posts.filter((p) => p.key === key);
  const textOf = (body: Record<string, unknown>) => JSON.stringify(body);

  beforeAll(async () => {
    api = await testApp({ now: at('2026-06-01T09:00:00') });
    receiver = await robotReceiver({
      dingTalkSecret: DINGTALK_SECRET,
      webhookSecret: WEBHOOK_SECRET,
      now: () => clock,
    });
    for (const body of [
      { id: 'town', name: '城关镇', kind: 'township' },
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      { id: 'school', name: '城关小学', kind: 'school', parentId: 'town' },
      { id: 'quiet', name: '西街村', kind: 'village', parentId: 'town' },
    ]) {
      expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
    }
    const plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '迎国检',
          phases: [{ key: 'work', name: '自查整改', start: '2026-06-01', end: '2026-06-30' }],
        },
      })
    ).body;
    const task = async (title: string, dueAt: string, signOffLevels = 0) => {
      const res = await api.call<{ duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: { title, phaseKey: 'work', leadUnitId: 'village', dueAt, signOffLevels },
      });
      expect(res.status, res.text).toBe(201);
      return res.body.duties[0] as Duty;
    };
    await task(titles.overdue, '2026-06-08T17:00:00+08:00');
    await task(titles.thisWeek, '2026-06-12T17:00:00+08:00');
    await task(titles.nextWeek, '2026-06-19T17:00:00+08:00');
    const returned = await task(titles.returned, '2026-06-05T17:00:00+08:00');
    const chain = await task(titles.toConfirm, '2026-06-15T17:00:00+08:00', 1);
    for (const d of [returned, chain]) {
      const res = await api.call('POST', `/v1/duties/${d.id}/submit`, {
        as: unitUser('village'),
        body: { note: '已完成' },
      });
      expect(res.status, res.text).toBe(200);
    }
    const back = await api.call('POST', `/v1/duties/${returned.id}/return`, {
      body: { reason: '缺少签字', newDueAt: '2026-06-16T17:00:00+08:00' },
    });
    expect(back.status, back.text).toBe(200);
    for (const [id, owner, kind, url, secret] of [
      ['village-wecom', 'unit:village', 'wecom', receiver.wecomUrl('village-key'), undefined],
      ['village-ding', 'unit:village', 'dingtalk', receiver.dingTalkUrl(DING_TOKEN), DINGTALK_SECRET],
      ['town-hook', 'unit:town', 'webhook', receiver.webhookUrl('town'), WEBHOOK_SECRET],
      ['school-wecom', 'unit:school', 'wecom', receiver.wecomUrl('school-key'), undefined],
      ['office-wecom', 'role:office', 'wecom', receiver.wecomUrl('office-key'), undefined],
    ] as const) {
      const res = await api.call('PUT', `/v1/channels/${id}`, {
        body: { owner, kind, name: id, webhookUrl: url, ...(secret ? { secret } : {}) },
      });
      expect(res.status, res.text).toBe(200);
    }
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('waits for 08:30', async () => {
    const early = await api.services.digests.run(at('2026-06-10T08:29:59'));
    expect(early.skipped).toBe('too_early');
    expect(receiver.posts).toHaveLength(0);
  });

  it('posts one message per unit and channel under concurrent and repeated runs, deliveries recorded', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => api.services.digests.run(MORNING)));
    const again = await api.services.digests.run(at('2026-06-10T09:30:00'));
    // Units with a channel: the office's inbox is not a unit and gets no digest.
    expect(runs.map((r) => r.units)).toEqual([3, 3, 3]);
    expect(runs.reduce((n, r) => n + r.composed, 0)).toBe(3);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(3);
    expect(again.posts).toBe(0);

    expect(postsTo('village-key')).toHaveLength(1);
    expect(postsTo(DING_TOKEN)).toHaveLength(1);
    expect(postsTo('town')).toHaveLength(1);
    // Nothing to act on: nothing is posted.
    expect(postsTo('school-key')).toHaveLength(0);
    expect(postsTo('office-key')).toHaveLength(0);
    expect(receiver.refused).toEqual([]);

    const village = textOf(postsTo('village-key')[0]?.body ?? {});
    expect(village).toContain('督办早间提醒 · 东街村');
    for (const heading of ['逾期未办 1 项', '退回整改 1 项', '本周到期 1 项'])
      expect(village).toContain(heading);
    for (const title of [titles.overdue, titles.thisWeek, titles.returned]) expect(village).toContain(title);
    expect(village).not.toContain(titles.nextWeek);
    expect(village).toContain('https://duban.example.gov.cn/duties/');
    expect(textOf(postsTo(DING_TOKEN)[0]?.body ?? {})).toContain(titles.overdue);

    const town = textOf(postsTo('town')[0]?.body ?? {});
    expect(town).toContain('待本单位确认 1 项');
    expect(town).toContain(titles.toConfirm);
    expect(town).toContain('东街村提交');

    const deliveries = deliveryRepository({ doc: api.doc, tableName: api.table.tableName });
    const records = await deliveries.list(digestId('village', '2026-06-10'));
    expect(records.map((r) => [r.channelId, r.status]).sort()).toEqual([
      ['village-ding', 'sent'],
      ['village-wecom', 'sent'],
    ]);
    expect(await deliveries.list(digestId('school', '2026-06-10'))).toEqual([]);
  });

  it('retries a failed post at a later run of the same day, and posts the rest once', async () => {
    clock = at('2026-06-11T08:30:00');
    receiver.setMode('town', 'throttle');
    const first = await api.services.digests.run(clock);
    expect(first.sent).toBe(2);
    expect(first.retried).toBe(1);
    const deliveries = deliveryRepository({ doc: api.doc, tableName: api.table.tableName });
    const [pending] = await deliveries.list(digestId('town', '2026-06-11'));
    expect(pending?.status).toBe('pending');
    expect(pending?.reason).toBe('对方限流(HTTP 429)');

    receiver.setMode('town', 'ok');
    clock = at('2026-06-11T09:30:00');
    const second = await api.services.digests.run(clock);
    expect(second.sent).toBe(1);
    expect(postsTo('town')).toHaveLength(2); // one a day
    expect(postsTo('village-key')).toHaveLength(2);
    const [sent] = await deliveries.list(digestId('town', '2026-06-11'));
    expect(sent?.status).toBe('sent');
  });

  it('follows the calendar with the office overrides: a holiday Friday is skipped, a 调休 Saturday is not', async () => {
    const saved = await api.call('PUT', '/v1/calendar/2026', {
      body: { holidays: ['2026-06-12'], workdays: ['2026-06-13'] },
    });
    expect(saved.status, saved.text).toBe(200);
    const before = receiver.posts.length;
    clock = at('2026-06-12T08:30:00');
    expect((await api.services.digests.run(clock)).skipped).toBe('not_working_day');
    expect(receiver.posts.length).toBe(before);
    clock = at('2026-06-13T08:30:00');
    const saturday = await api.services.digests.run(clock);
    expect(saturday.skipped).toBeNull();
    expect(saturday.sent).toBe(3);
    clock = at('2026-06-14T08:30:00');
    expect((await api.services.digests.run(clock)).skipped).toBe('not_working_day');
  });

  it('keeps the secrets and robot keys out of the table (digest records included) and the log', async () => {
    const stored = await tableSnapshot(api.table);
    expect(stored).toContain('DIGEST~village~2026-06-10');
    const logged = JSON.stringify(api.deliveryLogs);
    expect(logged).toContain('digest run');
    for (const secret of [DINGTALK_SECRET, WEBHOOK_SECRET, 'village-key', DING_TOKEN, 'school-key']) {
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
  });
});
