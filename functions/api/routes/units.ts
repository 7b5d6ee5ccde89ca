import { createRoute, z } from '@hono/zod-openapi';
import { BelowQuerySchema, BelowSummarySchema } from '../../../shared/schemas/below.js';
import { pageOf, pageQuery, slug } from '../../../shared/schemas/common.js';
import { DutySchema, UnitDutyListQuerySchema } from '../../../shared/schemas/duties.js';
import { CreateUnitSchema, SetUnitAliasesSchema, UnitSchema } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../deps.js';
import { idempotent } from '../idempotency.js';
import { bearer, errorsFor, idempotencyHeaders, jsonBody, jsonResponse, newRouter } from '../router.js';

const unitIdParam = z.object({ unitId: slug('单位编号').openapi({ param: { name: 'unitId', in: 'path' } }) });

export function unitRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['units'],
      summary: '新建单位',
      security: bearer,
      request: { headers: idempotencyHeaders, body: jsonBody(CreateUnitSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(UnitSchema, '已创建'),
        ...errorsFor(400, 401, 403, 409),
      },
    }),
    async (c) => c.json(await deps.units.create(c.get('principal'), c.req.valid('json'), deps.clock()), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['units'],
      summary: '单位目录',
      security: bearer,
      request: { query: z.strictObject(pageQuery) },
      responses: {
        200: jsonResponse(pageOf(UnitSchema, 'UnitPage'), '单位列表'),
        ...errorsFor(400, 401),
      },
    }),
    async (c) => c.json(await deps.units.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{unitId}',
      tags: ['units'],
      summary: '查看单位',
      security: bearer,
      request: { params: unitIdParam },
      responses: {
        200: jsonResponse(UnitSchema, '单位'),
        ...errorsFor(400, 401, 404),
      },
    }),
    async (c) => c.json(await deps.units.get(c.get('principal'), c.req.valid('param').unitId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{unitId}/deactivate',
      tags: ['units'],
      summary: '停用单位(乡镇合并、学校撤并):其令牌立即失效,任务、通知和记录保留',
      security: bearer,
      request: { params: unitIdParam },
      responses: {
        200: jsonResponse(UnitSchema, '已停用'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await deps.units.deactivate(c.get('principal'), c.req.valid('param').unitId, deps.clock()), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{unitId}/duties',
      tags: ['duties'],
      summary: '单位的任务(跨工作方案)',
      security: bearer,
      request: { params: unitIdParam, query: UnitDutyListQuerySchema },
      responses: {
        200: jsonResponse(pageOf(DutySchema, 'DutyPage'), '任务列表'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { planId, status, limit, cursor } = c.req.valid('query');
      const page = await deps.duties.listForUnit(
        c.get('principal'),
        c.req.valid('param').unitId,
        { planId, status },
        { limit, cursor },
        deps.clock(),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{unitId}/aliases',
      tags: ['units'],
      summary: '设置单位的简称、别名(导入任务表时按名称或别名匹配单位)',
      description:
        '以给出的列表整体替换该单位的别名(如 县教育体育局 的 县教体局)。导入任务表时,责任单位须与单位名称或别名完全一致;' +
        '一个别名若登记给了多个单位,导入时按“对应多个单位”报错,不会猜测。仅领导小组办公室可设置,记入审计。',
      security: bearer,
      request: { params: unitIdParam, body: jsonBody(SetUnitAliasesSchema) },
      responses: {
        200: jsonResponse(UnitSchema, '已保存'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.units.setAliases(
          c.get('principal'),
          c.req.valid('param').unitId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{unitId}/below/duties',
      tags: ['duties'],
      summary: '下级任务:直属下级单位在工作方案中的任务,按状态计数并按序时进度亮灯',
      description:
        '每个直属下级单位(乡镇的村和学校)一行:各状态的单位任务数(来自计数项,不逐条读取任务)和待办任务的亮灯(读取其待办任务)。' +
        '本单位、其上级单位、办公室和领导可查看;没有下级单位的单位为 403。某个下级单位的任务逐页查看:GET /v1/units/{unitId}/duties?planId=…',
      security: bearer,
      request: { params: unitIdParam, query: BelowQuerySchema },
      responses: {
        200: jsonResponse(BelowSummarySchema, '下级单位的任务汇总'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await deps.below.summary(
          c.get('principal'),
          c.req.valid('param').unitId,
          c.req.valid('query').planId,
          deps.clock(),
        ),
        200,
      ),
  );

  return app;
}
