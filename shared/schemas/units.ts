import { acrossFields, isRecord, line, slug, uniqueItems, z } from './common.js';

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
    aliases: z
      .array(z.string())
      .default([])
      .openapi({ description: '办公室登记的简称、别名(如 县教体局),导入任务表时按名称或别名匹配单位' }),
    active: z.boolean().openapi({ description: '停用后该单位的令牌立即失效,其任务、通知和记录保留' }),
    deactivatedAt: z.string().nullable().default(null),
    hasUnitsBelow: z
      .boolean()
      .optional()
      .openapi({ description: '有直属下级单位时为 true(菜单显示 下级任务、下级确认);随下级单位的创建写入' }),
    createdAt: z.string(),
    createdBy: z.string(),
    version: z.number().int(),
  })
  .openapi('Unit');

/** The most aliases one unit keeps. */
export const MAX_UNIT_ALIASES = 20;

export const SetUnitAliasesSchema = z
  .strictObject({
    aliases: z
      .array(line(1, 100))
      .max(MAX_UNIT_ALIASES, `别名最多 ${MAX_UNIT_ALIASES} 个`)
      .check(uniqueItems('别名不能重复'))
      .openapi({ example: ['县教体局', '教体局'] }),
  })
  .openapi('SetUnitAliases');

export type SetUnitAliasesInput = z.infer<typeof SetUnitAliasesSchema>;
export type CreateUnitInput = z.infer<typeof CreateUnitSchema>;
export type Unit = z.infer<typeof UnitSchema>;
export type UnitKind = z.infer<typeof UnitKindSchema>;
