import { createRoute } from '@hono/zod-openapi';
import {
  ApproveMilestonesSchema,
  DutySchema,
  ReportProgressSchema,
  SetMilestonesSchema,
} from '../../../shared/schemas/duties.js';
import type { AppDeps } from '../deps.js';
import { bearer, dutyIdParam, errorsFor, jsonBody, jsonResponse, newRouter } from '../router.js';

/** A unit's progress reports on its open duty: the light rule compares them with 序时进度. */
export function progressRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/progress',
      tags: ['duties'],
      summary: '报告待办任务的进度(百分比和说明,可多次报告;与序时进度对照亮灯)',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(ReportProgressSchema) },
      responses: {
        200: jsonResponse(DutySchema, '已记录进度'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.progress.report(
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
      method: 'put',
      path: '/{dutyId}/milestones',
      tags: ['duties'],
      summary: '设置(办公室)或提出(责任单位)待办任务的里程碑',
      description:
        '计划进度按日期,或带日期的步骤(不填进度时按步骤平均);日期递增、不晚于截止日期。' +
        '领导小组办公室设置的立即生效;责任单位提出的待办公室批准(duty.milestoneProposal)。记入审计。',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(SetMilestonesSchema) },
      responses: {
        200: jsonResponse(DutySchema, '已设置或已提出'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.progress.setMilestones(
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
      path: '/{dutyId}/milestones/approve',
      tags: ['duties'],
      summary: '批准责任单位提出的里程碑',
      description: '只有领导小组办公室可以批准;没有待批准的提议时 409 no_milestone_proposal。记入审计。',
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(ApproveMilestonesSchema) },
      responses: {
        200: jsonResponse(DutySchema, '已批准,里程碑生效'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.progress.approveMilestones(
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
