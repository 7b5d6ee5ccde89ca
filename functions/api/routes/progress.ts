import { createRoute } from '@hono/zod-openapi';
import { DutySchema, ReportProgressSchema } from '../../../shared/schemas/duties.js';
import type { AppDeps } from '../deps.js';
import { bearer, dutyIdParam, errorsFor, jsonBody, jsonResponse, newRouter } from '../router.js';

/** A unit's progress reports on its open duty: the light rule compares them with 序时进度. */
export function progressRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/progress',
      tags: ['duties'],
      summary: '报告待办任务的进度(百分比和说明,可多次报告;与序时进度对照亮灯)',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(ReportProgressSchema) },
      responses: {
        200: jsonResponse(DutySchema, '已记录进度'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.progress.report(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  return app;
}
