import {
  ADDRESSEES,
  DEFAULT_ESCALATION_POLICY,
  type LevelShape,
  validatePolicy,
} from '../domain/escalation/ladder.js';
import { acrossFields, isRecord, slug, z } from './common.js';

export const EscalationLevelSchema = z
  .strictObject({
    level: slug('级别名称').max(40).openapi({ example: 'escalate' }),
    offsetWorkingDays: z
      .number()
      .int()
      .min(-30)
      .max(60)
      .openapi({ description: '相对截止时间的工作日数,负数为提前' }),
    addressees: z
      .array(z.enum(ADDRESSEES))
      .min(1)
      .openapi({ description: 'unit 责任单位, parent 上级单位, leaders 全体领导, office 领导小组办公室' }),
  })
  .openapi('EscalationLevel');

const hasLevels = (levels: unknown): levels is LevelShape[] =>
  Array.isArray(levels) &&
  levels.every(
    (l) =>
      isRecord(l) &&
      typeof l.level === 'string' &&
      typeof l.offsetWorkingDays === 'number' &&
      Array.isArray(l.addressees),
  );

export const EscalationPolicySchema = z
  .array(EscalationLevelSchema)
  .min(1)
  .max(8)
  // Order and duplicates across the levels, also when one level's own field failed.
  .check(acrossFields(hasLevels, (levels) => validatePolicy(levels, '')))
  .openapi('EscalationPolicy', {
    description: '督办规则:按顺序的级别,工作日偏移严格递增',
    example: DEFAULT_ESCALATION_POLICY,
  });
