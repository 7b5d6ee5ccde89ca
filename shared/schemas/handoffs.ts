import { dueTime, slug, text, uniqueItems, z } from './common.js';
import { DutySchema } from './duties.js';

/**
 * The most units one 转办 reaches: the parent's update, the phase gate and two events share the
 * transaction's 100 items with the new duties.
 */
export const MAX_HANDOFF_UNITS = 95;

export const HandOffSchema = z
  .strictObject({
    unitIds: z
      .array(slug('下级单位编号'))
      .min(1)
      .max(MAX_HANDOFF_UNITS)
      .check(uniqueItems('下级单位不能重复'))
      .openapi({ description: '转办给的下级单位(本单位下属的村、学校等)', example: ['dongjie-village'] }),
    note: text(0, 2000).optional().openapi({ description: '转办要求(可选)' }),
    dueAt: dueTime()
      .optional()
      .openapi({ description: '下级单位的截止时间,不得晚于本单位的截止时间;省略时与本单位相同' }),
  })
  .openapi('HandOff');

export type HandOffInput = z.infer<typeof HandOffSchema>;

export const HandOffResultSchema = z
  .object({
    duty: DutySchema.openapi({ description: '本单位的任务(handedTo 列出全部转办)' }),
    children: z.array(DutySchema).openapi({ description: '本次请求所涉各下级单位的任务' }),
    created: z
      .number()
      .int()
      .openapi({ description: '本次新转办的单位数(已转办过的单位不能再次转办:409 already_handed_off)' }),
  })
  .openapi('HandOffResult');

export type HandOffResult = z.infer<typeof HandOffResultSchema>;
