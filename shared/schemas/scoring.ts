import { slug, z } from './common.js';

/** Points are kept in tenths: a rule may say 0.5, never 0.25. */
const points = (what: string, min: number) =>
  z
    .number({ error: `${what}应为数字` })
    .min(min, `${what}不能小于 ${min}`)
    .max(1000, `${what}不能大于 1000`)
    .refine((n) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9, { error: `${what}最多一位小数` })
    .openapi({ description: `${what}(分,最多一位小数)` });

const deduction = (what: string) => points(what, 0);

export const IndicatorWeightSchema = z
  .strictObject({
    met: points('达标得分', -1000),
    warning: points('预警得分', -1000),
    breached: points('未达标得分', -1000),
  })
  .openapi('IndicatorWeight');

export const ScoringRulesSchema = z
  .strictObject({
    base: points('基础分', 0),
    perOnTime: points('按时办结每项加分', 0),
    perOverdueDay: deduction('逾期每个工作日扣分'),
    overdueCap: deduction('逾期扣分上限').optional(),
    perReturn: deduction('退回整改每次扣分'),
    perNotice: z
      .record(slug('督办级别'), deduction('该级别督办通知每次扣分'))
      .openapi({ description: '按督办级别(如 overdue、escalate、accountability)每次扣分' }),
    perMissedReport: deduction('漏报零报告每次扣分'),
    perLateExtension: deduction('临期申请延期每次扣分'),
    lateExtensionHours: z
      .number()
      .int('临期申请的时限应为整数小时')
      .min(1, '临期申请的时限至少 1 小时')
      .max(720, '临期申请的时限最多 720 小时')
      .optional()
      .openapi({ description: '距截止时间不足此小时数才提出的延期申请算临期申请;默认 24' }),
    indicators: z
      .record(slug('指标标识'), z.strictObject({ weight: IndicatorWeightSchema }))
      .optional()
      .openapi({ description: '各指标达标、预警、未达标的得分;未列出的指标按默认权重' }),
  })
  .openapi('ScoringRules');

export const PutScoringRulesSchema = ScoringRulesSchema.extend({
  expectedVersion: z
    .number({ error: '须提供方案当前版本号 expectedVersion' })
    .int()
    .min(1)
    .openapi({ description: '方案当前版本号;方案已被修改时返回 409' }),
}).openapi('PutScoringRules');

export type ScoringRulesInput = z.infer<typeof ScoringRulesSchema>;
export type PutScoringRulesInput = z.infer<typeof PutScoringRulesSchema>;
