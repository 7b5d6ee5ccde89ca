import { createRoute } from '@hono/zod-openapi';
import {
  FiledWeeklyFormSchema,
  FileWeeklyFormSchema,
  WeeklyFormSchema,
  WeeklyFormSetupResultSchema,
  WeeklyFormSetupSchema,
} from '../../../shared/schemas/case-reports.js';
import type { AppDeps } from '../deps.js';
import { bearer, dutyIdParam, errorsFor, jsonBody, jsonResponse, newRouter } from '../router.js';

/** 控辍保学周报表: set up per school by the office, filed by each school from its cases. */
export function caseWeeklyFormRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/setup',
      tags: ['cases'],
      summary: '为各学校设置控辍保学周报表(每校一项每周报表任务,默认每周五 12:00 前)',
      description:
        '每校一项周期任务(定期报告类),逾期未报按督办规则逐级提醒;重复设置不会重复创建(按方案和学校固定任务编号)。',
      security: bearer,
      request: { body: jsonBody(WeeklyFormSetupSchema) },
      responses: {
        200: jsonResponse(WeeklyFormSetupResultSchema, '各学校的周报表任务'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await deps.caseWeeklyForms.setUp(c.get('principal'), c.req.valid('json'), deps.clock()), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{dutyId}',
      tags: ['cases'],
      summary: '预览本周周报表(由本校案例生成,不能填写)',
      security: bearer,
      request: { params: dutyIdParam },
      responses: {
        200: jsonResponse(WeeklyFormSchema, '由案例生成的周报表'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.caseWeeklyForms.preview(c.get('principal'), c.req.valid('param').dutyId, deps.clock()),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}',
      tags: ['cases'],
      summary: '报送周报表(由案例生成;没有情况时一键零报告)',
      description: '零报告只在由案例生成的各项均为 0 时可用,否则 409 not_zero(不得瞒报)。',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(FileWeeklyFormSchema) },
      responses: {
        200: jsonResponse(FiledWeeklyFormSchema, '已报送'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.caseWeeklyForms.file(
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
