import { type RuleDates, recurrenceRuleProblems } from '../domain/duty/recurrence.js';
import { isValidIsoDate } from '../domain/time/zoned-time.js';
import { acrossFields, isoDateString, isRecord, uniqueItems, z } from './common.js';

export const HOLIDAY_RULES = ['none', 'previous-working-day', 'next-working-day'] as const;
export const MAX_RECURRENCE_COUNT = 500;
export const MAX_SEMESTER_WINDOWS = 4;
/** The most days before its period starts that an occurrence may be filed. */
export const MAX_LEAD_DAYS = 30;

const calendarDate = isoDateString.refine(isValidIsoDate, '日期不存在');

// 24:00 is refused: "end of day" is what leaving the time out means.
const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM(00:00 至 23:59)')
  .openapi({ example: '12:00' });

const optionalTime = localTime
  .optional()
  .openapi({ description: '方案时区内的当地时间 HH:MM;省略表示当天结束(23:59:59.999)' });

const monthDay = z.union(
  [z.number().int('日期应为整数').min(1, '日期应为 1 至 31').max(31, '日期应为 1 至 31'), z.literal('last')],
  { error: '日期应为 1 至 31 的整数或 "last"(月末)' },
);

const common = {
  start: calendarDate.optional().openapi({ description: '最早可落在的日期;省略时为任务所在阶段的开始日期' }),
  until: calendarDate.optional().openapi({ description: '最后可落在的日期(含当天)' }),
  count: z
    .number()
    .int('次数应为整数')
    .min(1, '次数至少为 1')
    .max(MAX_RECURRENCE_COUNT, `次数最多为 ${MAX_RECURRENCE_COUNT}`)
    .optional()
    .openapi({ description: '总次数,从规则自身的开始日期起算' }),
  leadDays: z
    .number()
    .int('提前报送天数应为整数')
    .min(0, `提前报送天数应为 0 至 ${MAX_LEAD_DAYS}`)
    .max(MAX_LEAD_DAYS, `提前报送天数应为 0 至 ${MAX_LEAD_DAYS}`)
    .optional()
    .openapi({
      description:
        '提前报送天数:每期最早可在本期开始前几天报送(默认 0,即本期开始当天 0 时起);本期之前的期次不能提前报送(含零报告)',
      example: 0,
    }),
  holidayRule: z
    .enum(HOLIDAY_RULES, { error: '节假日规则应为 none、previous-working-day 或 next-working-day' })
    .optional()
    .openapi({
      description:
        '应截止日为非工作日时:none 不调整(默认);previous-working-day 提前到前一个工作日;next-working-day 顺延到下一个工作日',
    }),
};

const WeeklySchema = z
  .strictObject({
    freq: z.literal('weekly'),
    weekdays: z
      .array(
        z
          .number()
          .int('星期几应为整数')
          .min(1, '星期几应为 1(周一)至 7(周日)')
          .max(7, '星期几应为 1(周一)至 7(周日)'),
      )
      .min(1, '至少选择一个星期几')
      .max(7, '星期几最多 7 个')
      .check(uniqueItems('星期几不能重复'))
      .openapi({ description: '1=周一 … 7=周日', example: [5] }),
    time: localTime.openapi({ description: '方案时区内的当地时间 HH:MM' }),
    ...common,
  })
  .openapi({ description: '每周:在给定的星期几、给定的当地时间截止(如每周五 12:00)' });

const MonthlySchema = z
  .strictObject({
    freq: z.literal('monthly'),
    day: monthDay.openapi({ description: '每月第几日;大于当月天数时为月末;"last" 为月末', example: 'last' }),
    time: optionalTime,
    ...common,
  })
  .openapi({ description: '每月:在给定的日期截止' });

const MonthlyTimesSchema = z
  .strictObject({
    freq: z.literal('monthly-times'),
    times: z
      .number()
      .int('每月次数应为整数')
      .min(1, '每月次数应为 1 至 10')
      .max(10, '每月次数应为 1 至 10')
      .openapi({ example: 4 }),
    time: optionalTime,
    ...common,
  })
  .openapi({
    description:
      '每月 N 次:把当月等分为 N 段,第 k 段截止于第 ⌊k×当月天数÷N⌋ 日(如 30 天的月份 4 次:7、15、22、30 日)',
  });

const EveryNMonthsSchema = z
  .strictObject({
    freq: z.literal('every-n-months'),
    months: z
      .number()
      .int('间隔月数应为整数')
      .min(1, '间隔月数应为 1 至 12')
      .max(12, '间隔月数应为 1 至 12')
      .openapi({ example: 2 }),
    day: monthDay,
    time: optionalTime,
    ...common,
  })
  .openapi({ description: '每 N 个月:从开始日期所在月份起,每隔 N 个月在给定日期截止' });

const SemesterSchema = z
  .strictObject({
    freq: z.literal('semester'),
    windows: z
      .array(z.strictObject({ start: calendarDate, end: calendarDate }))
      .min(1, '至少需要一个学期时段')
      .max(MAX_SEMESTER_WINDOWS, `学期时段最多 ${MAX_SEMESTER_WINDOWS} 个`)
      .openapi({
        description: '按时间先后排列、互不重叠;每个时段一次,截止于其结束日期当天结束',
        example: [
          { start: '2026-03-02', end: '2026-03-15' },
          { start: '2026-09-01', end: '2026-09-14' },
        ],
      }),
    ...common,
  })
  .openapi({ description: '每学期:每个时段一次' });

const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

const hasRuleDates = (rule: unknown): rule is RuleDates =>
  isRecord(rule) &&
  typeof rule.freq === 'string' &&
  optionalString(rule.start) &&
  optionalString(rule.until) &&
  (rule.windows === undefined ||
    (Array.isArray(rule.windows) &&
      rule.windows.every((w) => isRecord(w) && typeof w.start === 'string' && typeof w.end === 'string')));

/**
 * How a recurring task repeats. Each occurrence becomes its own duty, identified by an occurrence
 * key that does not move when a holiday shifts the due date.
 */
export const RecurrenceSchema = z
  .discriminatedUnion(
    'freq',
    [WeeklySchema, MonthlySchema, MonthlyTimesSchema, EveryNMonthsSchema, SemesterSchema],
    { error: '重复方式 freq 应为 weekly、monthly、monthly-times、every-n-months 或 semester' },
  )
  // The rule's own cross-field checks, also when another of its fields failed.
  .check(acrossFields(hasRuleDates, recurrenceRuleProblems))
  .openapi('Recurrence');

export type Recurrence = z.infer<typeof RecurrenceSchema>;
export type HolidayRule = (typeof HOLIDAY_RULES)[number];
