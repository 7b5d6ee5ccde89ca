/**
 * 控辍保学 reports and settings: the weekly form (周报表) each school files, generated from its
 * cases; the county ledger (台账); the office's step deadlines and retention period.
 */
import { isoDateString, slug, uniqueItems, z } from './common.js';
import { DutySchema } from './duties.js';

export const WeeklyFormSetupSchema = z
  .strictObject({
    planId: slug('方案编号'),
    phaseKey: slug('阶段标识').max(40),
    schoolUnitIds: z
      .array(slug('学校编号'))
      .min(1, '至少选择一所学校')
      .max(500)
      .check(uniqueItems('学校不能重复'))
      .openapi({ description: '中心校、局直学校、民办学校,每校一项每周报表任务' }),
    weekday: z.number().int().min(1).max(7).default(5).openapi({ description: '截止星期几,默认周五' }),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
      .default('12:00')
      .openapi({ description: '截止时间,默认 12:00(周五中午前)' }),
  })
  .openapi('CaseWeeklyFormSetup');

export const WeeklyFormSetupResultSchema = z
  .object({
    tasks: z.array(
      z.object({ unitId: z.string(), taskId: z.string(), created: z.boolean(), duties: z.number().int() }),
    ),
    created: z.number().int(),
    existing: z.number().int(),
  })
  .openapi('CaseWeeklyFormSetupResult');

const FormCountSchema = z.object({
  total: z.number().int(),
  registeredPoor: z.number().int().openapi({ description: '其中建档立卡脱贫户' }),
  monitored: z.number().int().openapi({ description: '其中监测对象' }),
  disabled: z.number().int().openapi({ description: '其中残疾儿童' }),
});

export const WeeklyFormSchema = z
  .object({
    dutyId: z.string(),
    schoolUnitId: z.string(),
    week: z.object({ start: z.string(), end: z.string(), label: z.string() }),
    asOf: z.string().openapi({ description: '统计截至日期' }),
    figures: z.object({
      newSuspected: FormCountSchema.openapi({ description: '新增疑似辍学' }),
      newDropouts: FormCountSchema.openapi({ description: '新认定辍学' }),
      returned: FormCountSchema.openapi({ description: '复学' }),
      inPersuasion: FormCountSchema.openapi({ description: '劝返中' }),
    }),
    zeroReport: z.boolean().openapi({ description: '各项均为 0:零报告' }),
    text: z.string().openapi({ description: '报送时作为任务办理说明的周报表文字' }),
  })
  .openapi('CaseWeeklyForm');

export const FileWeeklyFormSchema = z
  .strictObject({
    zeroReport: z
      .boolean()
      .default(false)
      .openapi({ description: '零报告(一键):仅当由案例生成的各项均为 0 时可用,否则 409' }),
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于任务当前版本' }),
  })
  .openapi('FileCaseWeeklyForm');

export const FiledWeeklyFormSchema = z
  .object({ form: WeeklyFormSchema, duty: DutySchema })
  .openapi('FiledCaseWeeklyForm');

const STEP_DEADLINE = z
  .number()
  .int('期限应为整数个工作日')
  .min(1, '期限应为 1 至 60 个工作日')
  .max(60, '期限应为 1 至 60 个工作日');

export const PutCaseSettingsSchema = z
  .strictObject({
    stepDeadlines: z
      .strictObject({
        contact: STEP_DEADLINE.openapi({ description: '联系家长和学生劝返:疑似辍学后几个工作日内' }),
        notice: STEP_DEADLINE.openapi({ description: '发放劝返通知书:上一步后几个工作日内' }),
        'report-bureau': STEP_DEADLINE.openapi({ description: '书面报告县教体局' }),
        'notify-township': STEP_DEADLINE.openapi({ description: '通报乡镇政府并书面报告县政府' }),
        arrange: STEP_DEADLINE.openapi({ description: '乡镇或教体局安排人员劝返' }),
      })
      .openapi({ description: '各劝返步骤的期限(工作日,按官方工作日历)' }),
    retentionSchoolYears: z
      .number()
      .int('保存期限应为整数个学年')
      .min(0, '保存期限应为 0 至 10 个学年')
      .max(10, '保存期限应为 0 至 10 个学年')
      .openapi({
        description: '已复学案例的身份信息保存到结案学年结束(8月31日)后再保存几个学年;默认 1,即下一学年结束',
      }),
    expectedVersion: z.number().int().min(0).openapi({ description: '乐观锁:当前设置的版本(从未设置为 0)' }),
  })
  .openapi('PutCaseSettings');

export const CaseSettingsViewSchema = z
  .object({
    stepDeadlines: z.record(z.string(), z.number().int()),
    retentionSchoolYears: z.number().int(),
    version: z.number().int(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
    steps: z.array(z.object({ key: z.string(), label: z.string(), defaultWorkingDays: z.number().int() })),
  })
  .openapi('CaseSettings');

export const LedgerQuerySchema = z.strictObject({
  township: slug('乡镇编号').optional(),
  since: isoDateString.optional().openapi({ description: '统计复学的起始日;默认为最近已开学学期的开学日期' }),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});

const LightCountsSchema = z.object({
  red: z.number().int(),
  yellow: z.number().int(),
  blue: z.number().int(),
  green: z.number().int(),
});
const LedgerTotalsSchema = z.object({
  open: z.number().int().openapi({ description: '未复学' }),
  suspected: z.number().int().openapi({ description: '疑似辍学' }),
  dropout: z.number().int().openapi({ description: '辍学' }),
  late: z.number().int().openapi({ description: '劝返步骤逾期' }),
  returned: z.number().int().openapi({ description: '本学期复学' }),
  lights: LightCountsSchema,
  groups: z
    .object({
      registeredPoor: z.number().int(),
      monitored: z.number().int(),
      disabled: z.number().int(),
      homeTeaching: z.number().int(),
    })
    .openapi({ description: '未复学中的特殊群体人数:建档立卡、监测对象、残疾、送教上门' }),
});
const LedgerRowSchema = z.object({
  id: z.string(),
  childNameMasked: z.string(),
  gender: z.enum(['male', 'female']).nullable(),
  grade: z.string(),
  className: z.string(),
  groups: z.object({
    registeredPoor: z.boolean(),
    monitored: z.boolean(),
    disabled: z.boolean(),
    homeTeaching: z.boolean(),
  }),
  firstDayAbsent: z.string(),
  ageWorkingDays: z.number().int().openapi({ description: '缺课工作日数(官方工作日历)' }),
  stage: z.enum(['absent', 'suspected', 'dropout', 'returned']),
  stageLabel: z.string(),
  step: z
    .object({ step: z.string(), label: z.string(), dueOn: z.string(), late: z.boolean() })
    .nullable()
    .openapi({ description: '当前劝返步骤、期限、是否逾期' }),
  light: z.enum(['red', 'yellow', 'blue', 'green']),
  lightLabel: z.string(),
});

export const CaseLedgerSchema = z
  .object({
    asOf: z.string(),
    since: z.string(),
    totals: LedgerTotalsSchema,
    townships: z.array(
      z.object({
        townshipUnitId: z.string(),
        townshipName: z.string(),
        totals: LedgerTotalsSchema,
        schools: z.array(
          z.object({
            schoolUnitId: z.string(),
            schoolName: z.string(),
            totals: LedgerTotalsSchema,
            cases: z.array(LedgerRowSchema),
          }),
        ),
      }),
    ),
  })
  .openapi('CaseLedger');

export type CaseLedger = z.infer<typeof CaseLedgerSchema>;
export type CaseLedgerRow = z.infer<typeof LedgerRowSchema>;
export type PutCaseSettingsInput = z.infer<typeof PutCaseSettingsSchema>;
export type CaseSettingsView = z.infer<typeof CaseSettingsViewSchema>;

export const HomeTeachingSetupSchema = z
  .strictObject({
    planId: slug('方案编号'),
    phaseKey: slug('阶段标识').max(40),
    weekday: z.number().int().min(1).max(7).default(5).openapi({ description: '每周截止星期几,默认周五' }),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
      .default('17:00')
      .openapi({ description: '截止时间,默认 17:00' }),
  })
  .openapi('CaseHomeTeachingSetup');

export const HomeTeachingSetupResultSchema = z
  .object({ taskId: z.string(), created: z.boolean(), duties: z.number().int() })
  .openapi('CaseHomeTeachingSetupResult');

/** 台账快照: the county ledger frozen at a cut-off (a local date), made once per date. */
export const CreateLedgerReportSchema = z
  .strictObject({
    asOf: isoDateString
      .optional()
      .openapi({ description: '截止日期(当日结束时的台账),默认今天;不能晚于今天。同一日期只生成一次' }),
  })
  .openapi('CreateCaseLedgerReport');

export const LedgerReportSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'ledger-2025-10-09' }),
    asOf: z.string().openapi({ description: '截止日期' }),
    since: z.string().openapi({ description: '统计复学的起始日(截止日所在学期的开学日)' }),
    generatedAt: z.string(),
    generatedBy: z.string(),
    townships: z.number().int(),
    schools: z.number().int(),
    totals: LedgerTotalsSchema,
  })
  .openapi('CaseLedgerReportSummary');

export const LedgerReportSchema = LedgerReportSummarySchema.extend({ ledger: CaseLedgerSchema }).openapi(
  'CaseLedgerReport',
);

export const LedgerReportFormatQuerySchema = z.strictObject({
  format: z.enum(['json', 'csv', 'xlsx']).default('json').openapi({
    description:
      'json;csv(UTF-8 带 BOM,标题行、中文表头、姓名脱敏);xlsx(台账和各校汇总两个工作表,各有标题行)',
  }),
});

export type CreateLedgerReportInput = z.infer<typeof CreateLedgerReportSchema>;
export type LedgerReportSummary = z.infer<typeof LedgerReportSummarySchema>;
export type LedgerReport = z.infer<typeof LedgerReportSchema>;
