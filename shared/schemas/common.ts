import { z } from '@hono/zod-openapi';
import zhCN from 'zod/v4/locales/zh-CN.js';
import { MAX_YEAR, MIN_YEAR, parseDueAt } from '../domain/duty/due-time.js';

// Users read Chinese: zod's own messages (too short, wrong type …) come out in Simplified Chinese.
// Only this locale is loaded; the bundle build drops zod's other ~50 (infra/cloud/bundling/zod-locales.ts).
z.config(zhCN());

export { z };

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const slug = (what: string) =>
  z
    .string()
    .regex(SLUG_PATTERN, `${what}只能由小写字母、数字和“-”组成,以字母或数字开头,最长 63 个字符`)
    .max(63);

// Cc: C0 controls (NUL, U+0001 …), DEL and the C1 controls. In a `u` regex a surrogate pair reads as
// one code point, so \p{Cs} matches only a lone half, which no UTF-8 store or file can carry.
const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\u2028\u2029]|\p{Cs}/u;
const CONTROL_BUT_TAB_NEWLINE_OR_LONE_SURROGATE = /[^\P{Cc}\t\n\r]|\p{Cs}/u;

const codePoint = (ch: string) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with user text, in Chinese, or undefined: a control character (a single line
 * takes none, line breaks and tabs included; long text keeps tab, CR and LF) or a lone surrogate.
 * Both are invisible, so the message says where.
 */
export function textProblem(value: string, kind: 'line' | 'multiline'): string | undefined {
  const pattern = kind === 'line' ? CONTROL_OR_LONE_SURROGATE : CONTROL_BUT_TAB_NEWLINE_OR_LONE_SURROGATE;
  const match = pattern.exec(value);
  if (match === null) return undefined;
  const ch = match[0];
  const at = [...value.slice(0, match.index)].length + 1;
  if (/\p{Cs}/u.test(ch)) return `第 ${at} 个字符(${codePoint(ch)})是无效字符,请删除后重新输入`;
  if (kind === 'line' && /[\t\n\r\u2028\u2029]/.test(ch)) return `不能换行或含制表符(第 ${at} 个字符)`;
  return `第 ${at} 个字符(${codePoint(ch)})是控制字符,请删除后重新输入`;
}

/** The check `line` and `text` end with; for string schemas with their own messages (file names). */
export const plainText = (kind: 'line' | 'multiline') =>
  z.superRefine<string>((value, ctx) => {
    const message = textProblem(value, kind);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

/**
 * One line of human text (a name, a title, a file name, a link): trimmed; Chinese and emoji kept
 * as given; no control character, line break or tab, no lone surrogate.
 */
export const line = (min: number, max: number) =>
  z.string().trim().min(min).max(max).check(plainText('line'));

/**
 * Long human text (a note, a description, a reason): trimmed; tabs and line breaks kept; no other
 * control character, no lone surrogate.
 */
export const text = (min: number, max: number) =>
  z.string().trim().min(min).max(max).check(plainText('multiline'));

/**
 * A due time as typed (see `parseDueAt`): an ISO 8601 date-time with an offset, or a date (the end
 * of that day in the plan's timezone, which the service applies). Its form is checked here, with
 * the other fields, so one 400 names it with them.
 */
export const dueTime = () =>
  z
    .string()
    .max(40)
    .superRefine((value, ctx) => {
      // The zone only turns a date into an instant; whether the text is a due time does not depend on it.
      const parsed = parseDueAt(value, 'UTC');
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    });

/** A field problem as the domain's validators report it: the field's dotted path and a message. */
interface PathProblem {
  field: string;
  message: string;
}

const toPath = (field: string) =>
  field
    .split('.')
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/**
 * A check across fields of an object (or the items of an array) that runs even when other fields
 * failed. zod skips a refinement once any part of the value has an issue, so a 400 would name the
 * first problems and hide these until the clerk fixed those and sent again. `ready` says whether
 * the parts the check reads are there with the right types (it is given the value as parsed so
 * far); a problem on a field already named is left out, so each field says its own first.
 */
export function acrossFields<R>(
  ready: (value: unknown) => value is R,
  problems: (value: R) => Iterable<PathProblem>,
) {
  return z.superRefine<unknown>(
    (value, ctx) => {
      if (!ready(value)) return;
      const named = new Set(ctx.issues.map((i) => i.path?.join('.') ?? ''));
      for (const p of problems(value)) {
        const path = toPath(p.field);
        if (!named.has(path.join('.'))) ctx.addIssue({ code: 'custom', path, message: p.message });
      }
    },
    { when: (payload) => ready(payload.value) },
  );
}

const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

/** An array's items must all differ; checked also when some item failed (that item names itself). */
export const uniqueItems = (message: string) =>
  acrossFields(isArray, (items) => (new Set(items).size === items.length ? [] : [{ field: '', message }]));

/** Whether `v` is a plain object: what an object's cross-field check needs before reading it. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

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
