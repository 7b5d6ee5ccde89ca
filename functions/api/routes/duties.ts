import { createRoute } from '@hono/zod-openapi';
import { AuditEventSchema, HistoryQuerySchema } from '../../../shared/schemas/audit.js';
import { pageOf } from '../../../shared/schemas/common.js';
import {
  AcceptDutySchema,
  ConfirmDutySchema,
  DutySchema,
  ReturnDutySchema,
  SubmitDutySchema,
} from '../../../shared/schemas/duties.js';
import { NoticeSchema, RemindSchema } from '../../../shared/schemas/notices.js';
import type { AppDeps } from '../deps.js';
import { idempotent } from '../idempotency.js';
import {
  bearer,
  dutyIdParam,
  errorsFor,
  idempotencyHeaders,
  jsonBody,
  jsonResponse,
  newRouter,
} from '../router.js';

export function dutyRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{dutyId}',
      tags: ['duties'],
      summary: '查看一条任务',
      security: bearer,
      request: { params: dutyIdParam },
      responses: {
        200: jsonResponse(DutySchema, '任务'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await deps.duties.get(c.get('principal'), c.req.valid('param').dutyId, deps.clock()), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{dutyId}/history',
      tags: ['audit'],
      summary: '任务的变更记录(谁、何时、变更前后)',
      security: bearer,
      request: { params: dutyIdParam, query: HistoryQuerySchema },
      responses: {
        200: jsonResponse(pageOf(AuditEventSchema, 'AuditPage'), '变更记录,按时间先后'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await deps.audit.dutyHistory(c.get('principal'), c.req.valid('param').dutyId, c.req.valid('query')),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/submit',
      tags: ['duties'],
      summary: '提交办结(附说明和佐证资料)',
      description: '只有待办状态的任务可以提交;已提交或已办结的返回 409。给出 version 时必须等于当前版本。',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(SubmitDutySchema) },
      responses: {
        200: jsonResponse(DutySchema, '已提交'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const duty = await deps.duties.submit(
        c.get('principal'),
        c.req.valid('param').dutyId,
        c.req.valid('json'),
        deps.clock(),
        c.get('admission'),
      );
      return c.json(duty, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/accept',
      tags: ['duties'],
      summary: '审核通过,办结',
      description: '只有已提交的任务可以办结;其他状态返回 409。',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(AcceptDutySchema) },
      responses: {
        200: jsonResponse(DutySchema, '已办结'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.duties.accept(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/confirm',
      tags: ['duties'],
      summary: '上级单位确认(逐级签字确认:村→乡镇→局)',
      description: '只有当前等待确认的上级单位可以确认;确认后交下一级,或交办公室审核。任一级可退回。',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(ConfirmDutySchema) },
      responses: {
        200: jsonResponse(DutySchema, '已确认'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.duties.confirm(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/return',
      tags: ['duties'],
      summary: '退回整改(限时整改)',
      description: '已提交的任务退回后重新变为待办,轮次加一,按新的整改期限重新开始督办。',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(ReturnDutySchema) },
      responses: {
        200: jsonResponse(DutySchema, '已退回'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.duties.returnForRework(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/receive',
      tags: ['duties'],
      summary: '签收(责任单位确认收到交办或退回的任务)',
      description:
        '方案要求签收时,交办和退回的任务在责任单位签收前为待签收;只有责任单位可以签收,已签收的再次签收返回原任务。' +
        '提交即视为签收。方案不要求签收时返回 409 receipt_not_required。',
      security: bearer,
      request: { params: dutyIdParam },
      responses: {
        200: jsonResponse(DutySchema, '已签收'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await deps.duties.receive(c.get('principal'), c.req.valid('param').dutyId, deps.clock()), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/reminders',
      tags: ['notices'],
      summary: '催办(办公室或上级单位对待办任务人工催办,可附一句话)',
      description:
        '每按一次写出一条级别为 manual 的通知,发给责任单位,计入报表的各级通知数。重试时带同一个 Idempotency-Key 不会重复催办。' +
        '只有待办(含退回整改)的任务可以催办,其他状态返回 409 duty_not_open。',
      security: bearer,
      request: { headers: idempotencyHeaders, params: dutyIdParam, body: jsonBody(RemindSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(NoticeSchema, '已催办'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.reminders.remind(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
        ),
        201,
      ),
  );

  return app;
}
