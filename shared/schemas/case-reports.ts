/**
 * 控辍保学 reports and settings: the weekly form (周报表) each school files, generated from its
 * cases; the county ledger (台账); the office's step deadlines and retention period.
 */
import { slug, uniqueItems, z } from './common.js';
import { DutySchema } from './duties.js';

export const WeeklyFormSetupSchema = z
  .strictObject({
    planId: slug('方案编号'),
    phaseKey: slug('阶段标识').max(40),
    schoolUnitIds: z
      .array(slug('学校编号'))
      .min(1, '至少选择一所学校')
      .max(500)
      .check(uniqueItems('学校不能重复'))
      .openapi({ description: '中心校、局直学校、民办学校,每校一项每周报表任务' }),
    weekday: z.number().int().min(1).max(7).default(5).openapi({ description: '截止星期几,默认周五' }),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
      .default('12:00')
      .openapi({ description: '截止时间,默认 12:00(周五中午前)' }),
  })
  .openapi('CaseWeeklyFormSetup');

export const WeeklyFormSetupResultSchema = z
  .object({
    tasks: z.array(
      z.object({ unitId: z.string(), taskId: z.string(), created: z.boolean(), duties: z.number().int() }),
    ),
    created: z.number().int(),
    existing: z.number().int(),
  })
  .openapi('CaseWeeklyFormSetupResult');

const FormCountSchema = z.object({
  total: z.number().int(),
  registeredPoor: z.number().int().openapi({ description: '其中建档立卡脱贫户' }),
  monitored: z.number().int().openapi({ description: '其中监测对象' }),
  disabled: z.number().int().openapi({ description: '其中残疾儿童' }),
});

export const WeeklyFormSchema = z
  .object({
    dutyId: z.string(),
    schoolUnitId: z.string(),
    week: z.object({ start: z.string(), end: z.string(), label: z.string() }),
    asOf: z.string().openapi({ description: '统计截至日期' }),
    figures: z.object({
      newSuspected: FormCountSchema.openapi({ description: '新增疑似辍学' }),
      newDropouts: FormCountSchema.openapi({ description: '新认定辍学' }),
      returned: FormCountSchema.openapi({ description: '复学' }),
      inPersuasion: FormCountSchema.openapi({ description: '劝返中' }),
    }),
    zeroReport: z.boolean().openapi({ description: '各项均为 0:零报告' }),
    text: z.string().openapi({ description: '报送时作为任务办理说明的周报表文字' }),
  })
  .openapi('CaseWeeklyForm');

export const FileWeeklyFormSchema = z
  .strictObject({
    zeroReport: z
      .boolean()
      .default(false)
      .openapi({ description: '零报告(一键):仅当由案例生成的各项均为 0 时可用,否则 409' }),
    version: z.number().int().min(1).optional().openapi({ description: '乐观锁:给出时必须等于任务当前版本' }),
  })
  .openapi('FileCaseWeeklyForm');

export const FiledWeeklyFormSchema = z
  .object({ form: WeeklyFormSchema, duty: DutySchema })
  .openapi('FiledCaseWeeklyForm');
