import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import {
  createWorkingCalendar,
  officialYearCalendar,
  validateYearCalendar,
} from '../domain/calendar/working-calendar.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { YearCalendarView } from '../schemas/calendar.js';
import { authorize } from './access.js';

export interface CalendarService {
  /** The calendar in force for a year: the office's override, the official data, or plain weekdays. */
  get(principal: Principal, year: number): Promise<YearCalendarView>;
  /** Replaces a year's holidays and adjusted working days; takes effect without a deploy. */
  put(
    principal: Principal,
    year: number,
    body: { holidays: string[]; workdays: string[] },
    now: Date,
  ): Promise<YearCalendarView>;
}

export function calendarService(calendars: CalendarRepository): CalendarService {
  async function view(year: number): Promise<YearCalendarView> {
    const overrides = await calendars.list();
    const override = overrides.find((c) => c.year === year);
    if (override !== undefined) {
      return {
        ...pick(override),
        source: 'override',
        updatedAt: override.updatedAt,
        updatedBy: override.updatedBy,
      };
    }
    const source = createWorkingCalendar([]).sourceOf(year);
    const official = officialYearCalendar(year);
    return {
      year,
      holidays: official?.holidays ?? [],
      workdays: official?.workdays ?? [],
      source,
      updatedAt: null,
      updatedBy: null,
    };
  }

  return {
    async get(principal, year) {
      authorize(principal, 'calendar.read');
      return view(year);
    },

    async put(principal, year, body, now) {
      authorize(principal, 'calendar.write');
      const holidays = [...new Set(body.holidays)].sort();
      const workdays = [...new Set(body.workdays)].sort();
      const problems = validateYearCalendar({ year, holidays: body.holidays, workdays: body.workdays }).map(
        (p) => ({
          field: p.field.replace(/\[(\d+)\]/g, '.$1'),
          message: p.message,
        }),
      );
      if (problems.length > 0) throw new ValidationError('日历数据有误', problems);
      const current = (await calendars.list()).find((c) => c.year === year);
      const stored = await calendars.put(
        {
          year,
          holidays,
          workdays,
          updatedAt: now.toISOString(),
          updatedBy: principal.sub,
          version: (current?.version ?? 0) + 1,
        },
        current?.version ?? null,
        auditEvent(
          principal,
          'calendar.put',
          { type: 'calendar', id: String(year) },
          {
            before: current === undefined ? null : { holidays: current.holidays, workdays: current.workdays },
            after: { holidays, workdays },
          },
          now,
        ),
      );
      if (!stored) throw new ConflictError('version_conflict', '该年度日历刚被他人修改,请刷新后重试');
      return view(year);
    },
  };
}

const pick = (c: { year: number; holidays: string[]; workdays: string[] }) => ({
  year: c.year,
  holidays: c.holidays,
  workdays: c.workdays,
});
