import { DUTY_STATUSES } from '../domain/duty/duty-status.js';
import { MAX_MILESTONES, type MilestoneDraft, milestoneProblems } from '../domain/duty/milestones.js';
import { isValidIsoDate } from '../domain/time/zoned-time.js';
import { acrossFields, dueTime, isoDateString, isRecord, line, pageQuery, slug, text, z } from './common.js';
import { EscalationLevelSchema } from './escalation.js';
import { RecurrenceSchema } from './recurrence.js';

export const DUTY_KINDS = ['task', 'report', 'rectification', 'self-check'] as const;
export const DutyKindSchema = z.enum(DUTY_KINDS).openapi({
  description:
    'task 一般任务, report 定期报告(零报告制度:没有情况也要报), rectification 督查发现问题整改, self-check 自查报告',
});

export const DutyStatusSchema = z.enum(DUTY_STATUSES).openapi({
  description: 'open 待办(含退回整改), submitted 已提交待审核, accepted 已办结',
});

export const EvidenceSchema = z
  .strictObject({
    title: line(1, 200).openapi({ example: '适龄儿童花名册(签字版)' }),
    ref: line(1, 2000).openapi({ description: '文件引用或链接', example: 'files/2026/roster.pdf' }),
  })
  .openapi('Evidence');

export const SubmitDutySchema = z
  .strictObject({
    note: text(1, 5000).optional().openapi({ example: '本村适龄学生全部在校,已经村支书、村长签字。' }),
    evidence: z.array(EvidenceSchema).max(50).default([]),
    nothingToReport: z
      .boolean()
      .default(false)
      .openapi({ description: '零报告:本期没有需要报告的情况(仅定期报告类任务)' }),
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于当前版本' }),
  })
  .check(
    acrossFields(isRecord, (s) =>
      s.note === undefined && s.nothingToReport !== true
        ? [{ field: 'note', message: '请填写办理情况说明(定期报告没有情况时可选择“零报告”)' }]
        : [],
    ),
  )
  .openapi('SubmitDuty');

export const AcceptDutySchema = z
  .strictObject({
    note: text(1, 2000).optional().openapi({ example: '材料齐全,同意办结。' }),
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于当前版本' }),
  })
  .openapi('AcceptDuty');

export const ConfirmDutySchema = z
  .strictObject({
    note: text(1, 2000).openapi({ example: '经核实,本乡镇所辖村适龄儿童全部在校。' }),
    version: z.number().int().min(1).optional(),
  })
  .openapi('ConfirmDuty');

export const ReturnDutySchema = z
  .strictObject({
    reason: text(1, 2000).openapi({ example: '花名册缺少村长签字,请补充后重新报送。' }),
    newDueAt: dueTime().optional().openapi({
      description: '整改期限:带时区偏移的 ISO 8601 时间或仅日期;省略则为 3 个工作日后当天结束',
      example: '2026-05-29',
    }),
    version: z.number().int().min(1).optional(),
  })
  .openapi('ReturnDuty');

export const ReviewSchema = z.object({
  decision: z.enum(['accepted', 'returned']),
  round: z.number().int(),
  note: z.string().nullable(),
  newDueAt: z.string().nullable(),
  at: z.string(),
  by: z.string(),
});

/** An evidence item as a submission keeps it: an uploaded file with what identifies its bytes. */
export const SubmittedEvidenceSchema = EvidenceSchema.extend({
  size: z.number().int().min(0).optional().openapi({ description: '上传的文件:提交时登记的字节数' }),
  sha256: z
    .string()
    .optional()
    .openapi({ description: '上传的文件:提交时登记的 SHA-256(十六进制);下载时核验,不符则拒绝' }),
  versionId: z
    .string()
    .optional()
    .openapi({ description: '上传的文件:提交时登记的存储版本;下载只取这一版本' }),
}).openapi('SubmittedEvidence');

export const SubmissionSchema = z.object({
  note: z.string(),
  evidence: z.array(SubmittedEvidenceSchema),
  nothingToReport: z.boolean().default(false),
  contributions: z
    .array(
      z.object({ unitId: z.string(), dutyId: z.string(), status: z.string(), note: z.string().nullable() }),
    )
    .default([])
    .openapi({ description: '牵头单位汇总提交时,各配合单位的办理情况' }),
  submittedAt: z.string(),
  submittedBy: z.string(),
});

export const DutyProgressSchema = z
  .object({
    percent: z.number().int().min(0).max(100),
    note: z.string().nullable(),
    at: z.string(),
    by: z.string(),
  })
  .openapi('DutyProgress');

export const ReportProgressSchema = z
  .strictObject({
    percent: z
      .number({ error: '进度须为 0 到 100 的整数' })
      .int('进度须为 0 到 100 的整数')
      .min(0, '进度须为 0 到 100 的整数')
      .max(100, '进度须为 0 到 100 的整数')
      .openapi({ description: '完成进度(百分比)', example: 60 }),
    note: text(1, 2000).optional().openapi({ example: '已完成 12 所学校的校舍排查,余下 8 所本周内完成。' }),
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于当前版本' }),
  })
  .openapi('ReportProgress');

export type ReportProgressInput = z.infer<typeof ReportProgressSchema>;

export const MilestoneInputSchema = z
  .strictObject({
    date: isoDateString
      .refine(isValidIsoDate, '不是有效的日期')
      .openapi({ description: '到这一天(方案时区)结束时应达到的进度' }),
    percent: z
      .number({ error: '计划进度须为 0 到 100 的整数' })
      .int('计划进度须为 0 到 100 的整数')
      .min(0, '计划进度须为 0 到 100 的整数')
      .max(100, '计划进度须为 0 到 100 的整数')
      .optional()
      .openapi({ description: '计划进度(百分比);都不填时按步骤平均(第 k 步 = k/n)' }),
    name: line(1, 100).optional().openapi({ description: '步骤名称', example: '完成校舍排查' }),
  })
  .openapi('MilestoneInput');

const hasMilestones = (v: unknown): v is { milestones: MilestoneDraft[] } =>
  isRecord(v) &&
  Array.isArray(v.milestones) &&
  v.milestones.every((m) => isRecord(m) && typeof m.date === 'string');

const milestoneList = z
  .array(MilestoneInputSchema)
  .min(1, '至少一个里程碑')
  .max(MAX_MILESTONES, `里程碑最多 ${MAX_MILESTONES} 个`);
const inOrder = acrossFields(hasMilestones, (v) => milestoneProblems(v.milestones));

export const SetMilestonesSchema = z
  .strictObject({
    milestones: milestoneList,
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于当前版本' }),
  })
  .check(inOrder)
  .openapi('SetMilestones');

export const SetTaskMilestonesSchema = z
  .strictObject({ milestones: milestoneList })
  .check(inOrder)
  .openapi('SetTaskMilestones');

export const ApproveMilestonesSchema = z
  .strictObject({
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于当前版本' }),
  })
  .openapi('ApproveMilestones');

export const StoredMilestoneSchema = z
  .object({ date: z.string(), percent: z.number().int(), name: z.string().nullable() })
  .openapi('Milestone');

export const MilestoneProposalSchema = z
  .object({ milestones: z.array(StoredMilestoneSchema), at: z.string(), by: z.string() })
  .openapi('MilestoneProposal');

export type SetMilestonesInput = z.infer<typeof SetMilestonesSchema>;
export type ApproveMilestonesInput = z.infer<typeof ApproveMilestonesSchema>;

export const OccurrencePeriodSchema = z
  .object({
    start: z.string().openapi({ description: '本期第一天(方案时区的日期)', example: '2026-11-30' }),
    end: z.string().openapi({ description: '本期最后一天', example: '2026-12-06' }),
    label: z.string().openapi({ description: '本期名称', example: '第49周 11月30日—12月6日' }),
    opensAt: z.string().openapi({
      description: '从此时起可以报送:本期开始当天 0 时,减去周期规则的提前报送天数 leadDays',
      example: '2026-11-29T16:00:00.000Z',
    }),
  })
  .openapi('OccurrencePeriod');

export const ReceiptSchema = z
  .object({
    round: z.number().int().openapi({ description: '本次签收开始时的轮次(交办为 1,退回后重新签收)' }),
    since: z.string().openapi({ description: '交办或退回的时间:签收用时从此计算' }),
    dueAt: z.string().openapi({ description: '签收期限:过期未签收将发出“超时未签收”通知' }),
    at: z.string().nullable().openapi({ description: '签收时间;null 为待签收' }),
    by: z.string().nullable().openapi({ description: '签收人' }),
    workingMinutes: z.number().int().nullable().openapi({ description: '签收用时(工作分钟)' }),
  })
  .openapi('Receipt');

export const DutySchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    taskId: z.string(),
    unitId: z.string(),
    role: z.enum(['lead', 'co']).openapi({ description: 'lead 牵头单位, co 配合单位' }),
    coUnits: z
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: '牵头单位的任务有几个配合单位(须全部提交后牵头单位才能汇总提交)' }),
    kind: DutyKindSchema.default('task'),
    occurrenceKey: z.string().nullable().default(null).openapi({ description: '周期任务的期次,如 2026-W21' }),
    period: OccurrencePeriodSchema.nullable()
      .optional()
      .openapi({ description: '周期任务:本期的起止日期、名称和可报送时间;本期开始前(减去提前天数)不能提交' }),
    title: z.string(),
    phaseKey: z.string(),
    dueAt: z.string(),
    status: DutyStatusSchema,
    overdue: z.boolean(),
    round: z.number().int().openapi({ description: '第几轮(退回整改后加一)' }),
    roundStartedAt: z.string().openapi({ description: '本轮开始时间(交办或退回时)' }),
    escalation: z
      .array(EscalationLevelSchema)
      .openapi({ description: '本任务创建时适用的督办规则(之后不随方案变化)' }),
    nextLevelIndex: z.number().int().openapi({ description: '下一个督办级别在规则中的序号' }),
    nextActionAt: z.string().nullable().openapi({ description: '下一个督办级别触发时间;null 表示没有了' }),
    lastNoticeLevel: z.string().nullable().default(null).openapi({ description: '本轮已发出的最高督办级别' }),
    returns: z.number().int(),
    submission: SubmissionSchema.nullable(),
    reviews: z.array(ReviewSchema).default([]).openapi({ description: '审核记录(办结、退回),按时间顺序' }),
    acceptedAt: z.string().nullable().default(null),
    signOffLevels: z.number().int().default(0).openapi({ description: '提交后需逐级确认的上级层数' }),
    confirmations: z
      .array(z.object({ unitId: z.string(), note: z.string(), at: z.string(), by: z.string() }))
      .default([])
      .openapi({ description: '本轮已确认的上级单位(村→乡镇→局)' }),
    awaitingConfirmationFrom: z
      .string()
      .nullable()
      .default(null)
      .openapi({ description: '等待哪个上级单位确认;为 null 时由办公室审核' }),
    pendingExtensionId: z.string().nullable().default(null).openapi({ description: '待审批的延期申请' }),
    receipt: ReceiptSchema.nullable()
      .default(null)
      .openapi({ description: '签收(方案要求签收时);at 为 null 表示待签收' }),
    receiptNoticedAt: z
      .string()
      .nullable()
      .default(null)
      .openapi({ description: '超时未签收的通知写出时间(本轮签收)' }),
    extensions: z.number().int().default(0).openapi({ description: '已批准的延期次数' }),
    progress: DutyProgressSchema.nullable()
      .optional()
      .openapi({ description: '单位最近一次报告的进度(序时进度对照用);未报告为 null' }),
    milestones: z
      .array(StoredMilestoneSchema)
      .nullable()
      .optional()
      .openapi({ description: '已生效的里程碑(办公室设置,或单位提出经办公室批准);序时进度按此计算' }),
    progressReports: RecurrenceSchema.nullable()
      .optional()
      .openapi({ description: '任务要求按期报告进度的规则(交办时从任务复制)' }),
    milestoneProposal: MilestoneProposalSchema.nullable()
      .optional()
      .openapi({ description: '单位提出、待办公室批准的里程碑' }),
    handedOffFrom: z
      .object({ dutyId: z.string(), unitId: z.string(), at: z.string(), by: z.string(), note: z.string() })
      .nullable()
      .optional()
      .openapi({ description: '转办:本任务由上级单位的哪项任务转办而来(提交后由该单位逐级确认、汇总)' }),
    handedTo: z
      .array(z.object({ unitId: z.string(), dutyId: z.string(), at: z.string() }))
      .optional()
      .openapi({ description: '转办:已转办给的下级单位及其任务;须全部提交后本单位才能汇总提交' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Duty');

export const DutyListQuerySchema = z.strictObject({
  unitId: slug('单位编号').optional(),
  status: DutyStatusSchema.optional(),
  overdue: z.enum(['true', 'false']).optional(),
  ...pageQuery,
});

export const UnitDutyListQuerySchema = z.strictObject({
  planId: z.string().max(64).optional(),
  status: DutyStatusSchema.optional(),
  ...pageQuery,
});

/** A duty as stored: everything but what is computed at read time against the clock. */
export const DutyRecordSchema = DutySchema.omit({ overdue: true });

export type DutyRecord = z.infer<typeof DutyRecordSchema>;
export type AcceptDutyInput = z.infer<typeof AcceptDutySchema>;
export type ReturnDutyInput = z.infer<typeof ReturnDutySchema>;
export type ConfirmDutyInput = z.infer<typeof ConfirmDutySchema>;
export type SubmitDutyInput = z.infer<typeof SubmitDutySchema>;
export type Duty = z.infer<typeof DutySchema>;
export type Evidence = z.infer<typeof EvidenceSchema>;
export type SubmittedEvidence = z.infer<typeof SubmittedEvidenceSchema>;
