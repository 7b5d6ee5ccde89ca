import { MAX_RECEIPT_WORKING_HOURS } from '../domain/duty/receipt.js';
import { DEFAULT_ESCALATION_POLICY } from '../domain/escalation/ladder.js';
import { type Phase, validatePhases } from '../domain/plan/phases.js';
import { isValidTimeZone } from '../domain/time/zoned-time.js';
import { acrossFields, isoDateString, isRecord, line, slug, z } from './common.js';
import { EscalationPolicySchema } from './escalation.js';
import { ScoringRulesSchema } from './scoring.js';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

export const PhaseSchema = z
  .strictObject({
    key: slug('阶段标识').max(40).openapi({ example: 'self-check' }),
    name: line(1, 50).openapi({ example: '自查补短阶段' }),
    start: isoDateString,
    end: isoDateString.optional().openapi({ description: '含当天;省略表示开放结束(仅最后一个阶段)' }),
  })
  .openapi('Phase');

const isPhase = (p: unknown): p is Phase =>
  isRecord(p) &&
  typeof p.key === 'string' &&
  typeof p.name === 'string' &&
  typeof p.start === 'string' &&
  (p.end === undefined || typeof p.end === 'string');

const hasPhases = (plan: unknown): plan is { phases: Phase[] } =>
  isRecord(plan) && Array.isArray(plan.phases) && plan.phases.every(isPhase);

/** 亮灯设置: the yellow tolerance and the blue working days of the one light rule. */
export const LightSettingsSchema = z
  .strictObject({
    tolerancePoints: z
      .number({ error: '容差须为 0 到 100 的整数(百分点)' })
      .int('容差须为 0 到 100 的整数(百分点)')
      .min(0, '容差须为 0 到 100 的整数(百分点)')
      .max(100, '容差须为 0 到 100 的整数(百分点)')
      .openapi({ description: '黄灯容差:已报进度低于序时进度超过这么多个百分点亮黄灯;默认 10', example: 10 }),
    nearWorkingDays: z
      .number({ error: '临近截止天数须为 0 到 30 的整数(工作日)' })
      .int('临近截止天数须为 0 到 30 的整数(工作日)')
      .min(0, '临近截止天数须为 0 到 30 的整数(工作日)')
      .max(30, '临近截止天数须为 0 到 30 的整数(工作日)')
      .openapi({ description: '蓝灯:这么多个工作日内截止(不含当天);默认 2', example: 2 }),
  })
  .openapi('LightSettings');

export const PutLightSettingsSchema = LightSettingsSchema.extend({
  expectedVersion: z
    .number({ error: '须提供方案当前版本号 expectedVersion' })
    .int()
    .min(1)
    .openapi({ description: '方案当前版本号;方案已被修改时返回 409' }),
}).openapi('PutLightSettings');

export type LightSettingsInput = z.infer<typeof LightSettingsSchema>;
export type PutLightSettingsInput = z.infer<typeof PutLightSettingsSchema>;

export const CreatePlanSchema = z
  .strictObject({
    title: line(1, 200).openapi({ example: '教育扶贫迎国检工作方案' }),
    timezone: z
      .string()
      .max(64)
      .refine(isValidTimeZone, { error: (issue) => `无效的时区:${String(issue.input)}` })
      .default(DEFAULT_TIMEZONE)
      .openapi({ example: DEFAULT_TIMEZONE }),
    phases: z.array(PhaseSchema).min(1).max(10),
    escalation: EscalationPolicySchema.default(DEFAULT_ESCALATION_POLICY),
    receiptRequired: z
      .boolean()
      .optional()
      .openapi({ description: '交办和退回的任务是否须由责任单位签收(签收后再办理);默认 false' }),
    receiptWorkingHours: z
      .number()
      .int('签收期限须为整数小时')
      .min(1, '签收期限至少 1 个工作小时')
      .max(MAX_RECEIPT_WORKING_HOURS, `签收期限最多 ${MAX_RECEIPT_WORKING_HOURS} 个工作小时`)
      .nullable()
      .optional()
      .openapi({
        description: '签收期限(工作小时,只计工作日 8:30–12:00、14:00–17:30);null 为交办后下一个工作日结束前',
      }),
  })
  // Order and overlap of the phases, also when another field (or another phase's name) failed.
  .check(acrossFields(hasPhases, (plan) => validatePhases(plan.phases)))
  .openapi('CreatePlan');

export const statusCounts = z.object({
  open: z.number().int(),
  submitted: z.number().int(),
  accepted: z.number().int(),
  overdue: z.number().int().openapi({ description: '未提交且已过截止时间(包含在 open 中)' }),
  total: z.number().int(),
});

export const PlanSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    timezone: z.string(),
    phases: z.array(PhaseSchema),
    escalation: EscalationPolicySchema.default(DEFAULT_ESCALATION_POLICY),
    receiptRequired: z.boolean().optional().openapi({ description: '任务须由责任单位签收;缺省为 false' }),
    receiptWorkingHours: z
      .number()
      .int()
      .nullable()
      .optional()
      .openapi({ description: '签收期限(工作小时);null 为下一个工作日结束前' }),
    phaseClosures: z
      .record(
        z.string(),
        z.object({
          closedAt: z.string(),
          closedBy: z.string(),
          override: z.object({ reason: z.string(), openDutyIds: z.array(z.string()) }).nullable(),
        }),
      )
      .default({})
      .openapi({ description: '已关闭的阶段' }),
    createdAt: z.string(),
    createdBy: z.string(),
    version: z.number().int(),
    lightSettings: LightSettingsSchema.optional().openapi({
      description: '亮灯设置(PUT /v1/plans/{planId}/light-settings 设置);缺省容差 10 个百分点、2 个工作日',
    }),
    scoringRules: ScoringRulesSchema.optional().openapi({
      description: '量化考评规则(PUT /v1/plans/{planId}/scoring-rules 设置);缺省按默认规则',
    }),
  })
  .openapi('Plan');

export const SelfCheckUnitSchema = z
  .object({
    unitId: z.string(),
    unitName: z.string(),
    state: z.enum(['accepted', 'submitted', 'not-filed']).openapi({
      description: 'accepted 已报送且审核通过, submitted 已报送待审核, not-filed 未报送',
    }),
    dueAt: z.string().openapi({ description: '未报送的最早截止时间(都已报送时为最早的截止时间)' }),
    overdue: z.boolean().openapi({ description: '未报送且已过截止时间' }),
  })
  .openapi('SelfCheckUnit');

export const SelfCheckPhaseSchema = z
  .object({
    phaseKey: z.string(),
    phaseName: z.string(),
    filed: z.number().int().openapi({ description: '已报送(含待审核)的单位数' }),
    accepted: z.number().int(),
    submitted: z.number().int(),
    notFiled: z.number().int().openapi({ description: '未报送的单位数' }),
    overdue: z.number().int().openapi({ description: '未报送且已逾期的单位数' }),
    units: z.array(SelfCheckUnitSchema).openapi({ description: '未报送在前(逾期的最前),再待审核、已审核' }),
  })
  .openapi('SelfCheckPhase');

export const ReceiptFiguresSchema = z.object({
  unsigned: z.number().int().openapi({ description: '待签收的任务数' }),
  signed: z.number().int().openapi({ description: '已签收的任务数(按本轮签收计)' }),
  signedLate: z.number().int().openapi({ description: '超过签收期限才签收的任务数' }),
  averageWorkingMinutes: z
    .number()
    .int()
    .nullable()
    .openapi({ description: '平均签收用时(工作分钟);尚无签收时为 null' }),
});

export const PlanViewSchema = PlanSchema.extend({
  asOf: z.string().openapi({ description: '计算当前阶段和逾期所用的时间' }),
  currentPhase: PhaseSchema.nullable(),
  phaseStates: z.array(
    z.object({
      key: z.string(),
      state: z.enum(['upcoming', 'active', 'closed-on-time', 'closed-late', 'overdue']),
      label: z.string().openapi({ example: '进行中' }),
    }),
  ),
  counts: z.object({
    all: statusCounts,
    byPhase: z.record(z.string(), statusCounts),
    byUnit: z.record(z.string(), statusCounts),
  }),
  selfChecks: z.array(SelfCheckPhaseSchema).openapi({
    description:
      '自查报告(kind 为 self-check 的任务)报送情况:每个有自查报告任务的阶段,哪些单位已报送、哪些未报送',
  }),
  receipts: z
    .object({ all: ReceiptFiguresSchema, byUnit: z.record(z.string(), ReceiptFiguresSchema) })
    .openapi({ description: '签收情况(方案要求签收时):各单位待签收数和平均签收用时' }),
}).openapi('PlanView');

export const RecountResultSchema = z
  .object({
    planId: z.string(),
    asOf: z.string(),
    dutiesRead: z.number().int().openapi({ description: '核算时读取的任务数' }),
    cellsRead: z.number().int().openapi({ description: '统计格数(单位 × 阶段)' }),
    pendingApplied: z.number().int().openapi({ description: '补记的新建任务统计数' }),
    corrections: z
      .array(
        z.object({
          unitId: z.string(),
          phaseKey: z.string(),
          add: z.record(z.string(), z.number()).openapi({ description: '各项统计的更正值(核算值减原值)' }),
        }),
      )
      .openapi({ description: '与逐条核算不一致并已更正的统计;为空表示原统计无误' }),
    signOffRekeyed: z
      .number()
      .int()
      .openapi({ description: '补写或更正了“下级确认”索引的已提交任务数(多为升级前提交的任务)' }),
  })
  .openapi('RecountResult');

export type RecountResult = z.infer<typeof RecountResultSchema>;
export type StatusCounts = z.infer<typeof statusCounts>;
export type CreatePlanInput = z.infer<typeof CreatePlanSchema>;
export type Plan = z.infer<typeof PlanSchema>;
export type PlanView = z.infer<typeof PlanViewSchema>;
export type SelfCheckPhaseView = z.infer<typeof SelfCheckPhaseSchema>;
