import { describe, expect, it } from 'vitest';
import { isOverdue, parseDueAt } from '../../shared/domain/duty/due-time.js';

const TZ = 'Asia/Shanghai';

function dueAtIso(input: string, timeZone = TZ): string {
  const result = parseDueAt(input, timeZone);
  if (!result.ok) throw new Error(`expected ${input} to parse, got: ${result.message}`);
  return result.dueAt.toISOString();
}

function refusal(input: string, timeZone = TZ): string {
  const result = parseDueAt(input, timeZone);
  if (result.ok) throw new Error(`expected ${input} to be refused, got ${result.dueAt.toISOString()}`);
  return result.message;
}

describe('parseDueAt: a date alone', () => {
  it('means the end of that day in the plan time zone', () => {
    expect(dueAtIso('2026-05-13')).toBe('2026-05-13T15:59:59.999Z');
  });

  it('follows the plan time zone, including daylight time', () => {
    expect(dueAtIso('2026-05-13', 'UTC')).toBe('2026-05-13T23:59:59.999Z');
    expect(dueAtIso('2026-01-15', 'America/New_York')).toBe('2026-01-16T04:59:59.999Z');
    expect(dueAtIso('2026-07-15', 'America/New_York')).toBe('2026-07-16T03:59:59.999Z');
  });

  it('accepts a leap day and a date in the past', () => {
    expect(dueAtIso('2024-02-29')).toBe('2024-02-29T15:59:59.999Z');
    expect(dueAtIso('2023-05-13')).toBe('2023-05-13T15:59:59.999Z');
  });

  it.each(['2026-02-30', '2023-02-29', '2026-13-01', '2026-04-31', '2026-05-00'])('refuses %s', (input) => {
    expect(refusal(input)).toBe(`截止日期“${input}”不存在`);
  });
});

describe('parseDueAt: a date-time with an offset', () => {
  it.each([
    ['2026-05-13T12:00:00+08:00', '2026-05-13T04:00:00.000Z'],
    ['2026-05-13T04:00:00Z', '2026-05-13T04:00:00.000Z'],
    ['2026-05-13T04:00:00z', '2026-05-13T04:00:00.000Z'],
    ['2026-05-13t04:00:00Z', '2026-05-13T04:00:00.000Z'],
    ['2026-05-13T12:00+08:00', '2026-05-13T04:00:00.000Z'],
    ['2026-05-13T12:00:00+0800', '2026-05-13T04:00:00.000Z'],
    ['2026-05-13T00:00:00-05:00', '2026-05-13T05:00:00.000Z'],
    ['2026-05-13T05:30:00+05:30', '2026-05-13T00:00:00.000Z'],
    ['2026-05-13T04:00:00-00:00', '2026-05-13T04:00:00.000Z'],
    ['2026-05-14T01:00:00+08:00', '2026-05-13T17:00:00.000Z'],
    ['2026-05-13T23:59:59.999+08:00', '2026-05-13T15:59:59.999Z'],
    ['2026-05-13T04:00:00.5Z', '2026-05-13T04:00:00.500Z'],
    ['2026-05-13T04:00:00.05Z', '2026-05-13T04:00:00.050Z'],
    ['2026-05-13T04:00:00.123456789Z', '2026-05-13T04:00:00.123Z'],
    ['2024-02-29T12:00:00+08:00', '2024-02-29T04:00:00.000Z'],
    ['2020-01-01T00:00:00+08:00', '2019-12-31T16:00:00.000Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(dueAtIso(input)).toBe(expected);
  });

  it('does not depend on the plan time zone once the offset is given', () => {
    expect(dueAtIso('2026-05-13T12:00:00+08:00', 'America/New_York')).toBe('2026-05-13T04:00:00.000Z');
  });
});

describe('parseDueAt: refusals', () => {
  it.each(['2026-05-13T12:00:00', '2026-05-13T12:00', '2026-05-13T12:00:00.000'])(
    'refuses %s, which has no offset',
    (input) => {
      expect(refusal(input)).toBe(`截止时间“${input}”缺少时区偏移（如 +08:00 或 Z），无法确定具体时刻`);
    },
  );

  it.each(['2026-02-30T12:00:00+08:00', '2023-02-29T00:00:00Z', '2026-04-31T00:00:00Z'])(
    'refuses %s, whose day does not exist',
    (input) => {
      expect(refusal(input)).toBe(`截止时间“${input}”中的日期 ${input.slice(0, 10)} 不存在`);
    },
  );

  it.each([
    ['2026-05-13T24:00:00+08:00', '24:00:00'],
    ['2026-05-13T12:60:00+08:00', '12:60:00'],
    ['2026-05-13T12:00:60+08:00', '12:00:60'],
    ['2026-05-13T25:00+08:00', '25:00:00'],
  ])('refuses %s, whose time of day does not exist', (input, time) => {
    expect(refusal(input)).toBe(`截止时间“${input}”中的时刻 ${time} 不存在`);
  });

  it.each(['2026-05-13T12:00:00+24:00', '2026-05-13T12:00:00+08:60'])('refuses the offset in %s', (input) => {
    expect(refusal(input)).toBe(`截止时间“${input}”中的时区偏移无效`);
  });

  it.each([
    '',
    ' ',
    'tomorrow',
    '明天中午',
    '5月13日',
    '2026/05/13',
    '13/05/2026',
    '2026-5-13',
    '20260513',
    '2026-05-13 12:00:00+08:00',
    '2026-05-13T12+08:00',
    '2026-05-13T12:00:00+8:00',
    '2026-05-13T12:00:00+08',
    '2026-05-13T12:00:00.+08:00',
    '2026-05-13T12:00:00.1234567890Z',
    '2026-05-13T12:00:00 +08:00',
    '2026-05-13T12:00:00Z ',
    ' 2026-05-13',
    '2026-05-13T12:00:00ZZ',
    '2026-05-13T12:00:00UTC',
    '2026-05-13T12:00:00[Asia/Shanghai]',
    '1747108800000',
  ])('refuses the garbage %j', (input) => {
    expect(refusal(input)).toBe(
      `截止时间“${input}”格式无效，应为带时区偏移的 ISO 8601 时间（如 2026-05-13T12:00:00+08:00）或日期（如 2026-05-13）`,
    );
  });

  it('refuses an unknown plan time zone', () => {
    expect(refusal('2026-05-13', 'Mars/Olympus_Mons')).toBe('时区“Mars/Olympus_Mons”无效');
    expect(refusal('2026-05-13T12:00:00Z', '')).toBe('时区“”无效');
  });
});

describe('isOverdue', () => {
  const dueAt = new Date('2026-05-13T15:59:59.999Z');

  it('is false before and exactly at the due instant', () => {
    expect(isOverdue(dueAt, new Date('2026-05-13T04:00:00Z'))).toBe(false);
    expect(isOverdue(dueAt, new Date('2026-05-13T15:59:59.998Z'))).toBe(false);
    expect(isOverdue(dueAt, new Date(dueAt.getTime()))).toBe(false);
  });

  it('is true from one millisecond after', () => {
    expect(isOverdue(dueAt, new Date('2026-05-13T16:00:00.000Z'))).toBe(true);
    expect(isOverdue(dueAt, new Date('2027-01-01T00:00:00Z'))).toBe(true);
  });

  it('makes a date-only due time last until local midnight', () => {
    const result = parseDueAt('2026-05-13', TZ);
    if (!result.ok) throw new Error(result.message);
    expect(isOverdue(result.dueAt, new Date('2026-05-13T23:59:59.999+08:00'))).toBe(false);
    expect(isOverdue(result.dueAt, new Date('2026-05-14T00:00:00+08:00'))).toBe(true);
  });
});

describe('due times at the edge of the calendar', () => {
  it('refuses years no campaign has, instead of overflowing the date arithmetic', () => {
    for (const input of ['9999-12-31', '9999-12-31T23:59:59Z', '0001-01-01', '1969-12-31']) {
      const result = parseDueAt(input, 'Asia/Shanghai');
      expect(result.ok, input).toBe(false);
      if (!result.ok) expect(result.message).toContain('超出允许范围');
    }
    expect(parseDueAt('2999-12-31', 'Asia/Shanghai').ok).toBe(true);
  });
});
