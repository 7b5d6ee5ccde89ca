import { createRoute } from '@hono/zod-openapi';
import {
  CreateEvidenceUploadSchema,
  EVIDENCE_LIMITS_TEXT,
  EvidenceUploadSchema,
} from '../../../shared/schemas/evidence.js';
import type { AppDeps } from '../app.js';
import { bearer, dutyIdParam, errorsFor, jsonBody, jsonResponse, newRouter } from '../router.js';

/** Evidence files of a duty; mounted at /v1/duties beside the duty routes. */
export function evidenceRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{dutyId}/evidence-uploads',
      tags: ['duties'],
      summary: '申请上传佐证材料(取得有时效的上传地址)',
      description:
        `待办任务的责任单位(或领导小组办公室)申请上传一个文件:用返回的 method 和 headers,把文件原样 PUT 到 uploadUrl,` +
        `须在 expiresAt 之前、恰好 size 字节;成功后在提交办结的 evidence 中写 {title, ref: fileKey}。` +
        `限制:${EVIDENCE_LIMITS_TEXT}违反任一限制返回 400,details.fields 指明字段;任务不存在 404;` +
        `非本单位 403;任务不是待办(已提交、已办结)409。`,
      security: bearer,
      request: { params: dutyIdParam, body: jsonBody(CreateEvidenceUploadSchema) },
      responses: {
        201: jsonResponse(EvidenceUploadSchema, '上传地址'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await deps.evidence.createUpload(
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
