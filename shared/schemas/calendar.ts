import { isoDateString, text, z } from './common.js';

export const YearCalendarBodySchema = z
  .strictObject({
    holidays: z.array(isoDateString).max(100).openapi({ description: '放假日(含法定节假日)' }),
    workdays: z.array(isoDateString).max(30).openapi({ description: '调休上班的周末' }),
  })
  .openapi('YearCalendarInput');

export const YearCalendarSchema = z
  .object({
    year: z.number().int(),
    holidays: z.array(z.string()),
    workdays: z.array(z.string()),
    source: z.enum(['override', 'official', 'weekdays']).openapi({
      description: 'override 办公室设置, official 内置官方数据, weekdays 无数据按周一至周五',
    }),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi('YearCalendar');

export type YearCalendarView = z.infer<typeof YearCalendarSchema>;

export const CalendarNoticeBodySchema = z
  .strictObject({
    text: text(1, 20_000).openapi({
      description: '国务院办公厅关于{year}年部分节假日安排的通知的正文(直接粘贴)',
    }),
    mode: z
      .enum(['preview', 'commit'])
      .openapi({ description: 'preview 只解析不保存;commit 解析无误后保存为该年度日历' }),
    expectedVersion: z
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: '可选。预览时看到的版本(0 表示尚未设置);保存时已被他人修改则返回 409' }),
  })
  .openapi('CalendarNoticeInput');

const NoticeProblemSchema = z.object({
  line: z.number().int().nullable().openapi({ description: '粘贴文本中的行号(从 1 起)' }),
  item: z.string().nullable().openapi({ description: '条目名称,如“春节”' }),
  message: z.string(),
});

export const CalendarNoticeResultSchema = z
  .object({
    year: z.number().int(),
    mode: z.enum(['preview', 'commit']),
    saved: z.boolean(),
    items: z.array(
      z.object({
        line: z.number().int(),
        number: z.string(),
        name: z.string(),
        text: z.string(),
        holidays: z.array(z.string()),
        workdays: z.array(z.string()),
      }),
    ),
    holidays: z.array(z.string()),
    workdays: z.array(z.string()),
    errors: z.array(NoticeProblemSchema),
    notes: z.array(NoticeProblemSchema),
    /** The version now stored for the year (0: none), to send back as `expectedVersion`. */
    version: z.number().int(),
    calendar: YearCalendarSchema,
  })
  .openapi('CalendarNoticeResult');

export type CalendarNoticeResult = z.infer<typeof CalendarNoticeResultSchema>;
