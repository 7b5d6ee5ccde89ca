import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  createWorkingCalendar,
  firstWorkingDayOnOrAfter,
  lastWorkingDayOnOrBefore,
  officialYearCalendar,
  officialYears,
  shiftByWorkingDays,
  validateYearCalendar,
  type WorkingCalendar,
  workingDaysLate,
  type YearCalendar,
} from '../../shared/domain/calendar/working-calendar.js';
import { addDays } from '../../shared/domain/time/zoned-time.js';

const TZ = 'Asia/Shanghai';

/** The days of `year` where `cal` departs from plain Mon–Fri: weekdays off, weekend days on. */
function departuresFromWeekdays(year: number, cal: WorkingCalendar): { off: string[]; on: string[] } {
  const off: string[] = [];
  const on: string[] = [];
  for (let date = `${year}-01-01`; date.startsWith(String(year)); date = addDays(date, 1)) {
    const day = new Date(`${date}T00:00:00Z`).getUTCDay();
    const weekend = day === 0 || day === 6;
    const working = cal.isWorkingDay(date);
    if (weekend && working) on.push(date);
    if (!weekend && !working) off.push(date);
  }
  return { off, on };
}

function range(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}

const shanghai = (local: string): Date => new Date(`${local}+08:00`);

describe('official data from chinese-days', () => {
  it('covers a contiguous run of years from 2004 through at least 2026', () => {
    const years = officialYears();
    expect(years[0]).toBe(2004);
    expect(years.at(-1)).toBeGreaterThanOrEqual(2026);
    expect(years).toEqual(Array.from({ length: years.length }, (_, i) => 2004 + i));
  });

  it('lists 元旦 for every covered year and passes the office validation rules', () => {
    for (const year of officialYears()) {
      const calendar = officialYearCalendar(year);
      expect(calendar?.holidays).toContain(`${year}-01-01`);
      expect(calendar && validateYearCalendar(calendar)).toEqual([]);
    }
    expect(officialYearCalendar(2031)).toBeUndefined();
  });

  it('hands out copies, so a caller cannot change the shared data', () => {
    officialYearCalendar(2025)?.holidays.push('2025-03-03');
    expect(officialYearCalendar(2025)?.holidays).not.toContain('2025-03-03');
  });

  // 国务院办公厅 国办发明电〔2023〕7号, the 2024 schedule, written out by hand.
  it('matches the official 2024 schedule exactly', () => {
    const cal = createWorkingCalendar([]);
    expect(departuresFromWeekdays(2024, cal)).toEqual({
      off: [
        '2024-01-01', // 元旦
        ...range('2024-02-12', '2024-02-16'), // 春节 2/10–2/17
        '2024-04-04', // 清明 4/4–4/6
        '2024-04-05',
        ...range('2024-05-01', '2024-05-03'), // 劳动节 5/1–5/5
        '2024-06-10', // 端午
        '2024-09-16', // 中秋 9/15–9/17
        '2024-09-17',
        ...range('2024-10-01', '2024-10-04'), // 国庆 10/1–10/7
        '2024-10-07',
      ],
      on: [
        '2024-02-04',
        '2024-02-18',
        '2024-04-07',
        '2024-04-28',
        '2024-05-11',
        '2024-09-14',
        '2024-09-29',
        '2024-10-12',
      ],
    });
    for (const date of range('2024-02-10', '2024-02-17')) expect(cal.isWorkingDay(date)).toBe(false);
    for (const date of range('2024-10-01', '2024-10-07')) expect(cal.isWorkingDay(date)).toBe(false);
    expect(cal.sourceOf(2024)).toBe('official');
    expect(cal.fallbackYearsUsed()).toEqual([]);
  });

  // 国办发明电〔2024〕12号, the 2025 schedule (the first under the new rules: 春节 and 劳动节 one day longer).
  it('matches the official 2025 schedule exactly', () => {
    const cal = createWorkingCalendar([]);
    expect(departuresFromWeekdays(2025, cal)).toEqual({
      off: [
        '2025-01-01', // 元旦
        ...range('2025-01-28', '2025-01-31'), // 春节 1/28–2/4
        '2025-02-03',
        '2025-02-04',
        '2025-04-04', // 清明 4/4–4/6
        '2025-05-01', // 劳动节 5/1–5/5
        '2025-05-02',
        '2025-05-05',
        '2025-06-02', // 端午 5/31–6/2
        ...range('2025-10-01', '2025-10-03'), // 国庆、中秋 10/1–10/8
        ...range('2025-10-06', '2025-10-08'),
      ],
      on: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
    });
    for (const date of range('2025-01-28', '2025-02-04')) expect(cal.isWorkingDay(date)).toBe(false);
    for (const date of range('2025-05-01', '2025-05-05')) expect(cal.isWorkingDay(date)).toBe(false);
    for (const date of range('2025-10-01', '2025-10-08')) expect(cal.isWorkingDay(date)).toBe(false);
  });
});

describe('addWorkingDays', () => {
  const cal = createWorkingCalendar([]);

  it('crosses New Year 2025 (1 January off) in both directions', () => {
    expect(addWorkingDays('2024-12-31', 1, cal)).toBe('2025-01-02');
    expect(addWorkingDays('2024-12-31', 3, cal)).toBe('2025-01-06');
    expect(addWorkingDays('2025-01-02', -1, cal)).toBe('2024-12-31');
    expect(addWorkingDays('2025-01-01', 1, cal)).toBe('2025-01-02');
  });

  it('skips the Spring Festival and lands on the 调休 weekend days', () => {
    expect(addWorkingDays('2025-01-24', 1, cal)).toBe('2025-01-26'); // Friday → working Sunday
    expect(addWorkingDays('2025-01-27', 1, cal)).toBe('2025-02-05');
    expect(addWorkingDays('2025-02-07', 1, cal)).toBe('2025-02-08'); // Friday → working Saturday
    expect(addWorkingDays('2025-02-05', -2, cal)).toBe('2025-01-26');
  });

  it('returns the date itself for n = 0, even on a holiday', () => {
    expect(addWorkingDays('2025-10-03', 0, cal)).toBe('2025-10-03');
  });

  it('refuses an invalid date or a fractional count', () => {
    expect(() => addWorkingDays('2025-02-30', 1, cal)).toThrow(RangeError);
    expect(() => addWorkingDays('2025-02-03', 1.5, cal)).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2025/02/03')).toThrow(RangeError);
  });
});

describe('overrides and fallback', () => {
  it('lets an override replace the official data for its year entirely', () => {
    const override: YearCalendar = { year: 2025, holidays: ['2025-03-03'], workdays: ['2025-03-08'] };
    const cal = createWorkingCalendar([override]);
    expect(cal.sourceOf(2025)).toBe('override');
    expect(cal.isWorkingDay('2025-03-03')).toBe(false);
    expect(cal.isWorkingDay('2025-03-08')).toBe(true);
    // The official days of 2025 are gone: 元旦 is a working Wednesday, the 调休 Sunday is off.
    expect(cal.isWorkingDay('2025-01-01')).toBe(true);
    expect(cal.isWorkingDay('2025-01-26')).toBe(false);
    // Other years keep the official data.
    expect(cal.sourceOf(2024)).toBe('official');
    expect(cal.isWorkingDay('2024-10-01')).toBe(false);
    expect(cal.fallbackYearsUsed()).toEqual([]);
  });

  it('lets an override bring in a year the package does not cover yet', () => {
    const cal = createWorkingCalendar([{ year: 2031, holidays: ['2031-01-01'], workdays: [] }]);
    expect(cal.sourceOf(2031)).toBe('override');
    expect(cal.isWorkingDay('2031-01-01')).toBe(false);
    expect(cal.fallbackYearsUsed()).toEqual([]);
  });

  it('falls back to plain weekdays for an uncovered year and reports it, sorted and unique', () => {
    const cal = createWorkingCalendar([]);
    expect(cal.sourceOf(2031)).toBe('weekdays');
    expect(cal.fallbackYearsUsed()).toEqual([]); // asking for the source is not using the year
    expect(cal.isWorkingDay('2031-01-01')).toBe(true); // a Wednesday: 元旦 is unknown without data
    expect(cal.isWorkingDay('2031-01-04')).toBe(false); // a Saturday
    expect(cal.isWorkingDay('2030-06-03')).toBe(true);
    expect(cal.isWorkingDay('2025-06-03')).toBe(true);
    expect(cal.fallbackYearsUsed()).toEqual([2030, 2031]);
  });

  it('reports a fallback reached by counting across a year boundary', () => {
    const cal = createWorkingCalendar([]);
    const last = officialYears().at(-1) ?? 0;
    addWorkingDays(`${last}-12-31`, 1, cal);
    expect(cal.fallbackYearsUsed()).toEqual([last + 1]);
  });

  it('gives each of several side-by-side computations a view that reports only its own fallbacks', () => {
    const cal = createWorkingCalendar([]);
    const first = cal.view();
    const second = cal.view();
    expect(first.isWorkingDay('2025-06-03')).toBe(true);
    expect(second.isWorkingDay('2031-01-01')).toBe(true);
    expect(first.fallbackYearsUsed()).toEqual([]);
    expect(second.fallbackYearsUsed()).toEqual([2031]);
    // A view of a view still reports up: the whole computation sees every year any part used.
    expect(first.view().isWorkingDay('2030-06-03')).toBe(true);
    expect(first.fallbackYearsUsed()).toEqual([2030]);
    expect(cal.fallbackYearsUsed()).toEqual([2030, 2031]);
    expect(first.sourceOf(2024)).toBe('official');
  });

  it('uses the official data it is given instead of the package', () => {
    const cal = createWorkingCalendar([], [{ year: 2024, holidays: ['2024-03-01'], workdays: [] }]);
    expect(cal.isWorkingDay('2024-03-01')).toBe(false);
    expect(cal.isWorkingDay('2024-10-01')).toBe(true);
    expect(cal.sourceOf(2025)).toBe('weekdays');
  });

  it('refuses an invalid override and two overrides for one year', () => {
    expect(() => createWorkingCalendar([{ year: 2025, holidays: [], workdays: ['2025-03-05'] }])).toThrow(
      RangeError,
    );
    const empty: YearCalendar = { year: 2025, holidays: [], workdays: [] };
    expect(() => createWorkingCalendar([empty, empty])).toThrow(/Two calendar overrides for 2025/);
  });
});

describe('shiftByWorkingDays in Asia/Shanghai', () => {
  const cal = createWorkingCalendar([]);

  it('moves forward across National Day 2024, keeping the time of day', () => {
    expect(shiftByWorkingDays(shanghai('2024-09-30T12:00:00'), 1, TZ, cal)).toEqual(
      shanghai('2024-10-08T12:00:00'),
    );
    expect(shiftByWorkingDays(shanghai('2024-09-27T09:30:00'), 1, TZ, cal)).toEqual(
      shanghai('2024-09-29T09:30:00'),
    );
  });

  it('moves backward across National Day 2025, onto the working Sunday', () => {
    expect(shiftByWorkingDays(shanghai('2025-10-09T10:00:00'), -1, TZ, cal)).toEqual(
      shanghai('2025-09-30T10:00:00'),
    );
    expect(shiftByWorkingDays(shanghai('2025-10-09T10:00:00'), -3, TZ, cal)).toEqual(
      shanghai('2025-09-28T10:00:00'),
    );
  });

  it('returns the instant unchanged for n = 0, even on a holiday', () => {
    const instant = shanghai('2024-10-03T15:20:00');
    expect(shiftByWorkingDays(instant, 0, TZ, cal)).toEqual(instant);
  });

  it('keeps seconds and milliseconds', () => {
    expect(shiftByWorkingDays(shanghai('2025-09-30T17:45:30.250'), 1, TZ, cal)).toEqual(
      shanghai('2025-10-09T17:45:30.250'),
    );
  });

  it('counts from the local date, not the UTC date', () => {
    // 2025-09-30T16:30Z is 00:30 on 1 October in Shanghai, a holiday.
    expect(shiftByWorkingDays(new Date('2025-09-30T16:30:00Z'), 1, TZ, cal)).toEqual(
      new Date('2025-10-08T16:30:00Z'),
    );
  });

  it('keeps the wall-clock time across a daylight-saving change in another zone', () => {
    // New York springs forward on 2026-03-08: Friday 09:00 EST, Monday 09:00 EDT.
    expect(shiftByWorkingDays(new Date('2026-03-06T14:00:00Z'), 1, 'America/New_York', cal)).toEqual(
      new Date('2026-03-09T13:00:00Z'),
    );
  });

  it('refuses an unknown time zone or an invalid Date', () => {
    expect(() => shiftByWorkingDays(new Date(), 1, 'Mars/Olympus', cal)).toThrow(RangeError);
    expect(() => shiftByWorkingDays(new Date(Number.NaN), 1, TZ, cal)).toThrow(RangeError);
  });
});

describe('workingDaysLate', () => {
  const cal = createWorkingCalendar([]);

  it('is 0 at the exact due instant and before it', () => {
    const due = shanghai('2025-03-14T12:00:00');
    expect(workingDaysLate(due, due, TZ, cal)).toBe(0);
    expect(workingDaysLate(due, shanghai('2025-03-10T08:00:00'), TZ, cal)).toBe(0);
  });

  it('is 0 later on the due date itself', () => {
    expect(workingDaysLate(shanghai('2025-03-14T12:00:00'), shanghai('2025-03-14T23:59:59'), TZ, cal)).toBe(
      0,
    );
  });

  it('does not count the weekend: due Friday noon, submitted Monday 09:00 is 1', () => {
    const due = shanghai('2025-03-14T12:00:00');
    expect(workingDaysLate(due, shanghai('2025-03-15T10:00:00'), TZ, cal)).toBe(0);
    expect(workingDaysLate(due, shanghai('2025-03-16T22:00:00'), TZ, cal)).toBe(0);
    expect(workingDaysLate(due, shanghai('2025-03-17T09:00:00'), TZ, cal)).toBe(1);
    expect(workingDaysLate(due, shanghai('2025-03-18T09:00:00'), TZ, cal)).toBe(2);
  });

  it('does not count the seven days of National Day 2024', () => {
    const due = shanghai('2024-09-30T17:00:00');
    expect(workingDaysLate(due, shanghai('2024-10-07T23:00:00'), TZ, cal)).toBe(0);
    expect(workingDaysLate(due, shanghai('2024-10-08T09:00:00'), TZ, cal)).toBe(1);
    // 10/8–10/11 and the working Saturday 10/12.
    expect(workingDaysLate(due, shanghai('2024-10-12T10:00:00'), TZ, cal)).toBe(5);
  });

  it('counts by local date: 17:00 UTC is already the next day in Shanghai', () => {
    const due = shanghai('2025-03-17T12:00:00');
    expect(workingDaysLate(due, new Date('2025-03-17T15:59:59Z'), TZ, cal)).toBe(0);
    expect(workingDaysLate(due, new Date('2025-03-17T16:00:00Z'), TZ, cal)).toBe(1);
  });
});

describe('lastWorkingDayOnOrBefore and firstWorkingDayOnOrAfter', () => {
  const cal = createWorkingCalendar([]);

  it('moves a Friday that is a holiday back to the last working day before it', () => {
    expect(lastWorkingDayOnOrBefore('2025-10-03', cal)).toBe('2025-09-30');
    expect(lastWorkingDayOnOrBefore('2025-10-10', cal)).toBe('2025-10-10');
  });

  it('finds the last working day of a month', () => {
    expect(lastWorkingDayOnOrBefore('2025-05-31', cal)).toBe('2025-05-30');
    expect(lastWorkingDayOnOrBefore('2024-09-30', cal)).toBe('2024-09-30');
    expect(lastWorkingDayOnOrBefore('2025-01-31', cal)).toBe('2025-01-27');
  });

  it('finds the first working day on or after a date, 调休 weekend days included', () => {
    expect(firstWorkingDayOnOrAfter('2025-10-01', cal)).toBe('2025-10-09');
    expect(firstWorkingDayOnOrAfter('2024-02-10', cal)).toBe('2024-02-18');
    expect(firstWorkingDayOnOrAfter('2025-03-03', cal)).toBe('2025-03-03');
  });
});

describe('validateYearCalendar', () => {
  it('accepts a valid year, including a holiday on a weekend', () => {
    expect(
      validateYearCalendar({ year: 2027, holidays: ['2027-01-01', '2027-01-02'], workdays: ['2027-01-10'] }),
    ).toEqual([]);
  });

  it('refuses invalid dates and dates of another year', () => {
    expect(
      validateYearCalendar({ year: 2027, holidays: ['2027-02-30', '2026-12-31'], workdays: [] }),
    ).toEqual([
      { field: 'holidays[0]', message: '放假日“2027-02-30”不是有效日期，应为 YYYY-MM-DD 格式的真实日期' },
      { field: 'holidays[1]', message: '放假日 2026-12-31 不在 2027 年内' },
    ]);
  });

  it('refuses duplicates and a date that is both off and on', () => {
    expect(
      validateYearCalendar({ year: 2027, holidays: ['2027-01-02', '2027-01-02'], workdays: ['2027-01-02'] }),
    ).toEqual([
      { field: 'holidays[1]', message: '放假日 2027-01-02 重复' },
      { field: 'workdays[0]', message: '2027-01-02 不能既是放假日又是调休上班日' },
    ]);
  });

  it('refuses a workday that is not a Saturday or Sunday', () => {
    expect(validateYearCalendar({ year: 2025, holidays: [], workdays: ['2025-03-05'] })).toEqual([
      { field: 'workdays[0]', message: '调休上班日 2025-03-05 是星期三，只能是星期六或星期日' },
    ]);
  });

  it('refuses a year that is not an integer', () => {
    expect(validateYearCalendar({ year: 2025.5, holidays: [], workdays: [] })).toEqual([
      { field: 'year', message: '年份必须是 0 到 9999 之间的整数，收到“2025.5”' },
    ]);
  });
});
