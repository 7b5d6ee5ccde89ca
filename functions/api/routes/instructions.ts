import { createRoute, z } from '@hono/zod-openapi';
import {
  CreateInstructionSchema,
  InstructionListSchema,
  InstructionSchema,
} from '../../../shared/schemas/instructions.js';
import type { AppDeps } from '../deps.js';
import { idempotent } from '../idempotency.js';
import {
  bearer,
  dutyIdParam,
  errorsFor,
  IdempotencyKeySchema,
  idempotencyHeaders,
  jsonBody,
  jsonResponse,
  newRouter,
  pathId,
} from '../router.js';

const taskParams = z.object({
  planId: pathId('planId', '工作方案编号'),
  taskId: z
    .string()
    .regex(/^[a-z0-9-]{1,140}$/, '任务编号格式无效')
    .openapi({ param: { name: 'taskId', in: 'path' } }),
});

/** The press's key, which fixes the instruction's id so a retry after a crash finishes it once. */
const keyOf = (header: string | undefined) =>
  header !== undefined && IdempotencyKeySchema.safeParse(header).success ? header : undefined;

const WRITE_DESCRIPTION =
  '领导(或领导小组办公室)批示:内容、批示人、日期。保存并记入任务的变更记录,同时作为 level 为 instruction 的通知' +
  '发给责任单位(领导批示的同时抄送办公室),经推送渠道送出。每提交一次为一条批示;重试时带同一个 Idempotency-Key ' +
  '不会重复批示,也不会重复发通知。单位不能批示(403)。';

/** 领导批示 on a task (`/v1/plans/{planId}/tasks/{taskId}/instructions`) or a duty (`/v1/duties/{dutyId}/instructions`). */
export function instructionRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{planId}/tasks/{taskId}/instructions',
      tags: ['instructions'],
      summary: '对整项任务批示(领导批示)',
      description: `${WRITE_DESCRIPTION} 针对整项任务的批示,每个尚未办结的责任单位各收到一条通知。`,
      security: bearer,
      request: { headers: idempotencyHeaders, params: taskParams, body: jsonBody(CreateInstructionSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(InstructionSchema, '已批示'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { planId, taskId } = c.req.valid('param');
      return c.json(
        await deps.instructions.onTask(
          c.get('principal'),
          planId,
          taskId,
          c.req.valid('json'),
          deps.clock(),
          keyOf(c.req.header('idempotency-key')),
        ),
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/plans/{planId}/tasks/{taskId}/instructions',
      tags: ['instructions'],
      summary: '任务的全部批示(整项任务的和各单位任务的)',
      description: '领导小组办公室和领导可查看;单位在本单位任务的批示中看到。',
      security: bearer,
      request: { params: taskParams },
      responses: {
        200: jsonResponse(InstructionListSchema, '批示,按时间先后'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { planId, taskId } = c.req.valid('param');
      return c.json({ items: await deps.instructions.forTask(c.get('principal'), planId, taskId) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/duties/{dutyId}/instructions',
      tags: ['instructions'],
      summary: '对一个单位的任务批示(领导批示)',
      description: WRITE_DESCRIPTION,
      security: bearer,
      request: { headers: idempotencyHeaders, params: dutyIdParam, body: jsonBody(CreateInstructionSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(InstructionSchema, '已批示'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.instructions.onDuty(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
          keyOf(c.req.header('idempotency-key')),
        ),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/duties/{dutyId}/instructions',
      tags: ['instructions'],
      summary: '一个单位任务的批示(含对整项任务的批示)',
      description: '能查看该任务的(本单位、上级单位、办公室、领导)均可查看。',
      security: bearer,
      request: { params: dutyIdParam },
      responses: {
        200: jsonResponse(InstructionListSchema, '批示,按时间先后'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        { items: await deps.instructions.forDuty(c.get('principal'), c.req.valid('param').dutyId) },
        200,
      ),
  );

  return app;
}
