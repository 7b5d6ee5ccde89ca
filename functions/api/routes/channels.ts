import { createRoute, z } from '@hono/zod-openapi';
import {
  ChannelListQuerySchema,
  ChannelSchema,
  ChannelTestResultSchema,
  DeliveryListSchema,
  DeliverySettingsSchema,
  PutChannelSchema,
} from '../../../shared/schemas/channels.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorsFor, jsonBody, jsonResponse, newRouter, pathId } from '../router.js';

const channelIdParam = z.object({ channelId: pathId('channelId', '通道编号') });
const noticeIdParam = z.object({
  noticeId: z
    .string()
    .regex(/^[a-z0-9-]{1,140}$/, '通知编号格式无效')
    .openapi({ param: { name: 'noticeId', in: 'path' } }),
});

/** The office's notice channels (robots, webhooks): /v1/channels. */
export function channelRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['channels'],
      summary: '推送通道(企业微信、钉钉机器人,签名 Webhook)',
      description: '只有办公室可以查看和设置。地址只显示域名,密钥从不返回;lastResult 为最近一次推送的结果。',
      security: bearer,
      request: { query: ChannelListQuerySchema },
      responses: {
        200: jsonResponse(z.object({ items: z.array(ChannelSchema) }).openapi('ChannelList'), '通道列表'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) =>
      c.json({ items: await deps.channels.list(c.get('principal'), c.req.valid('query').owner) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{channelId}',
      tags: ['channels'],
      summary: '新建或修改推送通道',
      description:
        'webhookUrl 和 secret 只写:保存在密钥库(本地数据目录或 AWS Secrets Manager),不写入数据表、日志或审计记录;修改时不填则保留原值。短信通道暂不支持。',
      security: bearer,
      request: { params: channelIdParam, body: jsonBody(PutChannelSchema) },
      responses: {
        200: jsonResponse(ChannelSchema, '已保存'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) =>
      c.json(
        await deps.channels.put(
          c.get('principal'),
          c.req.valid('param').channelId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{channelId}',
      tags: ['channels'],
      summary: '删除推送通道(连同其密钥)',
      security: bearer,
      request: { params: channelIdParam },
      responses: {
        200: jsonResponse(ChannelSchema, '已删除'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await deps.channels.remove(c.get('principal'), c.req.valid('param').channelId, deps.clock()),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{channelId}/test',
      tags: ['channels'],
      summary: '发送测试消息',
      description: '立即向该通道发送一条测试消息,返回是否成功及原因(计入机器人每分钟限额)。',
      security: bearer,
      request: { params: channelIdParam },
      responses: {
        200: jsonResponse(ChannelTestResultSchema, '测试结果'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await deps.channels.test(c.get('principal'), c.req.valid('param').channelId, deps.clock()), 200),
  );

  return app;
}

/** Quiet hours and urgent levels: /v1/delivery-settings. */
export function deliverySettingsRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['channels'],
      summary: '推送设置(免打扰时段、紧急级别)',
      security: bearer,
      responses: {
        200: jsonResponse(DeliverySettingsSchema, '推送设置'),
        ...errorsFor(401, 403),
      },
    }),
    async (c) => c.json(await deps.channels.settings(c.get('principal')), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/',
      tags: ['channels'],
      summary: '修改推送设置',
      description:
        '免打扰时段(北京时间)内不推送,积压的通知在结束时推送;urgentLevels 中的级别(如通报问责)照常推送。',
      security: bearer,
      request: { body: jsonBody(DeliverySettingsSchema) },
      responses: {
        200: jsonResponse(DeliverySettingsSchema, '已保存'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) =>
      c.json(await deps.channels.putSettings(c.get('principal'), c.req.valid('json'), deps.clock()), 200),
  );

  return app;
}

/** A notice's deliveries: /v1/notices/{noticeId}/deliveries. */
export function noticeDeliveryRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{noticeId}/deliveries',
      tags: ['notices'],
      summary: '通知的推送记录(已推送 / 失败及原因)',
      description: '每个通道一条;能查看该通知的人都可查看。',
      security: bearer,
      request: { params: noticeIdParam },
      responses: {
        200: jsonResponse(DeliveryListSchema, '推送记录'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        { items: await deps.channels.deliveries(c.get('principal'), c.req.valid('param').noticeId) },
        200,
      ),
  );

  return app;
}
