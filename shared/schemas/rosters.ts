/**
 * Semesters and the three rosters (三类花名册) each school files within two weeks of the start; the
 * county ledger of suspected out-of-school children (疑似失学辍学人员台账) is read from them.
 */
import { ROSTER_KINDS } from '../domain/dropout/roster-rows.js';
import {
  acrossFields,
  isoDateString,
  isRecord,
  line,
  pageOf,
  pageQuery,
  slug,
  uniqueItems,
  z,
} from './common.js';

export const CreateSemesterSchema = z
  .strictObject({
    id: slug('学期编号').openapi({ example: '2026-autumn' }),
    name: line(1, 30).openapi({ example: '2026秋季学期' }),
    startDate: isoDateString.openapi({ description: '开学日期(花名册报送期限为其后两周)' }),
    endDate: isoDateString.optional().openapi({ description: '学期结束日期' }),
    planId: z.string().min(1).max(64).openapi({ description: '报送任务所在的工作方案(控辍保学)' }),
    phaseKey: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: '报送任务所在的阶段;不填时为开学日期所在的阶段' }),
    schoolUnitIds: z
      .array(slug('学校编号'))
      .max(500)
      .check(uniqueItems('学校不能重复'))
      .optional()
      .openapi({ description: '报送的学校;不填时为单位目录中全部在用的学校' }),
  })
  .check(
    acrossFields(isRecord, (v) =>
      typeof v.endDate === 'string' && typeof v.startDate === 'string' && v.endDate <= v.startDate
        ? [{ field: 'endDate', message: '学期结束日期应晚于开学日期' }]
        : [],
    ),
  )
  .openapi('CreateSemester');

export const SemesterSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    startDate: z.string(),
    endDate: z.string().nullable(),
    planId: z.string(),
    phaseKey: z.string(),
    rosterDueAt: z.string().openapi({ description: '三类花名册报送期限(开学后两周当天结束)' }),
    schoolUnitIds: z.array(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('Semester');

export const SemesterCreatedSchema = SemesterSchema.extend({
  duties: z
    .array(z.object({ unitId: z.string(), taskId: z.string(), created: z.boolean() }))
    .openapi({ description: '每所学校一项“报送三类花名册”任务;重复提交不会重复创建' }),
}).openapi('SemesterCreated');

export const SemesterListSchema = pageOf(SemesterSchema, 'SemesterList');
export const ListSemestersQuerySchema = z.strictObject({ ...pageQuery });

const kindField = z.enum(ROSTER_KINDS).openapi({
  description: 'no-registry 无学籍人员, present-not-registered 人在籍不在, registered-not-present 籍在人不在',
});

export const RosterImportQuerySchema = z.strictObject({
  semester: slug('学期编号'),
  school: slug('学校编号').optional().openapi({ description: '报送学校;学校用户不填即本校' }),
  mode: z
    .enum(['preview', 'commit'], { error: 'mode 应为 preview 或 commit' })
    .default('preview')
    .openapi({ description: 'preview 只检查不写入;commit 无错误时写入全部人员' }),
  fileName: z
    .string()
    .max(200, '文件名最多 200 字')
    .optional()
    .openapi({ description: '原文件名(记入审计)' }),
});

const RosterProblemSchema = z
  .object({
    row: z.number().int(),
    column: z.string().nullable().openapi({ description: '列字母(A、B…);整行或整个文件的问题为 null' }),
    field: z.string(),
    message: z
      .string()
      .openapi({ example: '第 3 行 F 列(监护人电话):“1381234”应为 11 位手机号或带区号的固定电话' }),
  })
  .openapi('RosterRowProblem');

/** A child in a list, preview or ledger: nothing identifying whole (张*明, 138****5678). */
export const RosterEntrySchema = z
  .object({
    id: z.string(),
    row: z.number().int(),
    kind: kindField,
    kindLabel: z.string(),
    childNameMasked: z.string(),
    guardianNameMasked: z.string(),
    guardianPhoneMasked: z.string(),
    registryNumberMasked: z.string().nullable(),
    grade: z.string(),
    className: z.string(),
    residenceTownship: z.string(),
    verifiedElsewhere: z.boolean().openapi({ description: '已核实在外就读(不计入台账)' }),
    schoolUnitId: z.string(),
    townshipUnitId: z.string().nullable(),
  })
  .openapi('RosterEntry');

export const RosterPreviewSchema = z
  .object({
    semesterId: z.string(),
    schoolUnitId: z.string(),
    sha256: z.string(),
    format: z.enum(['xlsx', 'csv']),
    sheetName: z.string().nullable(),
    encoding: z.string().nullable(),
    notices: z.array(z.string()),
    headerRow: z.number().int().nullable(),
    columns: z.record(z.string(), z.string()),
    entries: z.array(RosterEntrySchema).openapi({ description: '可以导入的行(脱敏)' }),
    counts: z
      .record(z.string(), z.number().int())
      .openapi({ description: '各类花名册人数(不含已核实在外就读)' }),
    problems: z.array(RosterProblemSchema).openapi({ description: '全部错误;有任何错误时不能导入' }),
    committedBefore: z.boolean().openapi({ description: '此文件已报送过(再次导入不会重复写入)' }),
  })
  .openapi('RosterPreview');

export const RosterResultSchema = RosterPreviewSchema.extend({
  written: z.number().int().openapi({ description: '本次新写入的人数' }),
  replaced: z
    .number()
    .int()
    .openapi({ description: '被本文件替换而删除的此前报送的人数(本文件包含的花名册类别,以最新报送的为准)' }),
  dutyId: z.string().nullable().openapi({ description: '本校本学期“报送三类花名册”任务(报送即提交)' }),
}).openapi('RosterResult');

export const LedgerQuerySchema = z.strictObject({
  semester: slug('学期编号'),
  township: slug('乡镇编号').optional(),
  school: slug('学校编号').optional(),
  ...pageQuery,
});

export const LedgerExportQuerySchema = z.strictObject({
  semester: slug('学期编号'),
  township: slug('乡镇编号').optional(),
  school: slug('学校编号').optional(),
  format: z.enum(['csv', 'xlsx'], { error: 'format 应为 csv 或 xlsx' }).default('xlsx'),
});

export const LedgerPageSchema = pageOf(RosterEntrySchema, 'RosterLedgerPage');

export type CreateSemesterInput = z.infer<typeof CreateSemesterSchema>;
export type Semester = z.infer<typeof SemesterSchema>;
export type SemesterCreated = z.infer<typeof SemesterCreatedSchema>;
export type RosterEntry = z.infer<typeof RosterEntrySchema>;
export type RosterPreview = z.infer<typeof RosterPreviewSchema>;
export type RosterResult = z.infer<typeof RosterResultSchema>;
export type LedgerQuery = z.infer<typeof LedgerQuerySchema>;
