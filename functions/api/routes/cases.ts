import { createRoute, z } from '@hono/zod-openapi';
import {
  HomeTeachingSetupResultSchema,
  HomeTeachingSetupSchema,
} from '../../../shared/schemas/case-reports.js';
import {
  CaseListItemSchema,
  CaseListSchema,
  CaseSchema,
  CaseStepSchema,
  CreateCaseSchema,
  CreateStepSchema,
  ListCasesQuerySchema,
  RegistryUpdatedSchema,
  ReturnSchema,
} from '../../../shared/schemas/cases.js';
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

const caseIdParam = z.object({ caseId: pathId('caseId', '案例编号') });

/** 控辍保学: a child who stopped coming, followed step by step until back in class. */
export function caseRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['cases'],
      summary: '登记学生无故缺课(控辍保学案例,由学校登记)',
      description:
        '学生姓名、监护人姓名和电话、学籍号、出生年月、居住村加密保存;返回的是列表中的脱敏信息。' +
        '疑似辍学、辍学按工作日历自动计算,不能填写。',
      security: bearer,
      request: { headers: idempotencyHeaders, body: jsonBody(CreateCaseSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(CaseListItemSchema, '已登记(脱敏)'),
        ...errorsFor(400, 401, 403, 409),
      },
    }),
    async (c) => c.json(await deps.cases.create(c.get('principal'), c.req.valid('json'), deps.clock()), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['cases'],
      summary: '控辍保学案例列表(脱敏;学校看本校,乡镇看本乡镇,教体局看全部)',
      description:
        '阶段按今天和工作日历计算(缺课、疑似辍学、辍学、已复学)。未复学的按缺课首日排在前,已复学的在后。' +
        '按特殊群体筛选时,一页可能少于 limit 条,请按 nextCursor 继续。',
      security: bearer,
      request: { query: ListCasesQuerySchema },
      responses: {
        200: jsonResponse(CaseListSchema, '案例(脱敏)'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, cursor, ...filters } = c.req.valid('query');
      return c.json(await deps.cases.list(c.get('principal'), filters, { limit, cursor }, deps.clock()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{caseId}',
      tags: ['cases'],
      summary: '案例全貌(不脱敏;每次查看都记入审计)',
      security: bearer,
      request: { params: caseIdParam },
      responses: {
        200: jsonResponse(CaseSchema, '案例全貌'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await deps.cases.view(c.get('principal'), c.req.valid('param').caseId, deps.clock()), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{caseId}/steps',
      tags: ['cases'],
      summary: '记录劝返复学措施(联系家长、劝返通知书、书面报告、通报乡镇、安排劝返)',
      description:
        '联系家长、发放劝返通知书、书面报告教体局由学校办理;通报乡镇由教体局(办公室)办理;安排劝返由学校所在乡镇或教体局办理。',
      security: bearer,
      request: { params: caseIdParam, body: jsonBody(CreateStepSchema) },
      responses: {
        201: jsonResponse(CaseStepSchema, '已记录'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.cases.addStep(
          c.get('principal'),
          c.req.valid('param').caseId,
          c.req.valid('json'),
          deps.clock(),
        ),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{caseId}/return',
      tags: ['cases'],
      summary: '登记复学(返校日期和证明材料);劝返结束',
      security: bearer,
      request: { params: caseIdParam, body: jsonBody(ReturnSchema) },
      responses: {
        200: jsonResponse(CaseListItemSchema, '已复学(脱敏)'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.cases.recordReturn(
          c.get('principal'),
          c.req.valid('param').caseId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{caseId}/registry-updated',
      tags: ['cases'],
      summary: '确认已在全国学籍系统更新(复学后由学校确认)',
      security: bearer,
      request: { params: caseIdParam, body: jsonBody(RegistryUpdatedSchema) },
      responses: {
        200: jsonResponse(CaseListItemSchema, '已确认(脱敏)'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.cases.confirmRegistry(
          c.get('principal'),
          c.req.valid('param').caseId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{caseId}/home-teaching',
      tags: ['cases'],
      summary: '为送教上门的残疾儿童设置每周送教任务(领导小组办公室)',
      description:
        '学校每周一项定期报告任务(默认每周五 17:00 前),每次送教后提交当期任务记录送教情况;未送教即逾期,按督办规则提醒。重复设置不会重复创建。',
      security: bearer,
      request: { params: caseIdParam, body: jsonBody(HomeTeachingSetupSchema) },
      responses: {
        200: jsonResponse(HomeTeachingSetupResultSchema, '送教任务'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.caseHomeTeaching.setUp(
          c.get('principal'),
          c.req.valid('param').caseId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  return app;
}
