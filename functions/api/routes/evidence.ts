import { createRoute, z } from '@hono/zod-openapi';
import {
  CreateEvidenceUploadSchema,
  EVIDENCE_LIMITS_TEXT,
  EvidenceDownloadSchema,
  EvidenceUploadSchema,
} from '../../../shared/schemas/evidence.js';
import { evidenceKeyOf } from '../../../shared/services/evidence-service.js';
import type { AppDeps } from '../deps.js';
import { bearer, dutyIdParam, errorsFor, jsonBody, jsonResponse, newRouter } from '../router.js';

/** `{dutyId}/{fileName}`: a file's name is the last segment of its key (`duties/<dutyId>/<fileName>`). */
const evidenceFileParams = dutyIdParam.extend({
  fileName: z
    .string()
    .min(1, '文件名格式无效')
    .max(120, '文件名格式无效')
    .openapi({
      param: { name: 'fileName', in: 'path' },
      example: 'f-01hy7k2m3n4p5q6r7s8t-report.pdf',
    }),
});

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

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{dutyId}/evidence-files/{fileName}',
      tags: ['duties'],
      summary: '取得佐证材料的下载地址(有时效)',
      description:
        '凡可查看该任务者(责任单位及其上级单位、领导小组办公室、领导)可下载其佐证材料:fileName 为文件标识 fileKey ' +
        '的最后一段。返回约 5 分钟内有效的 downloadUrl,用 GET 打开即下载(以提交时的名称命名)。任务不存在、文件不属于' +
        '该任务或并未上传:404;无权查看该任务:403。',
      security: bearer,
      request: { params: evidenceFileParams },
      responses: {
        200: jsonResponse(EvidenceDownloadSchema, '下载地址'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { dutyId, fileName } = c.req.valid('param');
      return c.json(
        await deps.evidence.createDownload(
          c.get('principal'),
          dutyId,
          evidenceKeyOf(dutyId, fileName),
          deps.clock(),
        ),
        200,
      );
    },
  );

  return app;
}
