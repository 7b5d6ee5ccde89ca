import { dueTime, text, z } from './common.js';

export const CreateExtensionSchema = z
  .strictObject({
    reason: text(1, 2000).openapi({ example: '需等待县公安局提供户籍核实数据。' }),
    progress: text(1, 2000).openapi({ example: '已完成 80% 的入户摸排。' }),
    proposedDueAt: dueTime().openapi({
      description: '建议的新截止时间(带时区偏移或仅日期)',
      example: '2026-06-10',
    }),
  })
  .openapi('CreateExtensionRequest');

export const ApproveExtensionSchema = z
  .strictObject({
    dueAt: dueTime().optional().openapi({ description: '批准的新截止时间;省略则按申请的时间' }),
    note: text(1, 2000).optional(),
  })
  .openapi('ApproveExtension');

export const RefuseExtensionSchema = z
  .strictObject({ reason: text(1, 2000).openapi({ example: '时间充足,请按期完成。' }) })
  .openapi('RefuseExtension');

export const ExtensionRequestSchema = z
  .object({
    id: z.string(),
    dutyId: z.string(),
    planId: z.string(),
    unitId: z.string(),
    reason: z.string(),
    progress: z.string(),
    dueAtWhenRequested: z.string(),
    proposedDueAt: z.string(),
    status: z.enum(['pending', 'approved', 'refused']),
    requestedAt: z.string(),
    requestedBy: z.string(),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decisionNote: z.string().nullable(),
    approvedDueAt: z.string().nullable(),
  })
  .openapi('ExtensionRequest');

export type ExtensionRequest = z.infer<typeof ExtensionRequestSchema>;
export type CreateExtensionInput = z.infer<typeof CreateExtensionSchema>;
export type ApproveExtensionInput = z.infer<typeof ApproveExtensionSchema>;
