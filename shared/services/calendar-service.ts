import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository, StoredYearCalendar } from '../db/calendar-repository.js';
import { parseHolidayNotice } from '../domain/calendar/holiday-notice.js';
import {
  createWorkingCalendar,
  officialYearCalendar,
  validateYearCalendar,
} from '../domain/calendar/working-calendar.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { CalendarNoticeResult, YearCalendarView } from '../schemas/calendar.js';
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
  /**
   * Reads the State Council's holiday notice for `year`. `preview` parses and writes nothing (errors
   * come back in the result); `commit` saves the parse as the year's override, conditionally on the
   * version the office previewed, audited with the text's SHA-256 — or, if the text has any error,
   * refuses with a 400 naming each line and writes nothing.
   */
  notice(
    principal: Principal,
    year: number,
    body: { text: string; mode: 'preview' | 'commit'; expectedVersion?: number | undefined },
    now: Date,
  ): Promise<CalendarNoticeResult>;
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

  async function save(
    principal: Principal,
    year: number,
    days: { holidays: string[]; workdays: string[] },
    current: StoredYearCalendar | undefined,
    action: string,
    extra: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    const stored = await calendars.put(
      {
        year,
        ...days,
        updatedAt: now.toISOString(),
        updatedBy: principal.sub,
        version: (current?.version ?? 0) + 1,
      },
      current?.version ?? null,
      auditEvent(
        principal,
        action,
        { type: 'calendar', id: String(year) },
        {
          before: current === undefined ? null : { holidays: current.holidays, workdays: current.workdays },
          after: { ...days, ...extra },
        },
        now,
      ),
    );
    if (!stored) throw new ConflictError('version_conflict', '该年度日历刚被他人修改,请刷新后重试');
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
      await save(principal, year, { holidays, workdays }, current, 'calendar.put', {}, now);
      return view(year);
    },

    async notice(principal, year, body, now) {
      authorize(principal, 'calendar.write');
      const parsed = parseHolidayNotice(body.text, year);
      // The notice's own checks cover most of these; the store's rules are checked too, so a
      // notice can never save what `PUT` would refuse.
      const stored = validateYearCalendar({ year, holidays: parsed.holidays, workdays: parsed.workdays });
      const errors = [
        ...parsed.errors,
        ...stored.map((p) => ({ line: null, item: null, message: p.message })),
      ];
      let current = (await calendars.list()).find((c) => c.year === year);
      if (body.mode === 'commit') {
        if (errors.length > 0) {
          throw new ValidationError(
            `通知有 ${errors.length} 处无法识别或有误,未保存:${errors[0]?.message ?? ''}`,
            errors.map((e) => ({ field: 'text', message: e.message })),
          );
        }
        if (body.expectedVersion !== undefined && body.expectedVersion !== (current?.version ?? 0)) {
          throw new ConflictError('version_conflict', '该年度日历在预览后已被他人修改,请重新预览后再保存');
        }
        const sha256 = createHash('sha256').update(body.text).digest('hex');
        await save(
          principal,
          year,
          { holidays: parsed.holidays, workdays: parsed.workdays },
          current,
          'calendar.notice',
          { noticeSha256: sha256, items: parsed.items.map((i) => i.name) },
          now,
        );
        current = (await calendars.list()).find((c) => c.year === year);
      }
      return {
        year,
        mode: body.mode,
        saved: body.mode === 'commit',
        items: parsed.items,
        holidays: parsed.holidays,
        workdays: parsed.workdays,
        errors,
        notes: parsed.notes,
        version: current?.version ?? 0,
        calendar: await view(year),
      };
    },
  };
}

const pick = (c: { year: number; holidays: string[]; workdays: string[] }) => ({
  year: c.year,
  holidays: c.holidays,
  workdays: c.workdays,
});
