import { createRoute, z } from '@hono/zod-openapi';
import { pageOf, pageQuery, slug } from '../../../shared/schemas/common.js';
import { DutyListQuerySchema, DutySchema, SetTaskMilestonesSchema } from '../../../shared/schemas/duties.js';
import {
  ClosePhaseSchema,
  CreateFindingSchema,
  FindingViewSchema,
  ReopenPhaseSchema,
} from '../../../shared/schemas/findings.js';
import {
  CreatePlanSchema,
  PlanSchema,
  PlanViewSchema,
  PutLightSettingsSchema,
  RecountResultSchema,
} from '../../../shared/schemas/plans.js';
import { PutScoringRulesSchema } from '../../../shared/schemas/scoring.js';
import { CreateTaskSchema, TaskSchema, TaskWithDutiesSchema } from '../../../shared/schemas/tasks.js';
import type { AppDeps } from '../deps.js';
import { idempotent } from '../idempotency.js';
import {
  bearer,
  errors,
  errorsFor,
  idempotencyHeaders,
  jsonBody,
  jsonResponse,
  newRouter,
} from '../router.js';

const planIdParam = z.object({
  planId: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, '工作方案编号格式无效')
    .openapi({ param: { name: 'planId', in: 'path' } }),
});

/** `{planId}/tasks/{taskId}`: one task of the ledger. */
const taskParams = planIdParam.extend({
  taskId: z
    .string()
    .regex(/^[a-z0-9-]{1,140}$/, '任务编号格式无效')
    .openapi({ param: { name: 'taskId', in: 'path' } }),
});

const TaskListQuerySchema = z.strictObject({
  ...pageQuery,
  q: z
    .string()
    .trim()
    .min(1, '搜索词不能为空')
    .max(100, '搜索词最多 100 个字')
    .optional()
    .openapi({ description: '标题包含' }),
  phaseKey: slug('阶段标识').max(40).optional(),
  unitId: slug('单位编号').optional().openapi({ description: '牵头或配合单位' }),
});

/** `{planId}/phases/{key}`: closing and reopening a phase. */
const phaseParams = planIdParam.extend({
  key: slug('阶段标识')
    .max(40)
    .openapi({ param: { name: 'key', in: 'path' } }),
});

export function planRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['plans'],
      summary: '新建工作方案(含阶段)',
      security: bearer,
      request: { headers: idempotencyHeaders, body: jsonBody(CreatePlanSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(PlanSchema, '已创建'),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        409: errors[409],
      },
    }),
    async (c) => c.json(await deps.plans.create(c.get('principal'), c.req.valid('json'), deps.clock()), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['plans'],
      summary: '工作方案列表(最新在前)',
      security: bearer,
      request: { query: z.strictObject(pageQuery) },
      responses: {
        200: jsonResponse(pageOf(PlanSchema, 'PlanPage'), '工作方案列表'),
        400: errors[400],
        401: errors[401],
      },
    }),
    async (c) => c.json(await deps.plans.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}',
      tags: ['plans'],
      summary: '查看工作方案:当前阶段与各状态任务数(按阶段、按单位)',
      security: bearer,
      request: { params: planIdParam },
      responses: {
        200: jsonResponse(PlanViewSchema, '工作方案'),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) =>
      c.json(await deps.plans.view(c.get('principal'), c.req.valid('param').planId, deps.clock()), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/tasks',
      tags: ['tasks'],
      summary: '新建任务并分解到牵头单位和配合单位(每个单位一条任务)',
      security: bearer,
      request: { headers: idempotencyHeaders, params: planIdParam, body: jsonBody(CreateTaskSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(TaskWithDutiesSchema, '已创建,含各单位的任务'),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
      },
    }),
    async (c) => {
      const task = await deps.plans.createTask(
        c.get('principal'),
        c.req.valid('param').planId,
        c.req.valid('json'),
        deps.clock(),
      );
      return c.json(task, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}/tasks',
      tags: ['tasks'],
      summary: '工作方案的任务',
      security: bearer,
      description:
        'q、phaseKey、unitId 在同一次查询中筛选(标题包含、阶段、牵头或配合单位);筛选后的一页可能少于 limit 条而仍有下一页。',
      request: { params: planIdParam, query: TaskListQuerySchema },
      responses: {
        200: jsonResponse(pageOf(TaskSchema, 'TaskPage'), '任务列表'),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      const { limit, cursor, q, phaseKey, unitId } = c.req.valid('query');
      return c.json(
        await deps.plans.listTasks(
          c.get('principal'),
          c.req.valid('param').planId,
          { limit, cursor },
          { q, phaseKey, unitId },
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}/tasks/{taskId}',
      tags: ['tasks'],
      summary: '一项任务及其各单位任务(任务台账)',
      description: '领导小组办公室和领导可查看;周期任务列出已生成的各期。',
      security: bearer,
      request: { params: taskParams },
      responses: {
        200: jsonResponse(TaskWithDutiesSchema, '任务及各单位任务'),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
      },
    }),
    async (c) => {
      const { planId, taskId } = c.req.valid('param');
      return c.json(await deps.plans.taskWithDuties(c.get('principal'), planId, taskId, deps.clock()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}/duties',
      tags: ['duties'],
      summary: '工作方案下各单位的任务(可按单位、状态、是否逾期筛选)',
      description: '单位用户只能查看本单位:不传 unitId 时即为本单位。overdue=true 表示未提交且已过截止时间。',
      security: bearer,
      request: { params: planIdParam, query: DutyListQuerySchema },
      responses: {
        200: jsonResponse(pageOf(DutySchema, 'DutyPage'), '任务列表'),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
      },
    }),
    async (c) => {
      const { unitId, status, overdue, limit, cursor } = c.req.valid('query');
      const page = await deps.duties.listForPlan(
        c.get('principal'),
        c.req.valid('param').planId,
        { unitId, status, overdue: overdue === undefined ? undefined : overdue === 'true' },
        { limit, cursor },
        deps.clock(),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/phases/{key}/close',
      tags: ['plans'],
      summary: '关闭阶段(须全部办结;或写明理由并列出未办结任务)',
      security: bearer,
      request: {
        params: phaseParams,
        body: jsonBody(ClosePhaseSchema),
      },
      responses: {
        200: jsonResponse(PlanSchema, '已关闭'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { planId, key } = c.req.valid('param');
      return c.json(
        await deps.supervision.closePhase(c.get('principal'), planId, key, c.req.valid('json'), deps.clock()),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/phases/{key}/reopen',
      tags: ['plans'],
      summary: '重新开放已关闭的阶段(须写明理由)',
      description: '阶段关闭后不能再新增任务或督查发现问题(409 phase_closed),直到办公室重新开放;记入审计。',
      security: bearer,
      request: {
        params: phaseParams,
        body: jsonBody(ReopenPhaseSchema),
      },
      responses: {
        200: jsonResponse(PlanSchema, '已重新开放'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { planId, key } = c.req.valid('param');
      return c.json(
        await deps.supervision.reopenPhase(
          c.get('principal'),
          planId,
          key,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/counters/recount',
      tags: ['plans'],
      summary: '重新核算方案的统计数字(修复用)',
      description:
        '方案总览和各单位进度读取按“单位 × 阶段”累计的统计数字,每次状态变化时在同一事务中更新。本操作逐条读取方案的全部任务重新核算,' +
        '补记尚未计入的新建任务,把不一致之处更正并记入审计(plan.recount),返回更正了哪些;统计无误时 corrections 为空。仅限领导小组办公室。',
      security: bearer,
      request: { params: planIdParam },
      responses: {
        200: jsonResponse(RecountResultSchema, '核算结果'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await deps.counters.recount(c.get('principal'), c.req.valid('param').planId, deps.clock()), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/findings',
      tags: ['findings'],
      summary: '登记督查发现的问题,生成各单位的整改任务',
      security: bearer,
      request: { headers: idempotencyHeaders, params: planIdParam, body: jsonBody(CreateFindingSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(FindingViewSchema, '已登记'),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
      },
    }),
    async (c) =>
      c.json(
        await deps.supervision.createFinding(
          c.get('principal'),
          c.req.valid('param').planId,
          c.req.valid('json'),
          deps.clock(),
        ),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}/findings',
      tags: ['findings'],
      summary: '督查发现问题及整改销号情况',
      description:
        '领导小组办公室和领导看到全部问题;单位用户只看到涉及本单位的问题,其中 unitIds、dutyIds 只含本单位的(问题的办结数、总数和销号状态不变),与督办通报和督查整改页面同一规则。',
      security: bearer,
      request: { params: planIdParam },
      responses: {
        200: jsonResponse(z.object({ items: z.array(FindingViewSchema) }), '问题清单'),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) =>
      c.json(
        { items: await deps.supervision.listFindings(c.get('principal'), c.req.valid('param').planId) },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{planId}/scoring-rules',
      tags: ['plans'],
      summary: '设置量化考评规则',
      description:
        '按时办结加分,逾期工作日、退回整改、各级督办通知、漏报零报告、临期申请延期扣分,各指标达标、预警、未达标的得分;一票否决指标未达标的总评不合格。' +
        '须带方案当前版本号(已被修改时 409);只有领导小组办公室可以设置;记入审计。此后生成的通报按新规则考评,已生成的通报不变。',
      security: bearer,
      request: { params: planIdParam, body: jsonBody(PutScoringRulesSchema) },
      responses: {
        200: jsonResponse(PlanSchema, '已设置'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.plans.setScoringRules(
          c.get('principal'),
          c.req.valid('param').planId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{planId}/light-settings',
      tags: ['plans'],
      summary: '设置亮灯规则的容差和临近截止天数',
      description:
        '黄灯容差(已报进度低于序时进度超过多少个百分点)和蓝灯天数(多少个工作日内截止);各列表、页面和通报都按此亮灯。' +
        '须带方案当前版本号(已被修改时 409);只有领导小组办公室可以设置;记入审计。',
      security: bearer,
      request: { params: planIdParam, body: jsonBody(PutLightSettingsSchema) },
      responses: {
        200: jsonResponse(PlanSchema, '已设置'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.plans.setLightSettings(
          c.get('principal'),
          c.req.valid('param').planId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{planId}/tasks/{taskId}/milestones',
      tags: ['tasks'],
      summary: '为一项任务的各单位任务设置里程碑(序时进度)',
      description:
        '计划进度按日期(如 5月20日 30%),或带日期的步骤(不填进度时按步骤平均);日期递增、不晚于截止日期。' +
        '只有领导小组办公室可以设置;各待办的单位任务立即生效(取代单位待批准的提议),已提交或已办结的不变;逐项记入审计。',
      security: bearer,
      request: { params: taskParams, body: jsonBody(SetTaskMilestonesSchema) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(DutySchema) }), '各单位任务'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { planId, taskId } = c.req.valid('param');
      const items = await deps.progress.setTaskMilestones(
        c.get('principal'),
        planId,
        taskId,
        c.req.valid('json'),
        deps.clock(),
      );
      return c.json({ items }, 200);
    },
  );

  return app;
}
