import { createRoute, z } from '@hono/zod-openapi';
import { reportCsv } from '../../../shared/export/report-csv.js';
import { attachmentDisposition, reportFileName } from '../../../shared/export/report-table.js';
import { reportXlsx, XLSX_CONTENT_TYPE } from '../../../shared/export/report-xlsx.js';
import { pageOf } from '../../../shared/schemas/common.js';
import {
  CreateReportSchema,
  ReportFormatQuerySchema,
  ReportListQuerySchema,
  ReportSchema,
  ReportSummarySchema,
} from '../../../shared/schemas/reports.js';
import type { AppDeps } from '../deps.js';
import { idempotent } from '../idempotency.js';
import {
  bearer,
  errors,
  idempotencyHeaders,
  jsonBody,
  jsonOrFileResponse,
  jsonResponse,
  newRouter,
} from '../router.js';

const planIdParam = z.object({
  planId: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, '工作方案编号格式无效')
    .openapi({ param: { name: 'planId', in: 'path' } }),
});

const reportIdParam = z.object({
  reportId: z
    .string()
    .regex(/^rpt-[a-z0-9-]{1,100}$/, '通报编号格式无效')
    .openapi({ param: { name: 'reportId', in: 'path' }, example: 'rpt-plan-0abc-2026-w48' }),
});

/** `POST` and `GET /v1/plans/{planId}/reports`: mounted beside the plan routes on the same prefix. */
export function planReportRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/reports',
      tags: ['reports'],
      summary: '生成督办通报(周报或月报),生成后冻结',
      description:
        '按截止时间(默认现在,不能晚于现在)统计各单位任务办理情况、延期申请、督查整改、排名和各阶段进度,保存后不再改变;生成时与通报同一事务写入审计记录(再次请求不重复写)。同一方案同一期(ISO 周或自然月,按方案时区)只生成一次:新生成返回 201,已存在(含并发请求)返回 200 和已有的通报。',
      security: bearer,
      request: { headers: idempotencyHeaders, params: planIdParam, body: jsonBody(CreateReportSchema) },
      middleware: [idempotent(deps.idempotency)] as const,
      responses: {
        200: jsonResponse(ReportSchema, '本期通报已存在,返回已有的'),
        201: jsonResponse(ReportSchema, '已生成'),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
      },
    }),
    async (c) => {
      const { report, created } = await deps.reports.create(
        c.get('principal'),
        c.req.valid('param').planId,
        c.req.valid('json'),
        deps.clock(),
      );
      return created ? c.json(report, 201) : c.json(report, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{planId}/reports',
      tags: ['reports'],
      summary: '工作方案的督办通报(截止时间最新在前)',
      security: bearer,
      request: { params: planIdParam, query: ReportListQuerySchema },
      responses: {
        200: jsonResponse(pageOf(ReportSummarySchema, 'ReportPage'), '通报列表(摘要)'),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) =>
      c.json(
        await deps.reports.list(c.get('principal'), c.req.valid('param').planId, c.req.valid('query')),
        200,
      ),
  );

  return app;
}

/** `GET /v1/reports/{reportId}` as JSON, CSV or an Excel workbook. */
export function reportRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{reportId}',
      tags: ['reports'],
      summary: '查看或下载督办通报(JSON、CSV、Excel)',
      description:
        '领导小组办公室和领导看到全部明细;单位用户看到所有单位的排名(名次、名称、办结率、按时办结率)和本单位的明细;合计、摘要、各阶段和逾期清单都只按本单位的任务计算。各单位明细含延期申请(已提出、本期提出、批准、驳回、待审批)和其中的整改任务数;督查整改单列(每个问题的来源、责任单位、整改期限、是否销号),单位用户只看到涉及本单位的问题。format=csv 为排名汇总表,其后空一行为督查整改表(UTF-8 带 BOM);签收情况(方案要求签收时:各单位未签收、超时签收和平均签收用时)在 JSON 的 receipts、CSV 的督查整改表之后和 Excel 的“签收情况”工作表中。format=xlsx 含排名汇总、各阶段、逾期未办、督查整改和说明工作表。',
      security: bearer,
      request: { params: reportIdParam, query: ReportFormatQuerySchema },
      responses: {
        200: jsonOrFileResponse(ReportSchema, '督办通报'),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      const report = await deps.reports.get(c.get('principal'), c.req.valid('param').reportId);
      const { format } = c.req.valid('query');
      if (format === 'json') return c.json(report, 200);
      const fallback = `${report.id}.${format}`;
      if (format === 'csv') {
        return c.body(reportCsv(report), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': attachmentDisposition(reportFileName(report, 'csv'), fallback),
        });
      }
      const workbook = await reportXlsx(report);
      return c.body(workbook, 200, {
        'content-type': XLSX_CONTENT_TYPE,
        'content-disposition': attachmentDisposition(reportFileName(report, 'xlsx'), fallback),
      });
    },
  );

  return app;
}
