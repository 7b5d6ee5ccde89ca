import { httpsOrLoopback } from '../auth/issuer-url.js';
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { ChannelRepository, StoredChannel } from '../db/channel-repository.js';
import type { DeliveryRecord, DeliveryRepository } from '../db/delivery-repository.js';
import type { NoticeRepository } from '../db/notice-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { decide } from '../domain/access/policy.js';
import { maskPhone } from '../domain/privacy/mask.js';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import { type ChannelCredentials, channelSecretName, type SecretStore } from '../notify/secret-store.js';
import type { Poster } from '../notify/senders.js';
import {
  CHANNEL_KIND_LABELS,
  type Channel,
  type ChannelKind,
  DELIVERY_STATUS_LABELS,
  type Delivery,
  type DeliverySettings,
  type PutChannel,
} from '../schemas/channels.js';
import type { Notice } from '../schemas/notices.js';
import { authorize } from './access.js';
import { ownerContext, ownerContexts } from './unit-tree.js';

/** Posts per robot per minute: both WeCom and DingTalk allow about 20. */
export const ROBOT_POSTS_PER_MINUTE = 20;

export interface ChannelService {
  list(principal: Principal, owner?: string): Promise<Channel[]>;
  /** One channel by id (H1), as shown: its address masked, no secret. */
  get(principal: Principal, id: string): Promise<Channel>;
  put(principal: Principal, id: string, input: PutChannel, now: Date): Promise<Channel>;
  remove(principal: Principal, id: string, now: Date): Promise<Channel>;
  /** Posts a test message now; the outcome is also the channel's latest result. */
  test(principal: Principal, id: string, now: Date): Promise<{ ok: boolean; reason: string | null }>;
  settings(principal: Principal): Promise<DeliverySettings>;
  putSettings(principal: Principal, input: DeliverySettings, now: Date): Promise<DeliverySettings>;
  /** A notice's deliveries (已推送 / 失败 and why), for whoever may read the notice. */
  deliveries(principal: Principal, noticeId: string): Promise<Delivery[]>;
  /**
   * The deliveries of notices a page already shows (read through the notice service), by notice
   * id: one Query each (N4), a few at a time; a notice the reader may not read is left out.
   */
  deliveriesFor(principal: Principal, notices: readonly Notice[]): Promise<Map<string, Delivery[]>>;
}

const DELIVERY_READS_IN_FLIGHT = 10;

const deliveryView = (d: DeliveryRecord): Delivery => ({
  ...d,
  statusLabel: DELIVERY_STATUS_LABELS[d.status],
});

/** Only these hosts take each robot's posts (and loopback, for a local receiver). */
const ROBOT_HOSTS: Partial<Record<ChannelKind, string>> = {
  wecom: 'qyapi.weixin.qq.com',
  dingtalk: 'oapi.dingtalk.com',
};
const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

/** The target as shown: scheme and host only; the path and query carry the robot's key. */
export function maskTarget(webhookUrl: string): string {
  const url = new URL(webhookUrl);
  return `${url.protocol}//${url.host}/****`;
}

export function channelView(c: StoredChannel): Channel {
  return {
    id: c.id,
    owner: c.owner,
    kind: c.kind,
    kindLabel: CHANNEL_KIND_LABELS[c.kind],
    name: c.name,
    target: c.target,
    hasSecret: c.hasSecret,
    mentionMobiles: c.mentionMobiles.map(maskPhone),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastResult: c.lastResult,
  };
}

function checkUrl(kind: ChannelKind, webhookUrl: string): void {
  const url = new URL(webhookUrl);
  const host = ROBOT_HOSTS[kind];
  const fine = isLoopback(url)
    ? httpsOrLoopback(url)
    : url.protocol === 'https:' && (host === undefined || url.hostname === host);
  if (!fine) {
    const message =
      host === undefined
        ? 'webhookUrl 须为 https 地址'
        : `${CHANNEL_KIND_LABELS[kind]}的地址须为 https://${host}/…`;
    throw new ValidationError(`请求体有误:webhookUrl`, [{ field: 'webhookUrl', message }]);
  }
}

export function channelService(deps: {
  channels: ChannelRepository;
  deliveries: DeliveryRepository;
  notices: NoticeRepository;
  units: UnitRepository;
  secrets: SecretStore;
  post: Poster;
}): ChannelService {
  const { channels, secrets, units } = deps;

  async function mustGet(id: string): Promise<StoredChannel> {
    const found = await channels.get(id);
    if (found === undefined) throw new NotFoundError('通道', id);
    return found;
  }

  return {
    async list(principal, owner) {
      authorize(principal, 'channel.manage');
      return (await channels.list(owner)).map(channelView);
    },

    async get(principal, id) {
      authorize(principal, 'channel.manage');
      return channelView(await mustGet(id));
    },

    async put(principal, id, input, now) {
      authorize(principal, 'channel.manage');
      if (input.kind === 'sms') {
        throw new AppError(400, 'channel_kind_unsupported', '短信通道需要运营商审核的模板,暂不支持', {
          fields: [{ field: 'kind', message: '短信通道暂不支持' }],
        });
      }
      if (input.owner.startsWith('unit:') && (await units.get(input.owner.slice(5))) === undefined) {
        throw new ValidationError('请求体有误:owner', [
          { field: 'owner', message: `单位不存在:${input.owner.slice(5)}` },
        ]);
      }
      const existing = await channels.get(id);
      const stored = existing === undefined ? undefined : await secrets.get(existing.secretName);
      const webhookUrl = input.webhookUrl ?? stored?.webhookUrl;
      if (webhookUrl === undefined) {
        throw new ValidationError('请求体有误:webhookUrl', [
          { field: 'webhookUrl', message: '新建通道须填写 webhookUrl' },
        ]);
      }
      checkUrl(input.kind, webhookUrl);
      const secret = input.secret ?? stored?.secret;
      if (input.kind !== 'wecom' && secret === undefined) {
        throw new ValidationError('请求体有误:secret', [
          { field: 'secret', message: `${CHANNEL_KIND_LABELS[input.kind]}须填写 secret` },
        ]);
      }
      const credentials: ChannelCredentials =
        input.kind === 'wecom' || secret === undefined ? { webhookUrl } : { webhookUrl, secret };
      const channel: StoredChannel = {
        id,
        owner: input.owner,
        kind: input.kind,
        name: input.name,
        target: maskTarget(webhookUrl),
        hasSecret: credentials.secret !== undefined,
        secretName: channelSecretName(id),
        mentionMobiles: input.mentionMobiles ?? existing?.mentionMobiles ?? [],
        createdAt: existing?.createdAt ?? now.toISOString(),
        updatedAt: now.toISOString(),
        lastResult: existing?.lastResult ?? null,
      };
      // The secret first: a channel item never names a secret that is not there.
      await secrets.put(channel.secretName, credentials);
      const view = channelView(channel);
      await channels.put(
        channel,
        auditEvent(
          principal,
          existing === undefined ? 'channel.create' : 'channel.update',
          { type: 'channel', id },
          { before: existing === undefined ? null : channelView(existing), after: view },
          now,
        ),
      );
      return view;
    },

    async remove(principal, id, now) {
      authorize(principal, 'channel.manage');
      const existing = await mustGet(id);
      const view = channelView(existing);
      await channels.remove(
        id,
        auditEvent(principal, 'channel.delete', { type: 'channel', id }, { before: view, after: null }, now),
      );
      await secrets.delete(existing.secretName);
      return view;
    },

    async test(principal, id, now) {
      authorize(principal, 'channel.manage');
      const channel = await mustGet(id);
      const credentials = await secrets.get(channel.secretName);
      let outcome: { ok: boolean; reason: string | null };
      if (credentials === undefined) outcome = { ok: false, reason: '通道密钥缺失,请重新填写地址' };
      else if (!(await deps.deliveries.takeRobotSlot(id, now, ROBOT_POSTS_PER_MINUTE)))
        outcome = { ok: false, reason: '本分钟推送次数已达上限(约 20 条/分钟),请稍后再试' };
      else {
        const posted = await deps.post({
          kind: channel.kind,
          credentials,
          message: {
            title: '【测试消息】督办通知通道',
            markdown: `### 【测试消息】督办通知通道\n通道“${channel.name}”已连通,督办通知将推送到这里。`,
          },
          mentionMobiles: [],
          deliveryId: `test-${id}-${now.getTime()}`,
          notices: [],
          now,
        });
        outcome = posted.ok ? { ok: true, reason: null } : { ok: false, reason: posted.reason };
      }
      await channels.recordResult(id, { ...outcome, at: now.toISOString() });
      return outcome;
    },

    async settings(principal) {
      authorize(principal, 'channel.manage');
      return channels.settings();
    },

    async putSettings(principal, input, now) {
      authorize(principal, 'channel.manage');
      const before = await channels.settings();
      await channels.putSettings(
        input,
        auditEvent(
          principal,
          'settings.delivery',
          { type: 'settings', id: 'delivery' },
          { before, after: input },
          now,
        ),
      );
      return input;
    },

    async deliveries(principal, noticeId) {
      const notice = await deps.notices.get(noticeId);
      if (notice === undefined) throw new NotFoundError('通知', noticeId);
      authorize(principal, 'notice.read', await ownerContext(units, principal, notice.unitId));
      return (await deps.deliveries.list(noticeId)).map(deliveryView);
    },

    async deliveriesFor(principal, notices) {
      const contextOf = await ownerContexts(
        units,
        principal,
        notices.map((n) => n.unitId),
      );
      const readable = notices.filter((n) => decide(principal, 'notice.read', contextOf(n.unitId)).allowed);
      const out = new Map<string, Delivery[]>();
      for (let i = 0; i < readable.length; i += DELIVERY_READS_IN_FLIGHT) {
        await Promise.all(
          readable.slice(i, i + DELIVERY_READS_IN_FLIGHT).map(async (n) => {
            out.set(n.id, (await deps.deliveries.list(n.id)).map(deliveryView));
          }),
        );
      }
      return out;
    },
  };
}
