import { isoDateString, z } from './common.js';

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
