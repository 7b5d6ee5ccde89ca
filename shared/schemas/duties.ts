import { DUTY_STATUSES } from '../domain/duty/duty-status.js';
import { pageQuery, slug, text, z } from './common.js';

export const DutyStatusSchema = z.enum(DUTY_STATUSES).openapi({
  description: 'open 待办(含退回整改), submitted 已提交待审核, accepted 已办结',
});

export const EvidenceSchema = z
  .strictObject({
    title: text(1, 200).openapi({ example: '适龄儿童花名册(签字版)' }),
    ref: text(1, 2000).openapi({ description: '文件引用或链接', example: 'files/2026/roster.pdf' }),
  })
  .openapi('Evidence');

export const SubmitDutySchema = z
  .strictObject({
    note: text(1, 5000).openapi({ example: '本村适龄学生全部在校,已经村支书、村长签字。' }),
    evidence: z.array(EvidenceSchema).max(50).default([]),
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于当前版本' }),
  })
  .openapi('SubmitDuty');

export const SubmissionSchema = z.object({
  note: z.string(),
  evidence: z.array(EvidenceSchema),
  submittedAt: z.string(),
  submittedBy: z.string(),
});

export const DutySchema = z
  .object({
    id: z.string(),
    planId: z.string(),
    taskId: z.string(),
    unitId: z.string(),
    role: z.enum(['lead', 'co']).openapi({ description: 'lead 牵头单位, co 配合单位' }),
    title: z.string(),
    phaseKey: z.string(),
    dueAt: z.string(),
    status: DutyStatusSchema,
    overdue: z.boolean(),
    round: z.number().int().openapi({ description: '第几轮(退回整改后加一)' }),
    returns: z.number().int(),
    submission: SubmissionSchema.nullable(),
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
export type SubmitDutyInput = z.infer<typeof SubmitDutySchema>;
export type Duty = z.infer<typeof DutySchema>;
export type Evidence = z.infer<typeof EvidenceSchema>;
