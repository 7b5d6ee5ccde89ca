import { createRoute, z } from '@hono/zod-openapi';
import {
  FigureResultSchema,
  IndicatorKeySchema,
  IndicatorSchema,
  IndicatorTableSchema,
  PutFigureSchema,
  PutIndicatorSchema,
  TableQuerySchema,
} from '../../../shared/schemas/indicators.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorsFor, jsonBody, jsonResponse, newRouter, pathId } from '../router.js';

const planIdParam = z.object({ planId: pathId('planId', '工作方案编号') });
const indicatorParams = planIdParam.extend({
  key: IndicatorKeySchema.openapi({ param: { name: 'key', in: 'path' } }),
});
const figureParams = indicatorParams.extend({
  period: TableQuerySchema.shape.period.openapi({ param: { name: 'period', in: 'path' } }),
});

/** 指标监测: a plan's indicators (as data), the units' figures and the rolled-up table. */
const asOfDate = (asOf: string | undefined) => (asOf === undefined ? undefined : new Date(asOf));

export function indicatorRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}/indicators',
      tags: ['indicators'],
      summary: '工作方案的指标(目标、方向、预警、一票否决、填报周期和单位)',
      security: bearer,
      request: { params: planIdParam },
      responses: {
        200: jsonResponse(z.object({ items: z.array(IndicatorSchema) }), '指标'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json({ items: await deps.indicators.list(c.get('principal'), c.req.valid('param').planId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}/indicators/table',
      tags: ['indicators'],
      summary: '指标监测表:某一周期各单位的数字逐级汇总(村→乡镇→县),达标、预警、未达标,一票否决,三一致',
      security: bearer,
      request: { params: planIdParam, query: TableQuerySchema },
      responses: {
        200: jsonResponse(IndicatorTableSchema, '指标监测表'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await deps.indicators.table(
          c.get('principal'),
          c.req.valid('param').planId,
          c.req.valid('query').period,
          asOfDate(c.req.valid('query').asOf),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{planId}/indicators/{key}',
      tags: ['indicators'],
      summary: '新建或修改指标(修改须带 expectedVersion);仅办公室',
      security: bearer,
      request: { params: indicatorParams, body: jsonBody(PutIndicatorSchema) },
      responses: {
        200: jsonResponse(IndicatorSchema, '已保存'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { planId, key } = c.req.valid('param');
      return c.json(
        await deps.indicators.put(c.get('principal'), planId, key, c.req.valid('json'), deps.clock()),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{planId}/indicators/{key}/figures/{period}',
      tags: ['indicators'],
      summary:
        '填报本单位某一周期的数字(分子、分母,不填百分比;注明来源和佐证);未达标即发通知,各来源不一致即生成自查整改',
      security: bearer,
      request: { params: figureParams, body: jsonBody(PutFigureSchema) },
      responses: {
        200: jsonResponse(FigureResultSchema, '已填报'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { planId, key, period } = c.req.valid('param');
      return c.json(
        await deps.indicators.putFigure(
          c.get('principal'),
          planId,
          key,
          period,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      );
    },
  );

  return app;
}
