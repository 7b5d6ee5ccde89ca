import { createRoute, z } from '@hono/zod-openapi';
import {
  CalendarNoticeBodySchema,
  CalendarNoticeResultSchema,
  YearCalendarBodySchema,
  YearCalendarSchema,
} from '../../../shared/schemas/calendar.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorsFor, jsonBody, jsonResponse, newRouter } from '../router.js';

const yearParam = z.object({
  year: z.coerce
    .number()
    .int()
    .min(2000)
    .max(2100)
    .openapi({ param: { name: 'year', in: 'path' }, example: 2027 }),
});

export function calendarRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{year}',
      tags: ['calendar'],
      summary: '查看某年的工作日历(节假日与调休)',
      security: bearer,
      request: { params: yearParam },
      responses: { 200: jsonResponse(YearCalendarSchema, '工作日历'), ...errorsFor(400, 401) },
    }),
    async (c) => c.json(await deps.calendar.get(c.get('principal'), c.req.valid('param').year), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{year}',
      tags: ['calendar'],
      summary: '设置某年的放假日和调休上班日(覆盖内置官方数据,无需重新部署)',
      security: bearer,
      request: { params: yearParam, body: jsonBody(YearCalendarBodySchema) },
      responses: {
        200: jsonResponse(YearCalendarSchema, '已保存'),
        ...errorsFor(400, 401, 403, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.calendar.put(
          c.get('principal'),
          c.req.valid('param').year,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{year}/notice',
      tags: ['calendar'],
      summary: '粘贴国务院办公厅节假日安排通知:preview 预览解析结果(不保存),commit 保存为该年度日历',
      security: bearer,
      request: { params: yearParam, body: jsonBody(CalendarNoticeBodySchema) },
      responses: {
        200: jsonResponse(CalendarNoticeResultSchema, '解析结果(commit 时已保存)'),
        ...errorsFor(400, 401, 403, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.calendar.notice(
          c.get('principal'),
          c.req.valid('param').year,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  return app;
}
