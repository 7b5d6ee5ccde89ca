import { acrossFields, dueTime, isRecord, line, slug, text, uniqueItems, z } from './common.js';
import { DutyKindSchema, DutySchema } from './duties.js';
import { EscalationPolicySchema } from './escalation.js';
import { TaskOriginSchema } from './instructions.js';
import { RecurrenceSchema } from './recurrence.js';

// One task and its duties are written in one transaction (at most 100 items): the plan check, the
// task, its audit event and up to 97 duties. Bigger bulk assignments are split into several tasks.

/** The longest task title (characters). */
/** How many levels above the submitting unit may have to confirm its work (村 → 乡镇 → 局). */
export const MAX_SIGN_OFF_LEVELS = 3;

export const TASK_TITLE_MAX = 200;

export const MAX_CO_UNITS = 96;

export const CreateTaskSchema = z
  .strictObject({
    title: line(1, TASK_TITLE_MAX).openapi({ example: '控辍保学回头看' }),
    description: text(0, 5000).optional(),
    phaseKey: slug('阶段标识').max(40),
    leadUnitId: slug('牵头单位编号'),
    coUnitIds: z
      .array(slug('配合单位编号'))
      .max(MAX_CO_UNITS)
      .default([])
      .check(uniqueItems('配合单位不能重复')),
    dueAt: dueTime().optional().openapi({
      description: '带时区偏移的 ISO 8601 时间,或仅日期(表示方案时区内当天结束);周期任务改用 recurrence',
      example: '2026-05-26',
    }),
    recurrence: RecurrenceSchema.optional(),
    progressReports: RecurrenceSchema.optional().openapi({
      description: '要求按期报告进度(如每周五 12:00、每月 25 日):本期未报告进度的单位任务亮黄灯(应报未报)',
    }),
    kind: DutyKindSchema.default('task'),
    escalation: EscalationPolicySchema.optional().openapi({ description: '覆盖方案的督办规则(可选)' }),
    signOffLevels: z
      .number()
      .int()
      .min(0)
      .max(MAX_SIGN_OFF_LEVELS)
      .default(0)
      .openapi({ description: '提交后需逐级确认的上级层数,如 2:村提交→乡镇确认→局确认→办公室审核' }),
    fromInstruction: TaskOriginSchema.optional().openapi({
      description: '本任务来自领导批示(可选):批示人、日期和内容',
    }),
  })
  // Checked whatever else failed, so one 400 names these with every other bad field.
  .check(
    acrossFields(
      (t): t is { leadUnitId: string; coUnitIds: unknown[] } =>
        isRecord(t) && typeof t.leadUnitId === 'string' && Array.isArray(t.coUnitIds),
      (t) =>
        t.coUnitIds.includes(t.leadUnitId)
          ? [{ field: 'coUnitIds', message: '牵头单位不能同时作为配合单位' }]
          : [],
    ),
    acrossFields(isRecord, (t) =>
      (t.dueAt === undefined) === (t.recurrence === undefined)
        ? [{ field: 'dueAt', message: '请给出截止时间 dueAt,或周期规则 recurrence(二者选一)' }]
        : [],
    ),
  )
  .openapi('CreateTask');

export const TaskSchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    title: z.string(),
    description: z.string(),
    phaseKey: z.string(),
    leadUnitId: z.string(),
    coUnitIds: z.array(z.string()),
    dueAt: z.string().nullable(),
    recurrence: RecurrenceSchema.nullable().default(null),
    progressReports: RecurrenceSchema.nullable()
      .optional()
      .openapi({ description: '按期报告进度的规则;null 或缺省为不要求' }),
    kind: DutyKindSchema.default('task'),
    escalation: EscalationPolicySchema.nullable().default(null),
    signOffLevels: z.number().int().default(0),
    occurrencesUntil: z
      .string()
      .nullable()
      .default(null)
      .openapi({ description: '周期任务:已生成到此时间之前到期的各期任务' }),
    nextMaterializeAt: z.string().nullable().default(null),
    fromInstruction: TaskOriginSchema.nullable()
      .optional()
      .openapi({ description: '本任务来自领导批示:批示人、日期和内容' }),
    instructionCount: z
      .number()
      .int()
      .optional()
      .openapi({ description: '对本任务及其各单位任务的批示条数(没有批示时页面不必查询)' }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('Task');

export const TaskWithDutiesSchema = TaskSchema.extend({ duties: z.array(DutySchema) }).openapi(
  'TaskWithDuties',
);

export type CreateTaskInput = z.infer<typeof CreateTaskSchema>;
export type Task = z.infer<typeof TaskSchema>;
