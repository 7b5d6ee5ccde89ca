import { line, pageQuery, slug, z } from './common.js';
import { EscalationLevelSchema } from './escalation.js';

export const RecipientSchema = z.string().openapi({
  description: 'unit:<unitId>、role:leaders(全体领导)或 role:office(领导小组办公室)',
  example: 'unit:edu-bureau',
});

export const AckSchema = z.object({ at: z.string(), by: z.string() });

export const NoticeSchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    // Absent from a notice about no task (an indicator's breach): read as ''.
    taskId: z.string().default(''),
    dutyId: z.string(),
    unitId: z.string().openapi({ description: '所督办任务的责任单位' }),
    dutyTitle: z.string(),
    round: z.number().int(),
    level: z.string(),
    levelLabel: z.string().openapi({ example: '督办' }),
    offsetWorkingDays: EscalationLevelSchema.shape.offsetWorkingDays,
    addressees: EscalationLevelSchema.shape.addressees,
    recipients: z.array(RecipientSchema),
    dueAt: z.string(),
    scheduledAt: z.string().openapi({ description: '此级别按规则应触发的时间' }),
    createdAt: z.string().openapi({ description: '通知实际写出的时间' }),
    workingDaysLate: z.number().int().openapi({ description: '写出时已逾期的工作日数' }),
    calendarFallback: z.boolean().openapi({ description: '计算时有年份缺少官方节假日数据,按周一至周五计' }),
    acks: z.record(z.string(), AckSchema).openapi({ description: '各接收方的签收时间' }),
    text: z.string().nullable().optional().openapi({ description: '催办(level 为 manual)时附言' }),
    pressedBy: z.string().optional().openapi({ description: '催办(level 为 manual)的发起人' }),
    caseId: z
      .string()
      .optional()
      .openapi({ description: '控辍保学案例的通知(level 以 case- 开头):所涉案例;正文不含学生姓名、电话' }),
  })
  .openapi('Notice');

export const RemindSchema = z
  .strictObject({
    text: line(1, 200)
      .optional()
      .openapi({ description: '催办附言(最多 200 字)', example: '请于今天下班前报送。' }),
  })
  .openapi('Remind');

export type RemindInput = z.infer<typeof RemindSchema>;

export const NoticeListQuerySchema = z.strictObject({
  unitId: slug('单位编号').optional(),
  planId: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, '工作方案编号格式无效')
    .optional(),
  level: slug('级别名称').max(40).optional(),
  ...pageQuery,
});

export const SweepRequestSchema = z
  .strictObject({
    planId: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, '工作方案编号格式无效')
      .optional(),
  })
  .openapi('SweepRequest');

export const SweepResultSchema = z
  .object({
    asOf: z.string(),
    plans: z.number().int(),
    examined: z.number().int().openapi({ description: '读到的到期待处理任务数' }),
    written: z.number().int().openapi({ description: '新写出的通知数' }),
    alreadyWritten: z
      .number()
      .int()
      .openapi({ description: '已由其他巡检(并发的,或中途停止的)写出的通知数;其未完成的后续写入本次补完' }),
    occurrencesCreated: z.number().int().openapi({ description: '新生成的周期任务期次(各单位合计)' }),
    failed: z.number().int().openapi({ description: '本次未能处理、留待下次巡检的条目数' }),
    itemsRead: z
      .number()
      .int()
      .openapi({ description: '从巡检索引读到的条目数(到期任务、周期任务及未写完的通知),不随方案总量增长' }),
    casesExamined: z
      .number()
      .int()
      .openapi({ description: '读到的到期控辍保学案例数(只读下一级通知已到期的案例)' }),
    casesErased: z
      .number()
      .int()
      .default(0)
      .openapi({ description: '本次因超过保存期限而删除身份信息的已复学案例数' }),
    calendarFallbackYears: z
      .array(z.number().int())
      .openapi({ description: '缺少官方节假日数据、按周一至周五计算的年份' }),
  })
  .openapi('SweepResult');

export type Notice = z.infer<typeof NoticeSchema>;
export type SweepResult = z.infer<typeof SweepResultSchema>;
