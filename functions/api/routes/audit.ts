import { createRoute } from '@hono/zod-openapi';
import { AuditEventSchema, AuditQuerySchema } from '../../../shared/schemas/audit.js';
import { pageOf } from '../../../shared/schemas/common.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorsFor, jsonResponse, newRouter } from '../router.js';

export function auditRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['audit'],
      summary: '审计记录(仅办公室;不可修改、不可删除)',
      description:
        '按工作方案、操作人、时间段查询,最新在前。记录与变更在同一事务中写入;巡检的督办记录在通知之后、任务推进之前单独写入,键固定、只写一次。',
      security: bearer,
      request: { query: AuditQuerySchema },
      responses: {
        200: jsonResponse(pageOf(AuditEventSchema, 'AuditPage'), '审计记录'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) => {
      const { planId, actor, from, to, limit, cursor } = c.req.valid('query');
      return c.json(
        await deps.audit.list(c.get('principal'), { planId, actor, from, to }, { limit, cursor }),
        200,
      );
    },
  );

  return app;
}
