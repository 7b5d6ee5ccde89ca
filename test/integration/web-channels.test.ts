/**
 * 通知通道 on the pages (issue 15): the office adds and edits channels with write-only secrets
 * (never rendered back), sends a test message to a real receiver on loopback, sees failing
 * channels with their last reason at a glance; each notice in a unit's inbox shows its deliveries
 * (已推送 / 失败 with the reason). No rendered page carries a secret or a robot key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { robotReceiver } from '../fixtures/robot-receiver.js';
import { type PageResponse, webApp } from './web-harness.js';

// Wednesday 2026-05-20 17:30 in Asia/Shanghai: outside quiet hours, a duty due at 17:00 overdue.
const NOW = new Date('2026-05-20T09:30:00Z');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
const DINGTALK_SECRET = 'SECweb-page-dingtalk-secret-31';
const WEBHOOK_SECRET = 'whsec-web-page-province-88';
const WECOM_KEY = 'web-wecom-key-5e4d';
const DING_TOKEN = 'web-ding-token-2c1b';
const SECRETS = [DINGTALK_SECRET, WEBHOOK_SECRET, WECOM_KEY, DING_TOKEN];

describe('pages: 通知通道 and deliveries', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let receiver: Awaited<ReturnType<typeof robotReceiver>>;
  const rendered: PageResponse[] = [];
  const seen = (res: PageResponse) => {
    rendered.push(res);
    return res;
  };
  let office: ReturnType<typeof web.browser>;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    receiver = await robotReceiver({
      dingTalkSecret: DINGTALK_SECRET,
      webhookSecret: WEBHOOK_SECRET,
      now: () => NOW,
    });
    await web.services.units.create(OFFICE, { id: 'town', name: '城关镇', kind: 'township' }, NOW);
    await web.services.units.create(
      OFFICE,
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      NOW,
    );
    office = web.browser();
    await office.signIn('office');
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('adds channels; the address and the secret are never shown again, the edit form leaves them blank', async () => {
    const empty = seen(await office.get('/channels'));
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('新增通道');
    expect(empty.html).toContain('没有推送失败的通道');

    const wecom = seen(
      await office.post('/channels', {
        id: 'village-wecom',
        owner: 'unit:village',
        kind: 'wecom',
        name: '东街村工作群',
        webhookUrl: receiver.wecomUrl(WECOM_KEY),
      }),
    );
    expect(wecom.status, wecom.html).toBe(303);
    expect(wecom.location).toContain('/channels?ok=channel');
    const ding = seen(
      await office.post('/channels', {
        id: 'village-ding',
        owner: 'unit:village',
        kind: 'dingtalk',
        name: '东街村钉钉群',
        webhookUrl: receiver.dingTalkUrl(DING_TOKEN),
        secret: DINGTALK_SECRET,
        mentionMobiles: '13800001234',
      }),
    );
    expect(ding.status, ding.html).toBe(303);

    const listed = seen(await office.get('/channels?ok=channel'));
    expect(listed.html).toContain('通道已保存');
    expect(listed.html).toContain('data-channel="village-wecom"');
    expect(listed.html).toContain(`${new URL(receiver.url).host}/****`);
    expect(listed.html).toContain('密钥已设置');
    expect(listed.html).toContain('尚未推送');

    const edit = seen(await office.get('/channels/village-ding'));
    expect(edit.status).toBe(200);
    expect(edit.html).toContain('修改通道 · 东街村钉钉群');
    expect(edit.html).toContain('已保存(不显示);留空则不变');
    expect(edit.html).toContain('138****1234');
    expect(edit.html).toMatch(/name="webhookUrl" value=""/);
    expect(edit.html).toMatch(/name="secret" value=""/);

    // Renamed with the address and the secret left blank: both kept, still posting.
    const renamed = seen(
      await office.post('/channels/village-ding', {
        owner: 'unit:village',
        kind: 'dingtalk',
        name: '东街村两委群',
        webhookUrl: '',
        secret: '',
      }),
    );
    expect(renamed.status, renamed.html).toBe(303);
    const tested = seen(await office.post('/channels/village-ding/test', {}));
    expect(tested.html).toContain('测试消息已发送');
    expect(receiver.posts.filter((p) => p.key === DING_TOKEN)).toHaveLength(1);
    expect(receiver.refused).toEqual([]);
  });

  it('refuses bad fields with the field named, and saves nothing', async () => {
    const before = (await web.services.channels.list(OFFICE)).length;
    const noSecret = seen(
      await office.post('/channels', {
        id: 'town-ding',
        owner: 'unit:town',
        kind: 'dingtalk',
        name: '城关镇钉钉群',
        webhookUrl: receiver.dingTalkUrl('town-token'),
      }),
    );
    expect(noSecret.status).toBe(400);
    expect(noSecret.html).toContain('须填写 secret');
    const badUrl = seen(
      await office.post('/channels', {
        id: 'town-wecom',
        owner: 'unit:town',
        kind: 'wecom',
        name: '城关镇群',
        webhookUrl: 'not a url',
      }),
    );
    expect(badUrl.status).toBe(400);
    expect(badUrl.html).toContain('webhookUrl 须为完整的网址');
    const badId = seen(
      await office.post('/channels', { id: 'Bad Id', owner: 'unit:town', kind: 'wecom', name: 'x' }),
    );
    expect(badId.status).toBe(400);
    expect(badId.html).toContain('通道编号须为');
    // Every bad field at once: the id and the body's fields come back together.
    const both = seen(
      await office.post('/channels', {
        id: 'Bad Id',
        owner: 'unit:town',
        kind: 'wecom',
        name: '',
        webhookUrl: 'nope',
      }),
    );
    expect(both.status).toBe(400);
    expect(both.html).toContain('通道编号须为');
    expect(both.html).toContain('webhookUrl 须为完整的网址');
    expect(await web.services.channels.list(OFFICE)).toHaveLength(before);
  });

  it('shows a failing channel at a glance with its last reason, after a failed test', async () => {
    receiver.setMode(WECOM_KEY, 'errcode');
    const failed = seen(await office.post('/channels/village-wecom/test', {}));
    expect(failed.status).toBe(200);
    expect(failed.html).toContain('测试消息发送失败');
    expect(failed.html).toContain('推送失败的通道(1)');
    expect(failed.html).toContain('data-failing="village-wecom"');
    receiver.setMode(WECOM_KEY, 'ok');
  });

  it('shows each notice’s deliveries in the unit’s inbox: 已推送 and 失败 with the reason', async () => {
    const plan = await web.services.plans.create(
      OFFICE,
      {
        title: '控辍保学',
        timezone: 'Asia/Shanghai',
        phases: [{ key: 'work', name: '整改', start: '2026-05-01' }],
        escalation: [{ level: 'overdue', offsetWorkingDays: 0, addressees: ['unit'] }],
      },
      NOW,
    );
    await web.services.plans.createTask(
      OFFICE,
      plan.id,
      {
        title: '摸排适龄儿童入学情况',
        phaseKey: 'work',
        leadUnitId: 'village',
        dueAt: '2026-05-20T17:00:00+08:00',
        coUnitIds: [],
        kind: 'task',
        signOffLevels: 0,
      },
      NOW,
    );
    await web.services.sweeps.sweep(OFFICE, { planId: plan.id }, NOW);
    receiver.setMode(DING_TOKEN, 'errcode');
    // The next minute: the robot's budget of this one went to the tests above.
    await web.services.deliveries.run(new Date(NOW.getTime() + 60_000));
    const clerk = web.browser();
    await clerk.signIn('unit:village');
    const inbox = seen(await clerk.get('/my'));
    expect(inbox.status).toBe(200);
    const deliveries = inbox.html.slice(inbox.html.indexOf('data-deliveries'));
    expect(deliveries).toContain('已推送');
    expect(deliveries).toContain('失败(机器人拒绝:errcode 310000');
    // The channels themselves are the office's.
    expect(seen(await clerk.get('/channels')).status).toBe(403);
  });

  it('never renders a secret or a robot key', async () => {
    const forbidden = seen(await web.browser().get('/channels'));
    expect([302, 303, 401, 403]).toContain(forbidden.status);
    expect(rendered.length).toBeGreaterThan(10);
    for (const res of rendered) {
      for (const secret of SECRETS) expect(res.html).not.toContain(secret);
    }
    expect(web.errors).toEqual([]);
  });
});
