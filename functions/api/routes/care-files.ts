import { createRoute, z } from '@hono/zod-openapi';
import {
  CareFileListItemSchema,
  CareFileListSchema,
  CareFileSchema,
  CarePairSetupResultSchema,
  CareRecordResultSchema,
  CreateCareFileSchema,
  CreateCareRecordSchema,
  ListCareFilesQuerySchema,
  SetUpPairSchema,
} from '../../../shared/schemas/care-files.js';
import type { PairChild } from '../../../shared/services/care-pairs.js';
import type { AppDeps } from '../deps.js';
import { idempotent } from '../idempotency.js';
import {
  bearer,
  errorsFor,
  idempotencyHeaders,
  jsonBody,
  jsonResponse,
  newRouter,
  pathId,
} from '../router.js';

const careFileIdParam = z.object({ careFileId: pathId('careFileId', '关爱档案编号') });

const PAIR_DESCRIPTION =
  '学校每周一项帮扶记录任务(默认每周五 17:00 前)和每月一项家访任务(每月最后一天),每次帮扶或家访后提交当期任务(说明和佐证材料);' +
  '未提交即逾期,按督办规则提醒和升级。同一方案中重复设置不会重复创建。';

/** 留守儿童关爱档案 (一人一案) and 师生结对帮扶, mounted at /v1/care-files. */
export function careFileRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['care-files'],
      summary: '建立留守儿童关爱档案(一人一案,由学校建立)',
      description: '儿童姓名、居住村、监护人姓名和电话加密保存;返回的是列表中的脱敏信息。',
      security: bearer,
      request: { headers: idempotencyHeaders, body: jsonBody(CreateCareFileSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(CareFileListItemSchema, '已建档(脱敏)'),
        ...errorsFor(400, 401, 403, 409),
      },
    }),
    async (c) =>
      c.json(await deps.careFiles.create(c.get('principal'), c.req.valid('json'), deps.clock()), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['care-files'],
      summary: '留守儿童关爱档案列表(脱敏;学校看本校,乡镇看本乡镇,教体局看全部)',
      security: bearer,
      request: { query: ListCareFilesQuerySchema },
      responses: {
        200: jsonResponse(CareFileListSchema, '关爱档案(脱敏)'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, cursor, ...filters } = c.req.valid('query');
      return c.json(await deps.careFiles.list(c.get('principal'), filters, { limit, cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{careFileId}',
      tags: ['care-files'],
      summary: '关爱档案全貌(不脱敏,含帮扶记录和结对;每次查看都记入审计)',
      security: bearer,
      request: { params: careFileIdParam },
      responses: {
        200: jsonResponse(CareFileSchema, '关爱档案全貌'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await deps.careFiles.view(c.get('principal'), c.req.valid('param').careFileId, deps.clock()),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{careFileId}/records',
      tags: ['care-files'],
      summary: '追加帮扶记录(日期、帮扶人、做了什么;由学校记录)',
      description:
        '帮扶内容加密保存;记录只追加,不修改。有师生结对时,帮扶记录同时提交记录日期所在周的结对帮扶记录任务,' +
        '家访同时提交当月的结对家访任务(每期只提交一次,已提交的不重复提交);该期次没有任务时 duty 为 null,记录照常保存。',
      security: bearer,
      request: { params: careFileIdParam, body: jsonBody(CreateCareRecordSchema) },
      responses: {
        201: jsonResponse(CareRecordResultSchema, '已记录(及所提交的结对任务)'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.careFiles.addRecord(
          c.get('principal'),
          c.req.valid('param').careFileId,
          c.req.valid('json'),
          deps.clock(),
        ),
        201,
      ),
  );

  mountPairRoute(app, deps, {
    kind: 'care-file',
    param: 'careFileId',
    label: '关爱档案编号',
    tag: 'care-files',
    summary: '设置师生结对帮扶(领导小组办公室):每周帮扶记录、每月家访',
  });

  return app;
}

/** 师生结对帮扶 of a dropout case's child, mounted at /v1/cases beside the case routes. */
export function casePairRoutes(deps: AppDeps) {
  const app = newRouter();
  mountPairRoute(app, deps, {
    kind: 'case',
    param: 'caseId',
    label: '案例编号',
    tag: 'cases',
    summary: '为控辍保学案例的学生设置师生结对帮扶(领导小组办公室)',
  });
  return app;
}

/** POST /{param}/pairs: 师生结对帮扶 of the child of the care file or case named by the path. */
function mountPairRoute(
  app: ReturnType<typeof newRouter>,
  deps: AppDeps,
  o: { kind: PairChild['kind']; param: string; label: string; tag: string; summary: string },
) {
  app.openapi(
    createRoute({
      method: 'post',
      path: `/{${o.param}}/pairs`,
      tags: [o.tag],
      summary: o.summary,
      description: PAIR_DESCRIPTION,
      security: bearer,
      request: {
        params: z.object({ [o.param]: pathId(o.param, o.label) }),
        body: jsonBody(SetUpPairSchema),
      },
      responses: {
        200: jsonResponse(CarePairSetupResultSchema, '结对及其任务'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.carePairs.setUp(
          c.get('principal'),
          // The path validator requires the param: it is a string here.
          { kind: o.kind, id: c.req.valid('param')[o.param] as string },
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );
}
