import { z } from '@hono/zod-openapi';
import zhCN from 'zod/v4/locales/zh-CN.js';
import { MAX_YEAR, MIN_YEAR } from '../domain/duty/due-time.js';

// Users read Chinese: zod's own messages (too short, wrong type …) come out in Simplified Chinese.
// Only this locale is loaded; the bundle build drops zod's other ~50 (see test/bench/bundle.ts).
z.config(zhCN());

export { z };

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const slug = (what: string) =>
  z
    .string()
    .regex(SLUG_PATTERN, `${what}只能由小写字母、数字和“-”组成,以字母或数字开头,最长 63 个字符`)
    .max(63);

/** Trimmed human text: Chinese, emoji and long strings are stored exactly as given, minus edge spaces. */
export const text = (min: number, max: number) => z.string().trim().min(min).max(max);

/** A calendar-date string; the year within the span every due time must fall in (1970–2999). */
export const isoDateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((d) => {
    const year = Number(d.slice(0, 4));
    return year >= MIN_YEAR && year <= MAX_YEAR;
  }, `日期应在 ${MIN_YEAR}–${MAX_YEAR} 年之间`)
  .openapi({ example: '2026-05-14' });

export const instantString = z.string().openapi({ format: 'date-time', example: '2026-05-26T15:59:59.999Z' });

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string().openapi({ example: '请求参数有误' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ example: 50 }),
  cursor: z.string().max(2048).optional(),
};

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: '下一页游标;为 null 表示没有更多' }),
    })
    .openapi(name);
