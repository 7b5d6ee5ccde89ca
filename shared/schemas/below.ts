import { slug, z } from './common.js';
import { statusCounts } from './plans.js';
import { UnitKindSchema } from './units.js';

/** `GET /v1/units/{unitId}/below/duties`: the plan whose duties are counted. */
export const BelowQuerySchema = z.strictObject({
  planId: slug('工作方案编号').openapi({ example: 'p-01jx' }),
});

const LightSchema = z.enum(['red', 'yellow', 'blue', 'green']).openapi({
  description: '序时进度亮灯(统一规则):red 逾期,yellow 滞后于序时进度,blue 临近截止,green 正常推进',
});

const lightCounts = z
  .object({
    red: z.number().int(),
    yellow: z.number().int(),
    blue: z.number().int(),
    green: z.number().int(),
  })
  .openapi({ description: '待办任务按亮灯计数' });

export const BelowUnitSchema = z
  .object({
    unitId: z.string(),
    name: z.string(),
    kind: UnitKindSchema,
    /** The worst light among its open duties (green with none). */
    light: LightSchema,
    lights: lightCounts,
    counts: statusCounts,
  })
  .openapi('BelowUnit');

export const BelowSummarySchema = z
  .object({
    unitId: z.string().openapi({ description: '查看的上级单位' }),
    planId: z.string(),
    asOf: z.string(),
    units: z
      .array(BelowUnitSchema)
      .openapi({ description: '直属下级单位,每个一行,按亮灯由差到好、再按名称排序' }),
    all: z.object({ counts: statusCounts, lights: lightCounts }),
    source: z
      .object({
        unitsBelow: z.number().int(),
        cells: z.number().int().openapi({ description: '读取的计数项(下级单位 × 阶段)' }),
        openDuties: z.number().int().openapi({ description: '读取的待办任务(用于亮灯和逾期)' }),
      })
      .openapi({ description: '读了什么:计数项和待办任务,从不读取全部任务' }),
  })
  .openapi('BelowSummary');

export type BelowUnit = z.infer<typeof BelowUnitSchema>;
export type BelowSummary = z.infer<typeof BelowSummarySchema>;
