import { createRoute } from '@hono/zod-openapi';
import { HandOffResultSchema, HandOffSchema } from '../../../shared/schemas/handoffs.js';
import type { AppDeps } from '../deps.js';
import { idempotent } from '../idempotency.js';
import {
  bearer,
  dutyIdParam,
  errorsFor,
  idempotencyHeaders,
  jsonBody,
  jsonResponse,
  newRouter,
} from '../router.js';

/** 转办: `/v1/duties/{dutyId}/handoffs`. */
export function handoffRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/handoffs',
      tags: ['duties'],
      summary: '转办(责任单位把待办任务交给下级单位分别办理)',
      description:
        '只有责任单位本身可以转办,且只能转办给本单位之下的单位(否则 403);只有待办的任务可以转办(否则 409)。' +
        '每个下级单位得到同一任务下自己的一项任务,按同一督办规则计时、提醒、逐级督办;下级提交后由本单位确认。' +
        '本单位须等全部转办的下级单位提交后才能汇总提交(409 handoffs_pending),提交时列出各下级的办理情况。' +
        '已转办过的单位不能再次转办(409 already_handed_off,并列出单位名称,不作任何修改);重试时带同一个 Idempotency-Key 返回第一次的结果。',
      security: bearer,
      request: { headers: idempotencyHeaders, params: dutyIdParam, body: jsonBody(HandOffSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(HandOffResultSchema, '已转办'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.handoffs.handOff(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
        ),
        201,
      ),
  );

  return app;
}
