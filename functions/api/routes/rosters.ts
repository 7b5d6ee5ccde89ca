import { createRoute, z } from '@hono/zod-openapi';
import { XLSX_CONTENT_TYPE } from '../../../shared/export/report-xlsx.js';
import { tableFile } from '../../../shared/export/table-file.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from '../../../shared/import/read-table.js';
import {
  CreateSemesterSchema,
  LedgerExportQuerySchema,
  LedgerPageSchema,
  LedgerQuerySchema,
  ListSemestersQuerySchema,
  RosterImportQuerySchema,
  RosterPreviewSchema,
  RosterResultSchema,
  SemesterCreatedSchema,
  SemesterListSchema,
  SemesterSchema,
} from '../../../shared/schemas/rosters.js';
import { authorize } from '../../../shared/services/access.js';
import type { AppDeps } from '../deps.js';
import { bearer, errorResponse, errorsFor, jsonBody, jsonResponse, newRouter, pathId } from '../router.js';
import { fileOf } from './imports.js';

const binary = { schema: z.string().openapi({ format: 'binary' }) };

/** 学期: the office sets it; each school then owes its three rosters two weeks after the start. */
export function semesterRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['rosters'],
      summary: '设置学期(开学日期);每所学校生成一项“报送三类花名册”任务',
      description:
        '报送期限为开学日期后两周当天结束,按所在工作方案的督办规则提醒、逾期和升级。学校为请求中列出的单位,' +
        '不列出时为单位目录中全部在用的学校。任务编号由学期和学校决定:同一学期再次提交只补建缺少的任务(200),' +
        '同一编号而名称、开学日期或方案不同返回 409。',
      security: bearer,
      request: { body: jsonBody(CreateSemesterSchema) },
      responses: {
        200: jsonResponse(SemesterCreatedSchema, '学期已存在(补建缺少的任务)'),
        201: jsonResponse(SemesterCreatedSchema, '已设置'),
        ...errorsFor(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { fresh, ...semester } = await deps.semesters.create(
        c.get('principal'),
        c.req.valid('json'),
        deps.clock(),
      );
      return c.json(semester, fresh ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['rosters'],
      summary: '学期列表(开学日期最近的在前)',
      security: bearer,
      request: { query: ListSemestersQuerySchema },
      responses: { 200: jsonResponse(SemesterListSchema, '学期'), ...errorsFor(400, 401, 403) },
    }),
    async (c) => c.json(await deps.semesters.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{semesterId}',
      tags: ['rosters'],
      summary: '查看学期',
      security: bearer,
      request: { params: z.object({ semesterId: pathId('semesterId', '学期编号') }) },
      responses: { 200: jsonResponse(SemesterSchema, '学期'), ...errorsFor(400, 401, 403, 404) },
    }),
    async (c) => c.json(await deps.semesters.get(c.get('principal'), c.req.valid('param').semesterId), 200),
  );

  return app;
}

/** 三类花名册 and the county ledger of suspected out-of-school children (疑似失学辍学人员台账). */
export function rosterRoutes(deps: AppDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/imports',
      tags: ['rosters'],
      summary: '学校导入三类花名册(预览或报送)',
      description:
        '按中文表头(花名册类别、姓名、学校、年级、班级、居住乡镇、居住村、监护人姓名、监护人电话、学籍号、已核实在外就读,顺序不限)' +
        '每行读一名儿童;花名册类别为无学籍人员、人在籍不在或籍在人不在。mode=preview(默认)返回脱敏的识别结果和逐行逐列的错误,' +
        '不写入任何数据;mode=commit 在没有任何错误时写入全部人员(姓名、监护人、电话、居住村、学籍号加密保存),' +
        '人员编号由学期、学校、文件 SHA-256 和行号决定:同一文件再次导入不会重复写入;报送即提交本校本学期的“报送三类花名册”任务。' +
        '已核实在外就读的人员不计入台账。有错误时 commit 返回 400 import_has_errors,不写入任何数据。',
      security: bearer,
      request: {
        query: RosterImportQuerySchema,
        body: {
          required: true,
          description: `花名册文件本身(.xlsx 或 .csv,UTF-8 或 GBK),或 multipart/form-data 的 file 字段;上限 ${IMPORT_MAX_BYTES / 1024 / 1024} MB、${IMPORT_MAX_ROWS} 行`,
          content: { [XLSX_CONTENT_TYPE]: binary, 'text/csv': binary, 'application/octet-stream': binary },
        },
      },
      responses: {
        200: jsonResponse(RosterPreviewSchema, '预览(未写入)'),
        201: jsonResponse(RosterResultSchema, '已报送'),
        ...errorsFor(400, 401, 403, 404, 409),
        413: errorResponse(`文件过大(上限 ${IMPORT_MAX_BYTES / 1024 / 1024} MB)`),
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { mode, fileName, ...query } = c.req.valid('query');
      // The caller is checked before the file is read: a refused upload is never parsed.
      authorize(principal, 'case.create', query.school ?? principal.unitId ?? '');
      const file = await fileOf(c.req.raw);
      if (mode === 'preview')
        return c.json(await deps.rosters.preview(principal, query, file, deps.clock()), 200);
      return c.json(await deps.rosters.commit(principal, query, file, deps.clock(), fileName ?? null), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/ledger',
      tags: ['rosters'],
      summary: '疑似失学辍学人员台账(脱敏;按乡镇、学校排列,分页)',
      description:
        '教体局(办公室)和领导看全县,可按乡镇或学校筛选;乡镇看本乡镇学校的;学校只看本校的。已核实在外就读的人员不计入。',
      security: bearer,
      request: { query: LedgerQuerySchema },
      responses: { 200: jsonResponse(LedgerPageSchema, '台账(脱敏)'), ...errorsFor(400, 401, 403, 404) },
    }),
    async (c) => {
      const { limit, cursor, ...query } = c.req.valid('query');
      return c.json(await deps.rosters.ledger(c.get('principal'), query, { limit, cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/ledger/export',
      tags: ['rosters'],
      summary: '导出疑似失学辍学人员台账(Excel 或 CSV,中文表头,脱敏;每次导出记入审计)',
      security: bearer,
      request: { query: LedgerExportQuerySchema },
      responses: {
        200: {
          description: '台账文件',
          content: { 'text/csv': { schema: z.string() }, [XLSX_CONTENT_TYPE]: binary },
        },
        ...errorsFor(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { format, ...query } = c.req.valid('query');
      const { table, fileName } = await deps.rosters.exportLedger(c.get('principal'), query, deps.clock());
      const file = await tableFile(table, fileName, format, deps.clock());
      return c.body(file.body, 200, file.headers);
    },
  );

  return app;
}
