import { FIGURE_SOURCES } from '../domain/indicator/consistency.js';
import { INDICATOR_PERIODS } from '../domain/indicator/period.js';
import { line, slug, uniqueItems, z } from './common.js';

const decimal = (what: string) =>
  z
    .string()
    .max(30)
    .regex(/^\d+(\.\d+)?$/, `${what}应为不带单位的非负数,如 98.5`);

export const IndicatorKeySchema = slug('指标标识').max(40);

export const PutIndicatorSchema = z
  .strictObject({
    name: line(1, 100).openapi({ example: '初中阶段净入学率' }),
    measure: z.enum(['ratio', 'count', 'amount']).openapi({
      description: 'ratio 比率(分子/分母),count 数量(人、间、处),amount 金额(元)',
    }),
    unitOfMeasure: line(1, 10).openapi({ description: '计量单位:% ‰ 人 元 间 处 …', example: '%' }),
    direction: z.enum(['gte', 'lte', 'eq']).openapi({ description: 'gte ≥,lte ≤,eq =' }),
    target: decimal('目标值').openapi({ example: '98' }),
    warningBand: decimal('预警区间')
      .optional()
      .openapi({ description: '离目标不足此值时为预警(与目标同单位)', example: '0.5' }),
    mayExceedWhole: z.boolean().default(false).openapi({ description: '分子可大于分母(如毛入学率)' }),
    veto: z.boolean().default(false).openapi({ description: '一票否决' }),
    period: z.enum(INDICATOR_PERIODS).openapi({ description: 'monthly 按月,semester 按学期,once 一次性' }),
    reportingUnitIds: z
      .array(slug('单位编号'))
      .min(1)
      .max(2000)
      .check(uniqueItems('单位不能重复'))
      .openapi({ description: '填报单位' }),
    tolerance: decimal('三一致容差')
      .optional()
      .openapi({ description: '不同来源的数字相差不超过此值视为一致(人、元);省略则须完全一致' }),
    expectedVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: '修改已有指标时必填(当前版本号);省略表示新建' }),
  })
  .openapi('PutIndicator');

export const IndicatorSchema = z
  .object({
    planId: z.string(),
    key: z.string(),
    name: z.string(),
    measure: z.enum(['ratio', 'count', 'amount']),
    unitOfMeasure: z.string(),
    direction: z.enum(['gte', 'lte', 'eq']),
    target: z.string(),
    warningBand: z.string().optional(),
    mayExceedWhole: z.boolean(),
    veto: z.boolean(),
    period: z.enum(INDICATOR_PERIODS),
    reportingUnitIds: z.array(z.string()),
    tolerance: z.string().optional(),
    version: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('Indicator');

export const FigureSourceSchema = z.enum(FIGURE_SOURCES).openapi({
  description: 'report 报表,registry 学籍系统,aid 资助系统,archive 档案,platform 大数据平台',
});

export const PutFigureSchema = z
  .strictObject({
    unitId: slug('单位编号')
      .optional()
      .openapi({ description: '填报单位;单位用户省略即本单位,办公室代填时必填' }),
    source: FigureSourceSchema,
    numerator: z.string().max(30).openapi({ description: '分子(或数量、金额),不填百分比', example: '1198' }),
    denominator: z
      .string()
      .max(30)
      .optional()
      .openapi({ description: '分母(比率指标必填)', example: '1203' }),
    evidence: z
      .array(line(1, 300))
      .max(20)
      .default([])
      .openapi({ description: '佐证材料(文件编号或说明)', example: ['学籍系统导出 2026-05-31'] }),
    expectedVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: '更正已报数字时必填(当前版本号);省略表示首次填报' }),
  })
  .openapi('PutFigure');

export const FigureSchema = z
  .object({
    planId: z.string(),
    key: z.string(),
    unitId: z.string(),
    period: z.string(),
    source: FigureSourceSchema,
    numerator: z.string(),
    denominator: z.string().optional(),
    evidence: z.array(z.string()),
    version: z.number().int(),
    reportedAt: z.string(),
    reportedBy: z.string(),
  })
  .openapi('Figure');

const StatusSchema = z.enum(['met', 'warning', 'breached']);
const ConsistencySchema = z
  .enum(['single', 'agree', 'mismatch', 'none'])
  .openapi({ description: '三一致:single 仅一个来源,agree 一致,mismatch 不一致,none 未填报' });

export const FigureResultSchema = FigureSchema.extend({
  status: StatusSchema.nullable(),
  consistency: ConsistencySchema,
  breachNoticeId: z.string().nullable().openapi({ description: '未达标时的通知(每个指标、单位、周期一次)' }),
  findingId: z.string().nullable().openapi({ description: '三一致不符时的自查问题' }),
}).openapi('FigureResult');

const CellSchema = z.object({
  figure: z.object({ numerator: z.string(), denominator: z.string().optional() }).nullable(),
  basis: z.enum(['reported', 'rolled-up', 'missing']),
  value: z.string().nullable(),
  status: StatusSchema.nullable(),
  consistency: ConsistencySchema,
  sources: z.array(FigureSourceSchema),
});

const RowFields = {
  cells: z.record(z.string(), CellSchema),
  light: z.enum(['red', 'yellow', 'green', 'none']),
  vetoed: z.boolean(),
  vetoReasons: z.array(z.string()),
  consistency: ConsistencySchema,
};

export const IndicatorTableSchema = z
  .object({
    planId: z.string(),
    period: z.string(),
    indicators: z.array(IndicatorSchema.extend({ targetWords: z.string() })),
    rows: z.array(
      z.object({ unitId: z.string(), unitName: z.string(), depth: z.number().int(), ...RowFields }),
    ),
    total: z.object(RowFields).openapi({ description: '全县合计;任一一票否决指标未达标即为红' }),
  })
  .openapi('IndicatorTable');

export const IndicatorTrendSchema = z
  .object({
    indicator: IndicatorSchema.extend({ targetWords: z.string() }),
    unitId: z.string().nullable().openapi({ description: '单位用户:其本单位的数字一并给出' }),
    points: z.array(
      z.object({
        period: z.string(),
        label: z.string(),
        value: z.string().nullable().openapi({ description: '全县汇总值(按计量单位,两位小数)' }),
        status: StatusSchema.nullable(),
        unitValue: z.string().nullable(),
        unitStatus: StatusSchema.nullable(),
      }),
    ),
  })
  .openapi('IndicatorTrend');

export const TableQuerySchema = z.strictObject({
  period: z
    .string()
    .regex(/^[0-9a-z-]{1,20}$/, '周期应写作 2026-05、2026-spring、2026-autumn 或 once')
    .openapi({ example: '2026-05' }),
  asOf: z.iso
    .datetime({
      offset: true,
      message: '截止时间应为带时区偏移的 ISO 8601 时间,如 2026-06-19T17:00:00+08:00',
    })
    .optional()
    .openapi({ description: '按此时的数字(其后的更正不计入);省略为当前数字' }),
});

export type PutIndicatorInput = z.infer<typeof PutIndicatorSchema>;
export type Indicator = z.infer<typeof IndicatorSchema>;
export type PutFigureInput = z.infer<typeof PutFigureSchema>;
export type FigureRecord = z.infer<typeof FigureSchema>;
export type FigureResult = z.infer<typeof FigureResultSchema>;
export type IndicatorTableView = z.infer<typeof IndicatorTableSchema>;
export type IndicatorTrend = z.infer<typeof IndicatorTrendSchema>;
