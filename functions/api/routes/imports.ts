import { createRoute, z } from '@hono/zod-openapi';
import { ValidationError } from '../../../shared/errors.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from '../../../shared/import/read-table.js';
import { importTemplate } from '../../../shared/import/template.js';
import {
  ImportPreviewSchema,
  ImportQuerySchema,
  ImportResultSchema,
} from '../../../shared/schemas/imports.js';
import { authorize } from '../../../shared/services/access.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorResponse, errorsFor, jsonResponse, newRouter, pathId } from '../router.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const planIdParam = z.object({ planId: pathId('planId', '工作方案编号') });
const fileBody = {
  required: true,
  description: `任务分解表文件本身(.xlsx 或 .csv,UTF-8 或 GBK),作为请求体原样发送,或以 multipart/form-data 的 file 字段上传;上限 ${IMPORT_MAX_BYTES / 1024 / 1024} MB、${IMPORT_MAX_ROWS} 行`,
  content: {
    [XLSX]: { schema: z.string().openapi({ format: 'binary' }) },
    'text/csv': { schema: z.string().openapi({ format: 'binary' }) },
    'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
  },
};

/** The file of a request: the body itself, or a form's `file` field. */
export async function fileOf(req: Request): Promise<Uint8Array> {
  const type = req.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await req.formData().catch(() => undefined);
    const file = form?.get('file');
    if (file === undefined || file === null || typeof file === 'string') {
      throw new ValidationError('请选择要导入的文件', [{ field: 'file', message: '请选择要导入的文件' }]);
    }
    return new Uint8Array(await file.arrayBuffer());
  }
  return new Uint8Array(await req.arrayBuffer());
}

/** Importing an office's task table into a plan; mounted at /v1 beside the plan routes. */
export function importRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{planId}/imports',
      tags: ['tasks'],
      summary: '导入任务分解表(预览或导入)',
      description:
        '按中文表头(序号、工作任务/任务内容/重点工作、责任单位/牵头单位、配合单位/协办单位、完成时限/时间要求、阶段、类型、备注,' +
        '顺序不限)读取每行一个任务;单位按名称或别名匹配,完成时限按方案时区和年份识别(如 5月底前、每周五上午、长期坚持)。' +
        'mode=preview(默认)返回每行的识别结果和逐行逐列的错误,不写入任何数据;mode=commit 在没有任何错误时创建全部任务及其' +
        '单位任务,每个任务一个事务,任务编号由方案、文件 SHA-256 和行号决定:同一文件再次导入、或中断后重试,每个任务只建一次;' +
        '导入连同文件的 SHA-256 记入审计。有错误时 commit 返回 400 import_has_errors,不写入任何数据。',
      security: bearer,
      request: { params: planIdParam, query: ImportQuerySchema, body: fileBody },
      responses: {
        200: jsonResponse(ImportPreviewSchema, '预览(未写入)'),
        201: jsonResponse(ImportResultSchema, '已导入'),
        ...errorsFor(400, 401, 403, 404, 409),
        413: errorResponse(`文件过大(上限 ${IMPORT_MAX_BYTES / 1024 / 1024} MB)`),
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      // The role is checked before the file is read: a refused caller's upload is never parsed.
      authorize(principal, 'task.create');
      const { planId } = c.req.valid('param');
      const { mode, fileName } = c.req.valid('query');
      const file = await fileOf(c.req.raw);
      if (mode === 'preview')
        return c.json(await deps.imports.preview(principal, planId, file, deps.clock()), 200);
      return c.json(await deps.imports.commit(principal, planId, file, deps.clock(), fileName ?? null), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/imports/template.xlsx',
      tags: ['tasks'],
      summary: '下载任务分解表模板(.xlsx)',
      security: bearer,
      responses: {
        200: {
          description: '模板:表头、示例行和填写说明',
          content: { [XLSX]: { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...errorsFor(401),
      },
    }),
    async (c) => {
      const body = await importTemplate();
      return c.body(body as Uint8Array<ArrayBuffer>, 200, {
        'content-type': XLSX,
        'content-disposition': `attachment; filename="template.xlsx"; filename*=UTF-8''${encodeURIComponent('任务分解表模板.xlsx')}`,
      });
    },
  );

  return app;
}
