import { acrossFields, isRecord, pageQuery, z } from './common.js';

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: z.string().openapi({ description: '变更发生的真实时间' }),
    businessAt: z.string().openapi({ description: '业务时钟时间(演练时与真实时间不同)' }),
    actor: z.string(),
    role: z.enum(['office', 'leader', 'unit']),
    actorUnitId: z.string().nullable(),
    requestId: z.string().nullable(),
    action: z.string().openapi({ example: 'duty.submit' }),
    entityType: z.enum([
      'unit',
      'plan',
      'task',
      'duty',
      'notice',
      'calendar',
      'report',
      'case',
      'channel',
      'settings',
      'semester',
      'roster',
      'care-file',
    ]),
    entityId: z.string(),
    planId: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable().openapi({ description: '变更前(仅变更的字段)' }),
    after: z.record(z.string(), z.unknown()).nullable().openapi({ description: '变更后(仅变更的字段)' }),
  })
  .openapi('AuditEvent');

const instant = z.iso.datetime({ offset: true, error: '时间格式应为带时区的 ISO 8601' });

export const AuditQuerySchema = z
  .strictObject({
    planId: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, '工作方案编号格式无效')
      .optional(),
    actor: z.string().min(1).max(200).optional(),
    from: instant.optional(),
    to: instant.optional(),
    ...pageQuery,
  })
  .check(
    acrossFields(
      (q): q is { from: string; to: string } =>
        isRecord(q) && typeof q.from === 'string' && typeof q.to === 'string',
      (q) =>
        // A malformed bound is named by its own check; NaN compares false here.
        Date.parse(q.from) > Date.parse(q.to) ? [{ field: 'to', message: '结束时间不能早于开始时间' }] : [],
    ),
  );

export const HistoryQuerySchema = z.strictObject({ ...pageQuery });

export type AuditEventView = z.infer<typeof AuditEventSchema>;
