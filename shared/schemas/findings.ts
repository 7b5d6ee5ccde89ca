import { dueTime, line, slug, text, uniqueItems, z } from './common.js';
import { TASK_TITLE_MAX } from './tasks.js';

/** A finding's rectification task is titled with this prefix and the finding's title. */
export const RECTIFICATION_TITLE_PREFIX = '【整改】';

/** So that the prefixed title still fits a task's. */
export const FINDING_TITLE_MAX = TASK_TITLE_MAX - RECTIFICATION_TITLE_PREFIX.length;

export const FINDING_SOURCES = ['self-check', 'county-check', 'unannounced', 'higher-level'] as const;

export const CreateFindingSchema = z
  .strictObject({
    title: line(1, FINDING_TITLE_MAX).openapi({ example: '东街村适龄儿童花名册与学籍系统不一致' }),
    detail: text(1, 5000),
    unitIds: z.array(slug('单位编号')).min(1).max(97).check(uniqueItems('单位不能重复')),
    dueAt: dueTime().openapi({ description: '整改期限(带时区偏移或仅日期)', example: '2026-06-05' }),
    source: z.enum(FINDING_SOURCES).openapi({
      description: 'self-check 自查, county-check 县级检查, unannounced 四不两直暗访, higher-level 上级检查',
    }),
    phaseKey: slug('阶段标识').max(40).optional().openapi({ description: '省略则为当前阶段' }),
  })
  .openapi('CreateFinding');

export const FindingSchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    title: z.string(),
    detail: z.string(),
    source: z.enum(FINDING_SOURCES),
    phaseKey: z.string(),
    unitIds: z.array(z.string()),
    taskId: z.string(),
    dutyIds: z.array(z.string()),
    dueAt: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    resolvedAt: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: '自查(三一致)问题:各来源数字一致之时,问题随之销号' }),
  })
  .openapi('Finding');

export const FindingViewSchema = FindingSchema.extend({
  status: z.enum(['open', 'closed']).openapi({ description: 'closed 已销号:所有整改任务均已办结' }),
  closedAt: z.string().nullable(),
  accepted: z.number().int(),
  total: z.number().int(),
}).openapi('FindingView');

export const ClosePhaseSchema = z
  .strictObject({
    override: z
      .strictObject({
        reason: text(1, 2000),
        // Kept on the plan item with the closure: ids only, and few enough for the item's 400 KB.
        openDutyIds: z
          .array(z.string().regex(/^[a-z0-9-]{1,64}$/, '任务编号格式无效'))
          .min(1)
          .max(1000, '一次最多列出 1000 项未办结任务')
          .openapi({ description: '明确列出仍未办结的任务,与实际一致才能关闭' }),
      })
      .optional(),
  })
  .openapi('ClosePhase');

export const ReopenPhaseSchema = z
  .strictObject({ reason: text(1, 2000).openapi({ example: '上级通知补充宣传任务,重新开放本阶段。' }) })
  .openapi('ReopenPhase');

export type CreateFindingInput = z.infer<typeof CreateFindingSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type FindingView = z.infer<typeof FindingViewSchema>;
export type ClosePhaseInput = z.infer<typeof ClosePhaseSchema>;
export type ReopenPhaseInput = z.infer<typeof ReopenPhaseSchema>;
