import { REPORT_PERIODS } from '../domain/report/period.js';
import { pageQuery, z } from './common.js';
import { DutyKindSchema, DutyStatusSchema, ReceiptSchema, ReviewSchema } from './duties.js';
import { FINDING_SOURCES } from './findings.js';
import { ReceiptFiguresSchema } from './plans.js';
import { ScoringRulesSchema } from './scoring.js';

export const ReportPeriodSchema = z.enum(REPORT_PERIODS).openapi({
  description: 'week 周报(截止时间所在的 ISO 周), month 月报(截止时间所在的自然月)',
});

export const CreateReportSchema = z
  .strictObject({
    period: ReportPeriodSchema,
    asOf: z.iso
      .datetime({
        offset: true,
        message: '截止时间应为带时区偏移的 ISO 8601 时间,如 2026-11-27T17:00:00+08:00',
      })
      .optional()
      .openapi({
        description: '截止时间,省略为现在;不能晚于现在。同一方案同一期只生成一次,再次请求返回已有的通报',
        example: '2026-11-27T17:00:00+08:00',
      }),
  })
  .openapi('CreateReport');

const count = (description: string) => z.number().int().min(0).openapi({ description });
const rate = (description: string) =>
  z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .openapi({ description: `${description};0–1,四位小数;无可计算任务时为 null` });

export const ReportExtensionCountsSchema = z
  .object({
    requested: count('截止时已提出的延期申请(延期申请)'),
    inPeriod: count('其中在本期(本周或本月,按方案时区)内提出的'),
    approved: count('截止时已批准'),
    refused: count('截止时已驳回'),
    pending: count('截止时尚待审批'),
    late: count('其中临期申请(距截止时间不足考评规则所定小时数才提出)').default(0),
  })
  .openapi('ReportExtensionCounts');

export const ReportRectificationCountsSchema = z
  .object({
    assigned: count('整改任务数(督查发现问题转成的整改任务,已含在应办任务中)'),
    accepted: count('已办结(审核通过)'),
    submitted: count('已提交待审核'),
    openNotDue: count('待办且未到整改期限'),
    overdue: count('逾期未整改'),
  })
  .openapi('ReportRectificationCounts');

export const ReportUnitStatsSchema = z.object({
  assigned: count('截止时已交办的任务数'),
  doneOnTime: count('按时办结:审核通过的那一轮在该轮截止时间前(含截止时刻)提交'),
  doneLate: count('逾期办结'),
  submitted: count('已提交待审核'),
  openNotDue: count('待办且未到截止时间'),
  overdue: count('逾期未办:待办且已过截止时间'),
  worstWorkingDaysLate: count('逾期未办中最长的逾期工作日数'),
  overdueWorkingDays: count('逾期未办各项的逾期工作日数之和(量化考评按此扣分)').default(0),
  notices: z
    .record(z.string(), z.number().int().min(0))
    .openapi({ description: '截止时间前发出的督办通知数,按级别' }),
  returns: count('退回整改次数'),
  reports: z
    .object({ due: count('已到期的定期报告期数'), filed: count('其中截止时已报送(含零报告)的期数') })
    .openapi({ description: '零报告制度执行情况' }),
  completionRate: rate('办结率 = 已办结 ÷ 截止时已到期的任务(应办 − 未到期的待办)'),
  onTimeRate: rate('按时办结率 = 按时办结 ÷ (已办结 + 逾期未办)'),
  // Nullable with a default: reports frozen before these were counted still read, and say "not counted".
  extensions: ReportExtensionCountsSchema.nullable()
    .default(null)
    .openapi({ description: '延期申请情况;null 表示该通报生成时尚未统计' }),
  rectification: ReportRectificationCountsSchema.nullable()
    .default(null)
    .openapi({ description: '其中整改任务(单列,已含在上面各列中);null 表示该通报生成时尚未单列' }),
  // Optional: reports frozen before 序时进度 was counted read as they were.
  behindPlan: count('截止时待办、已报进度低于序时进度超过容差的任务数').nullable().optional(),
  averageLagPoints: z
    .number()
    .nullable()
    .optional()
    .openapi({ description: '待办任务平均滞后于序时进度的百分点数(一位小数);没有待办任务为 null' }),
});

/** A unit with nothing to judge in the period is not ranked: listed apart as 本期无考核任务. */
const rank = z.number().int().min(1).nullable().openapi({
  description:
    '名次:没有逾期未办的单位在前,并列者名次相同(如 1、1、3);null 为本期无考核任务(无办结、无逾期),不参与排名,列在排名之后',
});

export const ReportUnitRowSchema = ReportUnitStatsSchema.extend({
  rank,
  unitId: z.string(),
  unitName: z.string(),
}).openapi('ReportUnitRow');

export const ReportRankingRowSchema = z
  .object({
    rank,
    unitId: z.string(),
    unitName: z.string(),
    onTimeRate: rate('按时办结率'),
    completionRate: rate('办结率'),
  })
  .openapi('ReportRankingRow');

const phaseCounts = {
  duties: count('任务数'),
  accepted: count('已办结'),
  submitted: count('已提交待审核'),
  open: count('待办(含逾期)'),
  overdue: count('逾期未办'),
  plannedPercent: z
    .number()
    .nullable()
    .optional()
    .openapi({ description: '待办任务的平均序时进度(计划进度,%);没有待办任务为 null' }),
  reportedPercent: z
    .number()
    .nullable()
    .optional()
    .openapi({ description: '待办任务的平均已报进度(%,未报按 0);没有待办任务为 null' }),
};

export const ReportPhaseUnitSchema = z
  .object({ unitId: z.string(), unitName: z.string(), ...phaseCounts })
  .openapi('ReportPhaseUnit');

export const ReportPhaseSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    start: z.string().nullable(),
    end: z.string().nullable(),
    state: z
      .enum(['upcoming', 'active', 'ended'])
      .openapi({ description: '截止时所处状态(按方案时区的日期)' }),
    ...phaseCounts,
    completionRate: rate('办结率'),
    endedWithOpenWork: z.boolean().openapi({ description: '阶段已结束但仍有未办结的任务' }),
    units: z.array(ReportPhaseUnitSchema),
  })
  .openapi('ReportPhase');

export const ReportOverdueDutySchema = z
  .object({
    dutyId: z.string(),
    taskId: z.string(),
    title: z.string(),
    unitId: z.string(),
    unitName: z.string(),
    phaseKey: z.string(),
    dueAt: z.string(),
    workingDaysLate: count('截止时已逾期的工作日数'),
    round: z.number().int().min(1),
  })
  .openapi('ReportOverdueDuty');

export const ReportLevelSchema = z.object({ level: z.string(), label: z.string() });

export const ReportFindingUnitSchema = z
  .object({
    unitId: z.string(),
    unitName: z.string(),
    dutyId: z.string(),
    status: DutyStatusSchema.openapi({ description: '截止时该单位整改任务的状态' }),
    dueAt: z.string().openapi({ description: '截止时该单位的整改期限(批准延期或退回整改后可能不同)' }),
    overdue: z.boolean().openapi({ description: '截止时待办且已过整改期限' }),
  })
  .openapi('ReportFindingUnit');

export const ReportFindingSchema = z
  .object({
    findingId: z.string(),
    title: z.string(),
    source: z.enum(FINDING_SOURCES),
    sourceLabel: z.string().openapi({ example: '四不两直暗访' }),
    phaseKey: z.string(),
    dueAt: z.string().openapi({ description: '交办时的整改期限' }),
    createdAt: z.string(),
    duties: count('整改任务数(每个责任单位一条)'),
    accepted: count('截止时已办结'),
    submitted: count('截止时已提交待审核'),
    overdue: count('截止时逾期未整改'),
    closed: z.boolean().openapi({ description: '截止时已销号:所有整改任务均已办结' }),
    closedAt: z.string().nullable().openapi({ description: '销号时间(最后一项整改任务办结的时间)' }),
    units: z.array(ReportFindingUnitSchema),
  })
  .openapi('ReportFinding');

export const ReportRectificationsSchema = z
  .object({
    findings: count('截止时已交办的督查发现问题数'),
    closed: count('其中已销号'),
    duties: count('整改任务数'),
    accepted: count('已办结'),
    overdue: count('逾期未整改'),
    items: z.array(ReportFindingSchema).openapi({ description: '各督查发现问题,未销号的在前,再按整改期限' }),
  })
  .openapi('ReportRectifications');

export const ReportScoreLineSchema = z
  .object({
    label: z.string().openapi({ example: '逾期(工作日)' }),
    count: count('次数(项数、天数)'),
    points: z.number().openapi({ description: '本行得分(负数为扣分),一位小数' }),
  })
  .openapi('ReportScoreLine');

export const ReportUnitScoreSchema = z
  .object({
    rank: z.number().int().min(1).openapi({
      description: '按得分排名:一票否决的单位排在所有未被否决的单位之后;同分并列(如 1、2、2、4)',
    }),
    unitId: z.string(),
    unitName: z.string(),
    total: z.number().openapi({ description: '总分 = 基础分 + 各行得分,一位小数' }),
    vetoed: z.boolean().openapi({ description: '一票否决:有一票否决指标未达标,总评不合格,不论得分多少' }),
    vetoReasons: z.array(z.string()).openapi({ description: '未达标的一票否决指标' }),
    lines: z.array(ReportScoreLineSchema).openapi({ description: '得分明细,逐行说明每一分的来由' }),
  })
  .openapi('ReportUnitScore');

export const ReportScoringSchema = z
  .object({
    rules: ScoringRulesSchema.openapi({ description: '本通报考评所用的规则(全部写明)' }),
    rulesWords: z.array(z.string()).openapi({ description: '考评规则的文字说明,与得分一并印出' }),
    indicators: z.object({
      included: z.boolean().openapi({ description: '是否计入了指标结果' }),
      periods: z
        .array(z.string())
        .openapi({ description: '计入的指标填报周期,如 2026-05、2026-spring、once' }),
      note: z.string().openapi({ description: '指标结果的取法或未计入的原因' }),
    }),
    units: z.array(ReportUnitScoreSchema).openapi({ description: '按得分排名' }),
  })
  .openapi('ReportScoring');

export const ReportReceiptsSchema = z
  .object({
    all: ReceiptFiguresSchema,
    units: z
      .array(ReceiptFiguresSchema.extend({ unitId: z.string(), unitName: z.string() }))
      .openapi({ description: '有签收要求的单位,未签收多的在前' }),
  })
  .openapi('ReportReceipts');

/** What a report stores besides its head: compressed, in parts (see report-repository.ts). */
export const ReportContentSchema = z.object({
  levels: z.array(ReportLevelSchema),
  totals: ReportUnitStatsSchema,
  units: z.array(ReportUnitRowSchema),
  phases: z.array(ReportPhaseSchema),
  overdue: z.object({
    total: count('逾期未办总数'),
    cap: z.number().int(),
    truncated: z.boolean().openapi({ description: '超过 cap 条时只保存逾期最久的 cap 条' }),
    items: z.array(ReportOverdueDutySchema),
  }),
  rectifications: ReportRectificationsSchema.nullable()
    .default(null)
    .openapi({ description: '督查整改单列;null 表示该通报生成时尚未单列' }),
  scoring: ReportScoringSchema.nullable()
    .default(null)
    .openapi({ description: '量化考评(截止时计算,生成后不再改变);null 表示该通报生成时尚未考评' }),
  receipts: ReportReceiptsSchema.nullable().default(null).openapi({
    description: '签收情况(截止时):未签收、超时签收和平均签收用时;null 表示该通报生成时尚未统计',
  }),
  progressRule: z
    .string()
    .optional()
    .openapi({ description: '生成时的亮灯规则和序时进度统计口径(按方案设置)' }),
});

export const ReportSummarySchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    planTitle: z.string(),
    timezone: z.string(),
    period: ReportPeriodSchema,
    periodKey: z.string().openapi({ example: '2026-W48' }),
    periodLabel: z.string().openapi({ example: '2026年第48周' }),
    asOf: z.string().openapi({ description: '截止时间:通报反映此刻的情况,生成后不再改变' }),
    generatedAt: z.string(),
    generatedBy: z.string(),
    trigger: z.enum(['manual', 'schedule']),
    summary: z.object({
      units: count('单位数'),
      duties: count('任务数'),
      accepted: count('已办结'),
      overdue: count('逾期未办'),
      completionRate: rate('办结率'),
      onTimeRate: rate('按时办结率'),
    }),
    source: z.object({
      method: z.enum(['counters', 'replay']).default('replay').openapi({
        description:
          'counters:截止时间为当前时刻,按统计数字加已到期未办任务计算;replay:逐条任务还原到截止时刻',
      }),
      duties: count('读取的任务条数'),
      notices: count('读取的通知条数'),
      cells: count('读取的统计格数(单位 × 阶段)').default(0),
    }),
    approximated: count(
      '截止时间早于生成时间时,有几条任务在截止后又被退回,其截止时的提交时间或截止时间只能近似还原',
    ),
    calendarFallbackYears: z
      .array(z.number().int())
      .openapi({ description: '缺少官方节假日数据、按周一至周五计的年份' }),
  })
  .openapi('ReportSummary');

export const ReportSchema = ReportSummarySchema.extend({
  scope: z.enum(['all', 'unit']).openapi({ description: 'all 全部明细;unit 单位视图:他单位只见排名' }),
  viewerUnitId: z.string().nullable(),
  rules: z.object({
    done: z.string(),
    onTime: z.string(),
    ranking: z.string(),
    overdue: z.string(),
    extensions: z.string(),
    rectification: z.string(),
    progress: z.string().optional().openapi({ description: '亮灯规则与序时进度统计口径' }),
  }),
  levels: z.array(ReportLevelSchema),
  totals: ReportUnitStatsSchema,
  ranking: z.array(ReportRankingRowSchema),
  units: z.array(ReportUnitRowSchema).openapi({ description: '各单位明细(单位用户只有本单位)' }),
  phases: z.array(ReportPhaseSchema),
  overdue: ReportContentSchema.shape.overdue,
  rectifications: ReportContentSchema.shape.rectifications,
  scoring: ReportContentSchema.shape.scoring,
  receipts: ReportContentSchema.shape.receipts,
}).openapi('Report');

export const ReportListQuerySchema = z.strictObject(pageQuery);

export const ReportFormatQuerySchema = z.strictObject({
  format: z.enum(['json', 'csv', 'xlsx']).default('json').openapi({
    description:
      'json;csv(UTF-8 带 BOM,排名汇总表,其后为督查整改表);xlsx(排名汇总、各阶段、逾期未办、督查整改、说明)',
  }),
});

export const ScheduledReportResultSchema = z.object({
  period: ReportPeriodSchema,
  scheduledTime: z.string(),
  acted: z.boolean(),
  reason: z.string().nullable(),
  asOf: z.string().nullable(),
  plans: z.number().int(),
  created: z.number().int(),
  existing: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
});

/** A duty as the report reads it: the projection of report-repository.ts. */
export const ReportDutyFactSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  unitId: z.string(),
  phaseKey: z.string(),
  title: z.string(),
  kind: DutyKindSchema.default('task'),
  status: DutyStatusSchema,
  dueAt: z.string(),
  round: z.number().int(),
  returns: z.number().int(),
  reviews: z.array(ReviewSchema.pick({ decision: true, round: true, at: true, newDueAt: true })).default([]),
  submission: z.object({ submittedAt: z.string() }).nullable().default(null),
  acceptedAt: z.string().nullable().default(null),
  createdAt: z.string(),
  extensions: z.number().int().default(0),
  roundStartedAt: z.string().optional(),
  receipt: ReceiptSchema.nullable().optional(),
});

export const ReportNoticeFactSchema = z.object({ unitId: z.string(), level: z.string() });

/** An extension request as the report reads it (pattern E3). */
export const ReportExtensionFactSchema = z.object({
  unitId: z.string(),
  status: z.enum(['pending', 'approved', 'refused']),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  /** The duty's deadline when the request was filed (a 临期申请 is filed close to it). */
  dueAtWhenRequested: z.string().nullable().optional(),
});

/** A supervision finding as the report reads it (pattern F1). */
export const ReportFindingFactSchema = z.object({
  id: z.string(),
  title: z.string(),
  source: z.enum(FINDING_SOURCES),
  phaseKey: z.string(),
  unitIds: z.array(z.string()),
  dutyIds: z.array(z.string()),
  dueAt: z.string(),
  createdAt: z.string(),
  /** A self-check (三一致) finding whose sources agreed again: closed from then on. */
  resolvedAt: z.string().nullable().optional(),
});

export type CreateReportInput = z.infer<typeof CreateReportSchema>;
export type ReportUnitStats = z.infer<typeof ReportUnitStatsSchema>;
export type ReportUnitRow = z.infer<typeof ReportUnitRowSchema>;
export type ReportRankingRow = z.infer<typeof ReportRankingRowSchema>;
export type ReportPhase = z.infer<typeof ReportPhaseSchema>;
export type ReportPhaseUnit = z.infer<typeof ReportPhaseUnitSchema>;
export type ReportOverdueDuty = z.infer<typeof ReportOverdueDutySchema>;
export type ReportLevel = z.infer<typeof ReportLevelSchema>;
export type ReportContent = z.infer<typeof ReportContentSchema>;
export type ReportSummary = z.infer<typeof ReportSummarySchema>;
export type Report = z.infer<typeof ReportSchema>;
export type ReportFormat = z.infer<typeof ReportFormatQuerySchema>['format'];
export type ScheduledReportResult = z.infer<typeof ScheduledReportResultSchema>;
export type ReportDutyFactItem = z.infer<typeof ReportDutyFactSchema>;
export type ReportNoticeFact = z.infer<typeof ReportNoticeFactSchema>;
export type ReportExtensionFact = z.infer<typeof ReportExtensionFactSchema>;
export type ReportFindingFact = z.infer<typeof ReportFindingFactSchema>;
export type ReportExtensionCounts = z.infer<typeof ReportExtensionCountsSchema>;
export type ReportRectificationCounts = z.infer<typeof ReportRectificationCountsSchema>;
export type ReportFinding = z.infer<typeof ReportFindingSchema>;
export type ReportRectifications = z.infer<typeof ReportRectificationsSchema>;
export type ReportScoring = z.infer<typeof ReportScoringSchema>;
export type ReportUnitScore = z.infer<typeof ReportUnitScoreSchema>;
