import { createRoute, z } from '@hono/zod-openapi';
import {
  CaseLedgerSchema,
  CaseSettingsViewSchema,
  CreateLedgerReportSchema,
  LedgerQuerySchema,
  LedgerReportFormatQuerySchema,
  LedgerReportSchema,
  LedgerReportSummarySchema,
  PutCaseSettingsSchema,
} from '../../../shared/schemas/case-reports.js';
import { pageOf } from '../../../shared/schemas/common.js';
import { ReportListQuerySchema } from '../../../shared/schemas/reports.js';
import { LEDGER_REPORT_ID } from '../../../shared/services/case-ledger-reports.js';
import type { AppDeps } from '../deps.js';
import {
  bearer,
  errors,
  errorsFor,
  jsonBody,
  jsonOrFileResponse,
  jsonResponse,
  newRouter,
} from '../router.js';

/** 控辍保学台账 (the county ledger and its export), read by the bureau, leaders and townships. */
export function caseLedgerRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['cases'],
      summary: '疑似失学辍学人员台账(按乡镇、学校;亮灯;可下载 Excel、CSV)',
      description:
        '未复学的案例:缺课工作日数(官方工作日历)、当前劝返步骤及是否逾期、亮灯(红:辍学或逾期;蓝:期限临近;黄:疑似辍学尚未劝返;绿:正常);' +
        '本学期复学人数。姓名已脱敏。教体局和领导看全县(可按乡镇),乡镇看本乡镇;学校和其他单位 403。下载(format=csv、xlsx)记入审计。',
      security: bearer,
      request: { query: LedgerQuerySchema },
      responses: {
        200: jsonOrFileResponse(CaseLedgerSchema, '台账'),
        400: errors[400],
        401: errors[401],
        403: errors[403],
      },
    }),
    async (c) => {
      const { format, ...query } = c.req.valid('query');
      const now = deps.clock();
      if (format === 'json') {
        const { itemsRead: _read, ...ledger } = await deps.caseLedger.read(c.get('principal'), query, now);
        return c.json(ledger, 200);
      }
      const file = await deps.caseLedger.download(c.get('principal'), query, format, now);
      return c.body(file.body, 200, file.headers);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/reports',
      tags: ['cases'],
      summary: '生成台账快照(截止日期的疑似失学辍学人员台账,生成后冻结)',
      description:
        '领导小组办公室按截止日期(默认今天,不能晚于今天)生成全县台账快照:未复学案例按乡镇、学校,缺课工作日数、当前步骤及是否逾期、本学期复学、亮灯、特殊群体人数,姓名脱敏。' +
        '同一截止日期只生成一次:新生成 201,已有(含并发请求)200 返回已有的快照;生成与审计记录在同一事务中写入。',
      security: bearer,
      request: { body: jsonBody(CreateLedgerReportSchema) },
      responses: {
        200: jsonResponse(LedgerReportSchema, '该日期的快照已存在,返回已有的'),
        201: jsonResponse(LedgerReportSchema, '已生成'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) => {
      const { report, created } = await deps.caseLedgerReports.create(
        c.get('principal'),
        c.req.valid('json'),
        deps.clock(),
      );
      return created ? c.json(report, 201) : c.json(report, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports',
      tags: ['cases'],
      summary: '台账快照列表(截止日期最新在前)',
      security: bearer,
      request: { query: ReportListQuerySchema },
      responses: {
        200: jsonResponse(pageOf(LedgerReportSummarySchema, 'CaseLedgerReportPage'), '快照摘要'),
        ...errorsFor(400, 401, 403),
      },
    }),
    async (c) => c.json(await deps.caseLedgerReports.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/{reportId}',
      tags: ['cases'],
      summary: '查看或下载台账快照(JSON、CSV、Excel)',
      description:
        '教体局(领导小组办公室)和领导可看;format=csv、xlsx 为机关常用格式:标题行、中文表头、姓名脱敏、不含内部编号;每次下载记入审计(case.export)。',
      security: bearer,
      request: { params: ledgerReportIdParam, query: LedgerReportFormatQuerySchema },
      responses: {
        200: jsonOrFileResponse(LedgerReportSchema, '台账快照'),
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { reportId } = c.req.valid('param');
      const { format } = c.req.valid('query');
      if (format === 'json')
        return c.json(await deps.caseLedgerReports.get(c.get('principal'), reportId), 200);
      const file = await deps.caseLedgerReports.download(c.get('principal'), reportId, format, deps.clock());
      return c.body(file.body, 200, file.headers);
    },
  );

  return app;
}

const ledgerReportIdParam = z.object({
  reportId: z
    .string()
    .regex(LEDGER_REPORT_ID, '台账快照编号格式无效')
    .openapi({ param: { name: 'reportId', in: 'path' }, example: 'ledger-2025-10-09' }),
});

/** The office's 控辍保学 settings: step deadlines and the retention period. */
export function caseSettingsRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['cases'],
      summary: '控辍保学设置(各劝返步骤期限、身份信息保存期限)',
      security: bearer,
      responses: { 200: jsonResponse(CaseSettingsViewSchema, '当前设置'), ...errorsFor(401, 403) },
    }),
    async (c) => c.json(await deps.caseSettings.get(c.get('principal')), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/',
      tags: ['cases'],
      summary: '修改控辍保学设置(领导小组办公室;记入审计)',
      description:
        '期限按工作日计;修改后按新期限计算各案例的下一步期限和逾期。已复学案例的身份信息在保存期满后由巡检删除,保留匿名统计。',
      security: bearer,
      request: { body: jsonBody(PutCaseSettingsSchema) },
      responses: { 200: jsonResponse(CaseSettingsViewSchema, '已保存'), ...errorsFor(400, 401, 403, 409) },
    }),
    async (c) =>
      c.json(await deps.caseSettings.put(c.get('principal'), c.req.valid('json'), deps.clock()), 200),
  );

  return app;
}
