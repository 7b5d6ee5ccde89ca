/**
 * Issue 15, channels and delivery: notices reach WeCom and DingTalk robots and signed webhooks
 * through a real receiver on loopback — once per (notice, channel) under concurrent and retried
 * runs, gathered per group within the robot limit, held in quiet hours, a failing channel never
 * blocking the others, and no secret in an answer, a log line, the table or the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Delivery } from '../../shared/schemas/channels.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { LEADER, OFFICE, testApp, unitUser } from '../fixtures/app.js';
import { robotReceiver } from '../fixtures/robot-receiver.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type Receiver = Awaited<ReturnType<typeof robotReceiver>>;

const DINGTALK_SECRET = 'SECa1b2c3d4e5f6-dingtalk-sign-secret';
const WEBHOOK_SECRET = 'whsec-province-platform-0042';
const WECOM_KEY = 'wecom-key-7f3e2d1c';
const DINGTALK_TOKEN = 'dt-access-token-9a8b7c';
const SECRETS = [DINGTALK_SECRET, WEBHOOK_SECRET, WECOM_KEY, DINGTALK_TOKEN];

const PHASES = [{ key: 'work', name: '整改阶段', start: '2026-05-01', end: '2026-12-31' }];

async function setup(now: Date) {
  const api = await testApp({ now });
  let clock = now;
  const receiver = await robotReceiver({
    dingTalkSecret: DINGTALK_SECRET,
    webhookSecret: WEBHOOK_SECRET,
    now: () => clock,
  });
  const setNow = (d: Date) => {
    clock = d;
    api.setNow(d);
  };
  for (const body of [
    { id: 'town', name: '城关镇', kind: 'township' },
    { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (await api.call<Plan>('POST', '/v1/plans', { body: { title: '控辍保学', phases: PHASES } }))
    .body;
  return { api, receiver, plan, setNow };
}

async function newDuty(api: Api, plan: Plan, title: string, dueAt: string): Promise<Duty> {
  const res = await api.call<{ duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
    body: { title, phaseKey: 'work', leadUnitId: 'village', dueAt },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.duties[0] as Duty;
}

async function sweep(api: Api) {
  const res = await api.call('POST', '/v1/sweeps', { body: {} });
  expect(res.status, res.text).toBe(200);
}

async function putChannel(api: Api, id: string, body: Record<string, unknown>) {
  const res = await api.call<Channel>('PUT', `/v1/channels/${id}`, { body });
  expect(res.status, res.text).toBe(200);
  return res;
}

async function noticesOf(api: Api, planId: string): Promise<Notice[]> {
  return (await api.call<{ items: Notice[] }>('GET', `/v1/notices?planId=${planId}&limit=100`)).body.items;
}

describe('channels and delivery', () => {
  // 2026-05-20 17:30 Shanghai: a duty due at 17:00 has its reminder and overdue notices.
  const NOW = new Date('2026-05-20T09:30:00Z');
  let api: Api;
  let receiver: Receiver;
  let plan: Plan;
  let setNow: (d: Date) => void;
  let duty: Duty;
  let other: Duty;
  const answers: string[] = [];

  beforeAll(async () => {
    ({ api, receiver, plan, setNow } = await setup(NOW));
    duty = await newDuty(api, plan, '摸排适龄儿童入学情况', '2026-05-20T17:00:00+08:00');
    other = await newDuty(api, plan, '报送控辍保学周报表', '2026-05-20T17:00:00+08:00');
    await sweep(api);
    answers.push(
      (
        await putChannel(api, 'village-wecom', {
          owner: 'unit:village',
          kind: 'wecom',
          name: '东街村工作群',
          webhookUrl: receiver.wecomUrl(WECOM_KEY),
        })
      ).text,
      (
        await putChannel(api, 'village-dingtalk', {
          owner: 'unit:village',
          kind: 'dingtalk',
          name: '东街村钉钉群',
          webhookUrl: receiver.dingTalkUrl(DINGTALK_TOKEN),
          secret: DINGTALK_SECRET,
          mentionMobiles: ['13800001234'],
        })
      ).text,
      (
        await putChannel(api, 'village-hook', {
          owner: 'unit:village',
          kind: 'webhook',
          name: '省平台',
          webhookUrl: receiver.webhookUrl('province'),
          secret: WEBHOOK_SECRET,
        })
      ).text,
    );
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('posts each notice once per channel under concurrent and repeated runs, gathered in one message', async () => {
    const notices = await noticesOf(api, plan.id);
    // The sweep writes the latest due level of each duty: two overdue notices for the village.
    expect(notices.map((n) => [n.dutyId, n.level]).sort()).toEqual(
      [
        [duty.id, 'overdue'],
        [other.id, 'overdue'],
      ].sort(),
    );
    const runs = await Promise.all([1, 2, 3].map(() => api.services.deliveries.run(NOW)));
    await api.services.deliveries.run(NOW);
    setNow(new Date(NOW.getTime() + 10 * 60_000));
    await api.services.deliveries.run(new Date(NOW.getTime() + 10 * 60_000));

    expect(runs.reduce((n, r) => n + r.posts, 0)).toBe(3);
    expect(receiver.refused).toEqual([]);
    const byKey = (key: string) => receiver.posts.filter((p) => p.key === key);
    expect(byKey(WECOM_KEY)).toHaveLength(1);
    expect(byKey(DINGTALK_TOKEN)).toHaveLength(1);
    expect(byKey('province')).toHaveLength(1);

    const wecom = byKey(WECOM_KEY)[0]?.body as { msgtype: string; markdown: { content: string } };
    expect(wecom.msgtype).toBe('markdown');
    expect(wecom.markdown.content).toContain('摸排适龄儿童入学情况');
    expect(wecom.markdown.content).toContain('报送控辍保学周报表');
    expect(wecom.markdown.content).toContain('东街村');
    expect(wecom.markdown.content).toContain('逾期催办');
    expect(wecom.markdown.content).toContain('2026-05-20 17:00');
    expect(wecom.markdown.content).toContain(`https://duban.example.gov.cn/duties/${duty.id}`);

    const ding = byKey(DINGTALK_TOKEN)[0]?.body as {
      markdown: { text: string };
      at: { atMobiles: string[] };
    };
    expect(ding.at.atMobiles).toEqual(['13800001234']);
    expect(ding.markdown.text).toContain('@13800001234');

    const hook = byKey('province')[0];
    expect(hook?.headers['x-duban-delivery']).toMatch(/^[0-9a-f]{32}$/);
    expect((hook?.body as { notices?: unknown[] } | undefined)?.notices).toHaveLength(2);

    for (const notice of notices) {
      const deliveries = await api.call<{ items: Delivery[] }>('GET', `/v1/notices/${notice.id}/deliveries`, {
        as: unitUser('village'),
      });
      expect(deliveries.status).toBe(200);
      expect(deliveries.body.items.map((d) => [d.channelId, d.statusLabel, d.attempts]).sort()).toEqual([
        ['village-dingtalk', '已推送', 1],
        ['village-hook', '已推送', 1],
        ['village-wecom', '已推送', 1],
      ]);
    }
    // Delivered: out of the outbox, so a later run reads nothing.
    expect((await api.services.deliveries.run(NOW)).notices).toBe(0);
  });

  it('keeps a failing channel from blocking the others, records why, and retries a throttled one', async () => {
    receiver.setMode('broken-key', 'errcode');
    receiver.setMode('busy-key', 'throttle');
    await putChannel(api, 'town-broken', {
      owner: 'unit:town',
      kind: 'wecom',
      name: '城关镇(失效)',
      webhookUrl: receiver.wecomUrl('broken-key'),
    });
    await putChannel(api, 'town-busy', {
      owner: 'unit:town',
      kind: 'wecom',
      name: '城关镇(繁忙)',
      webhookUrl: receiver.wecomUrl('busy-key'),
    });
    await putChannel(api, 'village-wecom-2', {
      owner: 'unit:village',
      kind: 'wecom',
      name: '东街村第二群',
      webhookUrl: receiver.wecomUrl('second-key'),
    });
    // Escalation (督办) goes to the parent (town) and the leaders: 3 working days after due.
    const at = new Date('2026-05-25T09:30:00Z');
    setNow(at);
    await sweep(api);
    const escalation = (await noticesOf(api, plan.id)).find((n) => n.level === 'escalate');
    expect(escalation?.recipients).toContain('unit:town');
    await api.services.deliveries.run(at);

    const deliveries = async () =>
      (await api.call<{ items: Delivery[] }>('GET', `/v1/notices/${escalation?.id}/deliveries`)).body.items;
    const first = await deliveries();
    expect(first.find((d) => d.channelId === 'town-broken')).toMatchObject({
      status: 'failed',
      statusLabel: '失败',
      reason: expect.stringContaining('93000'),
    });
    expect(first.find((d) => d.channelId === 'town-busy')).toMatchObject({
      status: 'pending',
      reason: '对方限流(HTTP 429)',
    });
    expect(first.find((d) => d.channelId === 'village-wecom')?.status).toBe('sent');
    expect(first.find((d) => d.channelId === 'village-wecom-2')?.status).toBe('sent');

    // The office sees the failing channel at a glance.
    const channels = (await api.call<{ items: Channel[] }>('GET', '/v1/channels?owner=unit:town')).body.items;
    expect(channels.find((c) => c.id === 'town-broken')?.lastResult).toMatchObject({ ok: false });

    // Before its backoff ends nothing is posted again; after it, once.
    receiver.setMode('busy-key', 'ok');
    await api.services.deliveries.run(new Date(at.getTime() + 5_000));
    expect(receiver.posts.filter((p) => p.key === 'busy-key')).toHaveLength(0);
    const later = new Date(at.getTime() + 120_000);
    await Promise.all([api.services.deliveries.run(later), api.services.deliveries.run(later)]);
    await api.services.deliveries.run(new Date(later.getTime() + 60_000));
    expect(receiver.posts.filter((p) => p.key === 'busy-key')).toHaveLength(1);
    expect(receiver.posts.filter((p) => p.key === 'broken-key')).toHaveLength(0);
    expect((await deliveries()).find((d) => d.channelId === 'town-busy')).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });

  it('sends a test message, and refuses SMS, a missing secret, a foreign host and a unit caller', async () => {
    const ok = await api.call<{ ok: boolean }>('POST', '/v1/channels/village-dingtalk/test');
    expect(ok.body).toEqual({ ok: true, reason: null });
    const broken = await api.call<{ ok: boolean; reason: string }>('POST', '/v1/channels/town-broken/test');
    expect(broken.body.ok).toBe(false);
    expect(broken.body.reason).toContain('93000');

    const before = await tableSnapshot(api.table);
    const refusals: [Record<string, unknown>, string][] = [
      [
        { owner: 'unit:village', kind: 'sms', name: '短信', webhookUrl: 'https://sms.example.com/send' },
        'kind',
      ],
      [
        { owner: 'unit:village', kind: 'dingtalk', name: '钉钉', webhookUrl: receiver.dingTalkUrl('x') },
        'secret',
      ],
      [
        {
          owner: 'unit:village',
          kind: 'wecom',
          name: '企微',
          webhookUrl: 'https://evil.example.com/send?key=1',
        },
        'webhookUrl',
      ],
      [{ owner: 'unit:nowhere', kind: 'wecom', name: '企微', webhookUrl: receiver.wecomUrl('k') }, 'owner'],
      [{ owner: 'unit:village', kind: 'wecom', name: '企微' }, 'webhookUrl'],
    ];
    for (const [body, field] of refusals) {
      const res = await api.call<{ error: { code: string; details: { fields: { field: string }[] } } }>(
        'PUT',
        '/v1/channels/new-channel',
        { body },
      );
      expect(res.status, res.text).toBe(400);
      expect(res.body.error.details.fields.map((f) => f.field)).toContain(field);
    }
    const sms = await api.call<{ error: { code: string } }>('PUT', '/v1/channels/new-channel', {
      body: refusals[0]?.[0],
    });
    expect(sms.body.error.code).toBe('channel_kind_unsupported');
    for (const as of [unitUser('village'), LEADER]) {
      expect((await api.call('GET', '/v1/channels', { as })).status).toBe(403);
      expect((await api.call('PUT', '/v1/channels/x', { as, body: refusals[2]?.[0] })).status).toBe(403);
    }
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('never shows a secret: not in an answer, a log line, the table or the audit trail', async () => {
    const listed = await api.call('GET', '/v1/channels');
    const audit = await api.call('GET', '/v1/audit?limit=100');
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('channel.create');
    const everything = [
      ...answers,
      listed.text,
      audit.text,
      await tableSnapshot(api.table),
      JSON.stringify(api.requests),
      JSON.stringify(api.errors),
      JSON.stringify(api.deliveryLogs),
    ].join('\n');
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    const channel = (listed.body as { items: Channel[] }).items.find((c) => c.id === 'village-dingtalk');
    expect(channel).toMatchObject({
      target: `${receiver.url}/****`,
      hasSecret: true,
      mentionMobiles: ['138****1234'],
    });
  });

  it('keeps the credentials when a channel is renamed without them, and removes them with it', async () => {
    await putChannel(api, 'village-dingtalk', {
      owner: 'unit:village',
      kind: 'dingtalk',
      name: '东街村钉钉群(新)',
    });
    expect((await api.call<{ ok: boolean }>('POST', '/v1/channels/village-dingtalk/test')).body.ok).toBe(
      true,
    );
    expect((await api.call('DELETE', '/v1/channels/village-dingtalk')).status).toBe(200);
    expect((await api.call('POST', '/v1/channels/village-dingtalk/test')).status).toBe(404);
    expect((await api.services.channels.list(OFFICE, 'unit:village')).map((c) => c.id).sort()).toEqual([
      'village-hook',
      'village-wecom',
      'village-wecom-2',
    ]);
  });
});

describe('quiet hours and the robot limit', () => {
  it('holds notices between 22:00 and 07:30 Shanghai and sends them at 07:30; urgent levels go at once', async () => {
    // 2026-05-20 23:00 Shanghai.
    const night = new Date('2026-05-20T15:00:00Z');
    const { api, receiver, plan, setNow } = await setup(night);
    try {
      await newDuty(api, plan, '夜间到期的任务', '2026-05-20T22:30:00+08:00');
      await sweep(api);
      await putChannel(api, 'group', {
        owner: 'unit:village',
        kind: 'wecom',
        name: '东街村工作群',
        webhookUrl: receiver.wecomUrl('quiet-key'),
      });
      const held = await api.services.deliveries.run(night);
      expect(held.held).toBe(1);
      expect(receiver.posts).toHaveLength(0);
      const beforeEnd = new Date('2026-05-20T23:29:00Z');
      setNow(beforeEnd);
      await api.services.deliveries.run(beforeEnd);
      expect(receiver.posts).toHaveLength(0);
      const morning = new Date('2026-05-20T23:30:00Z');
      setNow(morning);
      await api.services.deliveries.run(morning);
      expect(receiver.posts).toHaveLength(1);

      // The office marks overdue as urgent: the next night's overdue notice goes at once.
      const settings = await api.call('PUT', '/v1/delivery-settings', {
        body: { quietStart: '22:00', quietEnd: '07:30', urgentLevels: ['overdue'] },
      });
      expect(settings.status, settings.text).toBe(200);
      await newDuty(api, plan, '紧急任务', '2026-05-21T23:00:00+08:00');
      const nextNight = new Date('2026-05-21T15:10:00Z');
      setNow(nextNight);
      await sweep(api);
      const run = await api.services.deliveries.run(nextNight);
      expect(run.held).toBe(1); // its reminder, written in the same sweep, waits for the morning
      expect(receiver.posts).toHaveLength(2);
      expect(JSON.stringify(receiver.posts[1]?.body)).toContain('紧急任务');
    } finally {
      await receiver.close();
    }
  });

  it('gathers 25 notices for one group into messages of 10, within the robot’s 20 a minute', async () => {
    const now = new Date('2026-05-20T09:30:00Z');
    const { api, receiver, plan, setNow } = await setup(now);
    try {
      for (let i = 0; i < 25; i++) await newDuty(api, plan, `任务 ${i + 1}`, '2026-05-25T17:00:00+08:00');
      // Only the reminders are due (a working day before): 25 notices.
      const remind = new Date('2026-05-22T09:30:00Z');
      setNow(remind);
      await sweep(api);
      await putChannel(api, 'group', {
        owner: 'unit:village',
        kind: 'wecom',
        name: '东街村工作群',
        webhookUrl: receiver.wecomUrl('busy-group'),
      });
      // 19 test messages spend this minute's budget but one.
      for (let i = 0; i < 19; i++) {
        expect((await api.call<{ ok: boolean }>('POST', '/v1/channels/group/test')).body.ok).toBe(true);
      }
      const first = await api.services.deliveries.run(remind);
      expect(first).toMatchObject({ notices: 25, posts: 1, sent: 10, retried: 15 });
      const nextMinute = new Date(Math.ceil(remind.getTime() / 60_000) * 60_000 + 60_000);
      setNow(nextMinute);
      const second = await api.services.deliveries.run(nextMinute);
      expect(second).toMatchObject({ posts: 2, sent: 15 });
      const robotPosts = receiver.posts.filter((p) => JSON.stringify(p.body).includes('【督办通知】'));
      expect(robotPosts).toHaveLength(3);
      expect(JSON.stringify(robotPosts[0]?.body)).toContain('10 项');
    } finally {
      await receiver.close();
    }
  });
});
