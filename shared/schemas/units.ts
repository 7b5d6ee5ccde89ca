import { acrossFields, isRecord, line, slug, z } from './common.js';

export const UNIT_KINDS = ['bureau', 'section', 'township', 'village', 'school', 'other'] as const;

export const UnitKindSchema = z.enum(UNIT_KINDS).openapi({
  description: 'bureau 局, section 股室, township 乡镇, village 村, school 学校, other 其他',
});

export const CreateUnitSchema = z
  .strictObject({
    id: slug('单位编号').optional().openapi({ example: 'edu-bureau' }),
    name: line(1, 100).openapi({ example: '县教育体育局' }),
    kind: UnitKindSchema,
    parentId: slug('上级单位编号').optional(),
  })
  .check(
    acrossFields(
      (u): u is { id: string; parentId: string } =>
        isRecord(u) && typeof u.id === 'string' && typeof u.parentId === 'string',
      (u) => (u.id === u.parentId ? [{ field: 'parentId', message: '上级单位不能是自己' }] : []),
    ),
  )
  .openapi('CreateUnit');

export const UnitSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: UnitKindSchema,
    parentId: z.string().nullable(),
    active: z.boolean().openapi({ description: '停用后该单位的令牌立即失效,其任务、通知和记录保留' }),
    deactivatedAt: z.string().nullable().default(null),
    createdAt: z.string(),
    createdBy: z.string(),
    version: z.number().int(),
  })
  .openapi('Unit');

export type CreateUnitInput = z.infer<typeof CreateUnitSchema>;
export type Unit = z.infer<typeof UnitSchema>;
export type UnitKind = z.infer<typeof UnitKindSchema>;
