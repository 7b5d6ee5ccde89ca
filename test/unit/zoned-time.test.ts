import { describe, expect, it } from 'vitest';
import {
  addDays,
  DEFAULT_TIME_ZONE,
  endOfLocalDay,
  isValidIsoDate,
  isValidTimeZone,
  localDateOf,
  startOfLocalDay,
  zonedToInstant,
} from '../../shared/domain/time/zoned-time.js';

const SHANGHAI = 'Asia/Shanghai';
const NEW_YORK = 'America/New_York';

describe('isValidTimeZone', () => {
  it.each([SHANGHAI, NEW_YORK, 'UTC', 'Europe/London', 'Asia/Urumqi'])('accepts %s', (tz) => {
    expect(isValidTimeZone(tz)).toBe(true);
  });

  it.each(['', ' ', 'Mars/Olympus_Mons', 'Asia/Beijing', 'Shanghai', 'GMT+99'])('refuses %j', (tz) => {
    expect(isValidTimeZone(tz)).toBe(false);
  });

  it('defaults to the zone every office is in', () => {
    expect(DEFAULT_TIME_ZONE).toBe(SHANGHAI);
    expect(isValidTimeZone(DEFAULT_TIME_ZONE)).toBe(true);
  });
});

describe('isValidIsoDate', () => {
  it.each(['2026-05-13', '2024-02-29', '2000-02-29', '2026-12-31', '2026-01-01', '0001-01-01', '9999-12-31'])(
    'accepts %s',
    (date) => {
      expect(isValidIsoDate(date)).toBe(true);
    },
  );

  it.each([
    '2023-02-30',
    '2023-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-05-00',
    '2026-5-13',
    '2026-05-1',
    '26-05-13',
    '2026/05/13',
    '2026-05-13T00:00:00Z',
    ' 2026-05-13',
    '2026-05-13 ',
    '20260513',
    '+02026-05-13',
    '２０２６-05-13',
    '',
  ])('refuses %j', (date) => {
    expect(isValidIsoDate(date)).toBe(false);
  });
});

describe('localDateOf', () => {
  it('moves to the next day in Shanghai at 16:00 UTC', () => {
    expect(localDateOf(new Date('2026-05-13T15:59:59.999Z'), SHANGHAI)).toBe('2026-05-13');
    expect(localDateOf(new Date('2026-05-13T16:00:00Z'), SHANGHAI)).toBe('2026-05-14');
  });

  it('gives a different date for the same instant in another zone', () => {
    const instant = new Date('2026-05-14T02:00:00Z');
    expect(localDateOf(instant, SHANGHAI)).toBe('2026-05-14');
    expect(localDateOf(instant, NEW_YORK)).toBe('2026-05-13');
    expect(localDateOf(instant, 'UTC')).toBe('2026-05-14');
  });

  it('crosses a year end', () => {
    expect(localDateOf(new Date('2025-12-31T16:00:00Z'), SHANGHAI)).toBe('2026-01-01');
  });

  it('follows daylight saving time in New York', () => {
    // EST (UTC-5) in winter, EDT (UTC-4) in summer.
    expect(localDateOf(new Date('2026-01-15T04:59:59Z'), NEW_YORK)).toBe('2026-01-14');
    expect(localDateOf(new Date('2026-01-15T05:00:00Z'), NEW_YORK)).toBe('2026-01-15');
    expect(localDateOf(new Date('2026-07-15T03:59:59Z'), NEW_YORK)).toBe('2026-07-14');
    expect(localDateOf(new Date('2026-07-15T04:00:00Z'), NEW_YORK)).toBe('2026-07-15');
  });

  it('refuses an unknown zone and an invalid Date', () => {
    expect(() => localDateOf(new Date('2026-05-13T00:00:00Z'), 'Nowhere/Land')).toThrow(RangeError);
    expect(() => localDateOf(new Date(Number.NaN), SHANGHAI)).toThrow(RangeError);
  });
});

describe('zonedToInstant', () => {
  it('reads Shanghai wall time as UTC+8', () => {
    expect(zonedToInstant({ year: 2026, month: 5, day: 13, hour: 12 }, SHANGHAI).toISOString()).toBe(
      '2026-05-13T04:00:00.000Z',
    );
    expect(zonedToInstant({ year: 2026, month: 5, day: 14 }, SHANGHAI).toISOString()).toBe(
      '2026-05-13T16:00:00.000Z',
    );
  });

  it('keeps every field down to the millisecond', () => {
    const parts = { year: 2026, month: 5, day: 13, hour: 23, minute: 59, second: 59, millisecond: 999 };
    expect(zonedToInstant(parts, SHANGHAI).toISOString()).toBe('2026-05-13T15:59:59.999Z');
  });

  it('uses standard time in winter and daylight time in summer in New York', () => {
    expect(zonedToInstant({ year: 2026, month: 1, day: 15, hour: 9 }, NEW_YORK).toISOString()).toBe(
      '2026-01-15T14:00:00.000Z',
    );
    expect(zonedToInstant({ year: 2026, month: 7, day: 15, hour: 9 }, NEW_YORK).toISOString()).toBe(
      '2026-07-15T13:00:00.000Z',
    );
  });

  it('is exact on both sides of the spring-forward jump (2026-03-08 02:00 EST -> 03:00 EDT)', () => {
    expect(
      zonedToInstant({ year: 2026, month: 3, day: 8, hour: 1, minute: 59 }, NEW_YORK).toISOString(),
    ).toBe('2026-03-08T06:59:00.000Z');
    expect(zonedToInstant({ year: 2026, month: 3, day: 8, hour: 3 }, NEW_YORK).toISOString()).toBe(
      '2026-03-08T07:00:00.000Z',
    );
    // The day before and after, at the same wall time, are 23 hours apart in real time.
    const before = zonedToInstant({ year: 2026, month: 3, day: 7, hour: 12 }, NEW_YORK);
    const after = zonedToInstant({ year: 2026, month: 3, day: 8, hour: 12 }, NEW_YORK);
    expect(after.getTime() - before.getTime()).toBe(23 * 3_600_000);
  });

  it('moves a skipped wall time forward by the jump', () => {
    // 02:30 never shows on New York clocks that night; 02:30 EST is 03:30 EDT.
    expect(
      zonedToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, NEW_YORK).toISOString(),
    ).toBe('2026-03-08T07:30:00.000Z');
  });

  it('picks the earlier instant of a repeated wall time (2026-11-01 01:30 happens twice)', () => {
    expect(
      zonedToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NEW_YORK).toISOString(),
    ).toBe('2026-11-01T05:30:00.000Z');
    expect(zonedToInstant({ year: 2026, month: 11, day: 1, hour: 2 }, NEW_YORK).toISOString()).toBe(
      '2026-11-01T07:00:00.000Z',
    );
  });

  it('round-trips with localDateOf across a whole DST year', () => {
    for (let day = 0; day < 366; day += 1) {
      const date = addDays('2026-01-01', day);
      for (const tz of [NEW_YORK, SHANGHAI, 'Europe/London', 'Australia/Lord_Howe']) {
        expect(localDateOf(startOfLocalDay(date, tz), tz)).toBe(date);
        expect(localDateOf(endOfLocalDay(date, tz), tz)).toBe(date);
        expect(localDateOf(new Date(endOfLocalDay(date, tz).getTime() + 1), tz)).toBe(addDays(date, 1));
      }
    }
  });

  it('handles historical offsets (Shanghai observed DST in 1991)', () => {
    expect(zonedToInstant({ year: 1991, month: 7, day: 1, hour: 12 }, SHANGHAI).toISOString()).toBe(
      '1991-07-01T03:00:00.000Z',
    );
  });

  it('refuses fields outside the calendar and unknown zones', () => {
    expect(() => zonedToInstant({ year: 2023, month: 2, day: 29 }, SHANGHAI)).toThrow(RangeError);
    expect(() => zonedToInstant({ year: 2026, month: 13, day: 1 }, SHANGHAI)).toThrow(RangeError);
    expect(() => zonedToInstant({ year: 2026, month: 5, day: 13, hour: 24 }, SHANGHAI)).toThrow(RangeError);
    expect(() => zonedToInstant({ year: 2026, month: 5, day: 13, minute: 60 }, SHANGHAI)).toThrow(RangeError);
    expect(() => zonedToInstant({ year: 2026, month: 5, day: 13, second: 1.5 }, SHANGHAI)).toThrow(
      RangeError,
    );
    expect(() => zonedToInstant({ year: 2026, month: 5, day: 13, millisecond: 1000 }, SHANGHAI)).toThrow(
      RangeError,
    );
    expect(() => zonedToInstant({ year: 2026, month: 5, day: 13 }, '')).toThrow(RangeError);
  });
});

describe('startOfLocalDay and endOfLocalDay', () => {
  it('bracket a Shanghai day', () => {
    expect(startOfLocalDay('2026-05-13', SHANGHAI).toISOString()).toBe('2026-05-12T16:00:00.000Z');
    expect(endOfLocalDay('2026-05-13', SHANGHAI).toISOString()).toBe('2026-05-13T15:59:59.999Z');
  });

  it('end one millisecond before the next day starts', () => {
    expect(endOfLocalDay('2026-12-31', SHANGHAI).getTime() + 1).toBe(
      startOfLocalDay('2027-01-01', SHANGHAI).getTime(),
    );
  });

  it('follow short and long days in New York', () => {
    expect(startOfLocalDay('2026-03-08', NEW_YORK).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(endOfLocalDay('2026-03-08', NEW_YORK).toISOString()).toBe('2026-03-09T03:59:59.999Z');
    expect(endOfLocalDay('2026-11-01', NEW_YORK).toISOString()).toBe('2026-11-02T04:59:59.999Z');
  });

  it('refuse an invalid date', () => {
    expect(() => endOfLocalDay('2026-02-30', SHANGHAI)).toThrow(RangeError);
    expect(() => startOfLocalDay('13/05/2026', SHANGHAI)).toThrow(RangeError);
    expect(() => endOfLocalDay('2026-05-13', 'Nowhere/Land')).toThrow(RangeError);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-05-13', 1, '2026-05-14'],
    ['2026-05-13', 0, '2026-05-13'],
    ['2026-05-13', -13, '2026-04-30'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-03-07', 2, '2026-03-09'],
    ['2026-01-01', 365, '2027-01-01'],
    ['0099-12-31', 1, '0100-01-01'],
  ] as const)('%s + %i = %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it('refuses an invalid date or a fractional count', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-05-13', 1.5)).toThrow(RangeError);
    expect(() => addDays('2026-05-13', Number.NaN)).toThrow(RangeError);
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
  });
});
