import { createRoute } from '@hono/zod-openapi';
import { SweepRequestSchema, SweepResultSchema } from '../../../shared/schemas/notices.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorsFor, jsonBody, jsonResponse, newRouter } from '../router.js';

export function sweepRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['notices'],
      summary: '立即执行到期巡检(与定时巡检相同)',
      description: '为所有到时的督办级别写出通知;每个任务每轮每级只写一次,可与定时巡检并发。',
      security: bearer,
      request: { body: jsonBody(SweepRequestSchema) },
      responses: {
        200: jsonResponse(SweepResultSchema, '巡检结果'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await deps.sweeps.sweep(c.get('principal'), c.req.valid('json'), deps.clock()), 200),
  );

  return app;
}
