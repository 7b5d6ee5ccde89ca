import { isValidIsoDate } from '../domain/time/zoned-time.js';
import { isoDateString, line, text, z } from './common.js';

/** A date that is one (not 2026-13-40). */
const realDate = isoDateString.refine(isValidIsoDate, '不是有效的日期');

/** The longest 批示 (characters): a leader's instruction is a paragraph, not a report. */
export const INSTRUCTION_TEXT_MAX = 1000;

export const CreateInstructionSchema = z
  .strictObject({
    text: text(1, INSTRUCTION_TEXT_MAX).openapi({
      description: '批示内容',
      example: '请教体局牵头,务必于本周内完成摸排,逐户核实。',
    }),
    signedBy: line(1, 40)
      .optional()
      .openapi({ description: '批示人(姓名、职务);省略时为登录账号', example: '王县长' }),
    signedOn: realDate.optional().openapi({ description: '批示日期(YYYY-MM-DD);省略时为方案时区的今天' }),
  })
  .openapi('CreateInstruction');

export type CreateInstructionInput = z.infer<typeof CreateInstructionSchema>;

export const InstructionSchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    taskId: z.string(),
    dutyId: z
      .string()
      .nullable()
      .openapi({ description: '批示所针对的单位任务;null 表示针对整项任务(各责任单位都能看到)' }),
    text: z.string(),
    signedBy: z.string().openapi({ description: '批示人' }),
    signedOn: z.string().openapi({ description: '批示日期(YYYY-MM-DD)' }),
    // Not `role`: with `taskId`, that attribute would key the item into the byTask index of duties.
    authorRole: z
      .enum(['office', 'leader'])
      .openapi({ description: '批示人的角色:leader 领导,office 办公室' }),
    by: z.string().openapi({ description: '录入人账号' }),
    at: z.string().openapi({ description: '录入时间' }),
    noticeIds: z.array(z.string()).openapi({ description: '据此发出的通知(每个责任单位一条)' }),
  })
  .openapi('Instruction');

export type Instruction = z.infer<typeof InstructionSchema>;

export const InstructionListSchema = z
  .object({ items: z.array(InstructionSchema) })
  .openapi('InstructionList');

/** A task's record that it came from a leader's 批示 (given on paper or by word, before duban). */
export const TaskOriginSchema = z
  .strictObject({
    signedBy: line(1, 40).openapi({ description: '批示人', example: '王县长' }),
    signedOn: realDate.openapi({ description: '批示日期' }),
    text: text(1, INSTRUCTION_TEXT_MAX).openapi({ description: '批示内容(摘要)' }),
  })
  .openapi('TaskOrigin');

export type TaskOrigin = z.infer<typeof TaskOriginSchema>;
