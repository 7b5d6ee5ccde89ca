import { createRoute, z } from '@hono/zod-openapi';
import {
  ApproveExtensionSchema,
  CreateExtensionSchema,
  ExtensionRequestSchema,
  RefuseExtensionSchema,
} from '../../../shared/schemas/extensions.js';
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
  pathId,
} from '../router.js';

const requestParams = z.object({
  dutyId: pathId('dutyId', '任务编号'),
  requestId: pathId('requestId', '申请编号'),
});

export function extensionRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/extension-requests',
      tags: ['extensions'],
      summary: '申请延期(须在截止时间之前,写明理由、进展和建议时间)',
      security: bearer,
      request: { headers: idempotencyHeaders, params: dutyIdParam, body: jsonBody(CreateExtensionSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        201: jsonResponse(ExtensionRequestSchema, '已提交申请'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.extensions.request(
          c.get('principal'),
          c.req.valid('param').dutyId,
          c.req.valid('json'),
          deps.clock(),
        ),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{dutyId}/extension-requests',
      tags: ['extensions'],
      summary: '任务的延期申请及审批结果',
      security: bearer,
      request: { params: dutyIdParam },
      responses: {
        200: jsonResponse(z.object({ items: z.array(ExtensionRequestSchema) }), '延期申请'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json({ items: await deps.extensions.list(c.get('principal'), c.req.valid('param').dutyId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/extension-requests/{requestId}/approve',
      tags: ['extensions'],
      summary: '批准延期(可另定截止时间);任务截止时间随之改变,督办按新时间重新计算',
      security: bearer,
      request: { params: requestParams, body: jsonBody(ApproveExtensionSchema) },
      responses: {
        200: jsonResponse(ExtensionRequestSchema, '已批准'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { dutyId, requestId } = c.req.valid('param');
      return c.json(
        await deps.extensions.approve(
          c.get('principal'),
          dutyId,
          requestId,
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
      path: '/{dutyId}/extension-requests/{requestId}/refuse',
      tags: ['extensions'],
      summary: '不予延期(写明理由);任务不变',
      security: bearer,
      request: { params: requestParams, body: jsonBody(RefuseExtensionSchema) },
      responses: {
        200: jsonResponse(ExtensionRequestSchema, '已驳回'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { dutyId, requestId } = c.req.valid('param');
      return c.json(
        await deps.extensions.refuse(
          c.get('principal'),
          dutyId,
          requestId,
          c.req.valid('json').reason,
          deps.clock(),
        ),
        200,
      );
    },
  );

  return app;
}
