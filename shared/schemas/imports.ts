import { z } from './common.js';

const UnitRefSchema = z.object({ id: z.string(), name: z.string() });

export const RowProblemSchema = z
  .object({
    row: z.number().int().openapi({ description: '表格中的行号(从 1 起)' }),
    column: z
      .string()
      .nullable()
      .openapi({ description: '表格中的列字母(A、B…);整行或整个文件的问题为 null' }),
    field: z.enum(['seq', 'title', 'lead', 'co', 'due', 'phase', 'kind', 'note', 'row']),
    message: z
      .string()
      .openapi({ example: '第 5 行 C 列(责任单位):单位目录中没有“县教育局”;最接近的单位:县教育体育局' }),
    closest: z
      .array(UnitRefSchema)
      .optional()
      .openapi({ description: '单位不存在或不唯一时,目录中最接近的单位' }),
  })
  .openapi('ImportRowProblem');

export const ImportRowSchema = z
  .object({
    row: z.number().int(),
    taskId: z
      .string()
      .openapi({ description: '导入后任务的编号:由方案、文件 SHA-256 和行号决定,重复导入不会重复创建' }),
    seq: z.string(),
    title: z.string(),
    lead: z.object({ text: z.string(), units: z.array(UnitRefSchema) }),
    co: z.object({ text: z.string(), units: z.array(UnitRefSchema) }),
    deadline: z.object({
      text: z.string().openapi({ description: '表格中的原文', example: '5月底前' }),
      reading: z
        .string()
        .nullable()
        .openapi({ description: '识别结果;无法识别时为 null', example: '2023-05-31 当天结束前' }),
    }),
    phase: z.object({ text: z.string(), key: z.string().nullable(), name: z.string().nullable() }),
    kind: z.enum(['task', 'report', 'self-check']),
    note: z.string(),
    problems: z.array(RowProblemSchema),
  })
  .openapi('ImportRow');

export const ImportPreviewSchema = z
  .object({
    planId: z.string(),
    sha256: z.string().openapi({ description: '文件的 SHA-256(十六进制)' }),
    format: z.enum(['xlsx', 'csv']),
    sheetName: z.string().nullable(),
    encoding: z.string().nullable().openapi({ description: 'CSV 的编码:utf-8 或 gbk' }),
    notices: z.array(z.string()).openapi({ description: '提示,如已忽略隐藏的工作表' }),
    headerRow: z.number().int().nullable(),
    columns: z
      .record(z.string(), z.string())
      .openapi({ description: '各列所在的列字母,如 {"title":"B","lead":"C"}' }),
    rows: z.array(ImportRowSchema),
    skipped: z
      .array(z.object({ row: z.number().int(), text: z.string() }))
      .openapi({ description: '作为分组标题跳过的行(如“一、部署发动阶段”,其下各行归入该阶段)' }),
    problems: z.array(RowProblemSchema).openapi({ description: '全部错误;有任何错误时不能导入' }),
    committedBefore: z.boolean().openapi({ description: '此文件已导入过本方案(再次导入不会新建任务)' }),
  })
  .openapi('ImportPreview');

export const ImportResultSchema = ImportPreviewSchema.extend({
  created: z.number().int().openapi({ description: '本次新建的任务数' }),
  existing: z.number().int().openapi({ description: '此前已导入、本次未重复创建的任务数' }),
  tasks: z.array(z.object({ row: z.number().int(), taskId: z.string(), created: z.boolean() })),
}).openapi('ImportResult');

export const ImportQuerySchema = z.strictObject({
  mode: z
    .enum(['preview', 'commit'], { error: 'mode 应为 preview 或 commit' })
    .default('preview')
    .openapi({ description: 'preview 只检查不写入;commit 无错误时创建全部任务' }),
  fileName: z
    .string()
    .max(200, '文件名最多 200 字')
    .optional()
    .openapi({ description: '原文件名(记入审计)' }),
});
