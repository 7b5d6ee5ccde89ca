import { createRoute, z } from '@hono/zod-openapi';
import { pageOf } from '../../../shared/schemas/common.js';
import { NoticeListQuerySchema, NoticeSchema } from '../../../shared/schemas/notices.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorsFor, jsonResponse, newRouter } from '../router.js';

const noticeIdParam = z.object({
  noticeId: z
    .string()
    .regex(/^[a-z0-9-]{1,140}$/, '通知编号格式无效')
    .openapi({ param: { name: 'noticeId', in: 'path' } }),
});

export function noticeRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['notices'],
      summary: '督办通知(提醒、催办、督办、通报)',
      description:
        '单位用户看到关于本单位任务的通知和发给本单位的通知(乡镇可看到所辖村的督办);领导和办公室可看全部或按单位查看。最新在前。',
      security: bearer,
      request: { query: NoticeListQuerySchema },
      responses: {
        200: jsonResponse(pageOf(NoticeSchema, 'NoticePage'), '通知列表'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) => {
      const { unitId, planId, level, limit, cursor } = c.req.valid('query');
      return c.json(
        await deps.notices.list(c.get('principal'), { unitId, planId, level }, { limit, cursor }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{noticeId}/ack',
      tags: ['notices'],
      summary: '签收通知',
      description: '只有接收方可以签收(单位、全体领导或办公室);重复签收不改变首次签收时间。',
      security: bearer,
      request: { params: noticeIdParam },
      responses: {
        200: jsonResponse(NoticeSchema, '已签收'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await deps.notices.ack(c.get('principal'), c.req.valid('param').noticeId, deps.clock()), 200),
  );

  return app;
}
