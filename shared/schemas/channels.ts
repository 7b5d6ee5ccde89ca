import { line, z } from './common.js';

/** Where a notice can be pushed. `sms` is the seam for SMS providers (approved templates): refused for now. */
export const CHANNEL_KINDS = ['wecom', 'dingtalk', 'webhook', 'sms'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CHANNEL_KIND_LABELS: Record<ChannelKind, string> = {
  wecom: '企业微信群机器人',
  dingtalk: '钉钉自定义机器人(加签)',
  webhook: '签名 Webhook',
  sms: '短信',
};

export const ChannelOwnerSchema = z
  .string()
  .regex(
    /^(unit:[a-z0-9][a-z0-9-]{0,62}|role:leaders|role:office)$/,
    '接收方须为 unit:<单位编号>、role:leaders 或 role:office',
  )
  .openapi({ description: '通道属于哪个收件箱:unit:<单位编号>、role:leaders(领导)或 role:office(办公室)' });

const MOBILE = /^1[3-9]\d{9}$/;

export const PutChannelSchema = z
  .strictObject({
    owner: ChannelOwnerSchema,
    kind: z.enum(CHANNEL_KINDS).openapi({
      description:
        'wecom 企业微信群机器人, dingtalk 钉钉自定义机器人(加签), webhook 签名 Webhook, sms 短信(暂不支持)',
    }),
    name: line(1, 60).openapi({ example: '教育股工作群' }),
    webhookUrl: z.url({ error: 'webhookUrl 须为完整的网址' }).max(1000).optional().openapi({
      description: '只写:机器人或 Webhook 的地址(含 key / access_token)。新建时必填;修改时不填则保留原值',
    }),
    secret: z
      .string()
      .min(8, 'secret 至少 8 个字符')
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'secret 只能含可见 ASCII 字符')
      .optional()
      .openapi({ description: '只写:钉钉加签密钥(SEC…)或 Webhook 签名密钥。不会返回' }),
    mentionMobiles: z
      .array(z.string().regex(MOBILE, '手机号格式无效'))
      .max(20)
      .optional()
      .openapi({ description: '推送时 @ 的责任人手机号(钉钉支持;企业微信 markdown 消息不支持按手机号 @)' }),
  })
  .openapi('PutChannel');

export const ChannelResultSchema = z
  .object({ ok: z.boolean(), at: z.string(), reason: z.string().nullable() })
  .openapi('ChannelResult');

export const ChannelSchema = z
  .object({
    id: z.string(),
    owner: z.string(),
    kind: z.enum(CHANNEL_KINDS),
    kindLabel: z.string(),
    name: z.string(),
    target: z.string().openapi({ description: '地址的掩码形式(只显示域名),密钥不返回' }),
    hasSecret: z.boolean(),
    mentionMobiles: z.array(z.string()).openapi({ description: '掩码形式,如 138****5678' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastResult: ChannelResultSchema.nullable().openapi({
      description: '最近一次推送的结果,失败的通道一眼可见',
    }),
  })
  .openapi('Channel');

export const ChannelListQuerySchema = z.strictObject({
  owner: ChannelOwnerSchema.optional(),
});

export const ChannelTestResultSchema = z
  .object({ ok: z.boolean(), reason: z.string().nullable() })
  .openapi('ChannelTestResult');

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间须为 HH:MM(24 小时制)');

export const DeliverySettingsSchema = z
  .strictObject({
    quietStart: HHMM.openapi({ example: '22:00', description: '免打扰开始(北京时间)' }),
    quietEnd: HHMM.openapi({ example: '07:30', description: '免打扰结束,积压的通知此时推送' }),
    urgentLevels: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, '级别名称格式无效'))
      .max(8)
      .openapi({ example: ['accountability'], description: '免打扰时段仍立即推送的级别(如通报问责)' }),
  })
  .openapi('DeliverySettings');

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export const DELIVERY_STATUS_LABELS: Record<(typeof DELIVERY_STATUSES)[number], string> = {
  pending: '待推送',
  sending: '推送中',
  sent: '已推送',
  failed: '失败',
};

export const DeliverySchema = z
  .object({
    noticeId: z.string(),
    channelId: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    statusLabel: z.string(),
    attempts: z.number().int(),
    reason: z.string().nullable().openapi({ description: '失败或重试的原因' }),
    sentAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .openapi('Delivery');

export const DeliveryListSchema = z.object({ items: z.array(DeliverySchema) }).openapi('DeliveryList');

export type PutChannel = z.infer<typeof PutChannelSchema>;
export type Channel = z.infer<typeof ChannelSchema>;
export type DeliverySettings = z.infer<typeof DeliverySettingsSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
