import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHolidayNotice } from '../../shared/domain/calendar/holiday-notice.js';
import { officialYearCalendar, validateYearCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { NOTICE_2024, NOTICE_2025, NOTICE_2026, NOTICE_2027 } from '../fixtures/holiday-notices.js';

const messages = (text: string, year: number): string[] =>
  parseHolidayNotice(text, year).errors.map((e) => e.message);

describe('the State Council notice, on the real texts', () => {
  it.each([
    [2024, NOTICE_2024, 7],
    [2025, NOTICE_2025, 6],
    [2026, NOTICE_2026, 7],
  ])('reads the %i notice exactly as the chinese-days package has that year', (year, text, items) => {
    const parsed = parseHolidayNotice(text, year);
    expect(parsed.errors).toEqual([]);
    expect(parsed.items).toHaveLength(items);
    const official = officialYearCalendar(year);
    expect(official).toBeDefined();
    expect(parsed.holidays).toEqual(official?.holidays);
    expect(parsed.workdays).toEqual(official?.workdays);
    expect(validateYearCalendar({ year, holidays: parsed.holidays, workdays: parsed.workdays })).toEqual([]);
  });

  it('keeps each item with its line and its own days, for showing beside the original sentence', () => {
    const parsed = parseHolidayNotice(NOTICE_2026, 2026);
    const spring = parsed.items.find((item) => item.name === '春节');
    expect(spring?.line).toBe(7);
    expect(spring?.text.startsWith('二、春节:2月15日(农历腊月二十八、周日)至23日')).toBe(true);
    expect(spring?.workdays).toEqual(['2026-02-14', '2026-02-28']);
    expect(spring?.holidays).toHaveLength(9);
  });

  it('ignores the encouragement to rest on New Year’s Eve, and says so', () => {
    const parsed = parseHolidayNotice(NOTICE_2024, 2024);
    expect(parsed.holidays).not.toContain('2024-02-09');
    expect(parsed.notes).toHaveLength(1);
    expect(parsed.notes[0]?.message).toContain('第7行“二、春节”');
    expect(parsed.notes[0]?.message).toContain('已忽略');
  });

  it('reads a year not in the package, in half-width punctuation', () => {
    const parsed = parseHolidayNotice(NOTICE_2027, 2027);
    expect(parsed.errors).toEqual([]);
    expect(parsed.holidays).toContain('2027-09-30');
    expect(parsed.holidays).toContain('2027-10-07');
    expect(parsed.holidays).toHaveLength(30);
    expect(parsed.workdays).toEqual(['2027-02-14', '2027-04-25', '2027-05-08', '2027-09-26', '2027-10-09']);
  });
});

describe('the notice style', () => {
  it('reads items run together on one line, as the issue quotes them', () => {
    const parsed = parseHolidayNotice(
      '一、元旦:1月1日放假,共1天。二、春节:2月16日至22日放假调休,共7天。2月14日(星期日)、2月27日(星期六)上班。',
      2021,
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.items.map((i) => i.name)).toEqual(['元旦', '春节']);
    expect(parsed.holidays).toHaveLength(8);
    expect(parsed.workdays).toEqual(['2021-02-14', '2021-02-27']);
  });

  it('catches the issue’s own example: 2月14日 and 2月28日 cannot be a Sunday and a Saturday', () => {
    const text =
      '一、元旦:1月1日放假,共1天。二、春节:2月16日至22日放假调休,共7天。2月14日(星期日)、2月28日(星期六)上班。';
    for (const year of [2021, 2027]) {
      expect(
        messages(text, year).some((m) => m.startsWith('第1行“二、春节”：') && m.includes('请核对日期')),
      ).toBe(true);
    }
  });

  it('reads a range across months, full-width digits and a sentence broken across lines', () => {
    const parsed = parseHolidayNotice(
      '七、国庆节：９月30日（周四）至10月7日\n（周四）放假调休，共8天。\n9月26日（周日）、10月9日（周六）上班。',
      2027,
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.holidays[0]).toBe('2027-09-30');
    expect(parsed.holidays).toHaveLength(8);
    expect(parsed.workdays).toEqual(['2027-09-26', '2027-10-09']);
  });

  it('does not take the closing paragraph into the last item', () => {
    const parsed = parseHolidayNotice(
      '一、元旦：1月1日放假，共1天。\n节假日期间，各地区要妥善安排好值班。',
      2027,
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.notes).toEqual([]);
    expect(parsed.items[0]?.text).toBe('一、元旦:1月1日放假,共1天。');
  });
});

describe('checks, each naming the line', () => {
  it('refuses a make-up working day that is not a weekend', () => {
    const errors = messages(
      '一、元旦：1月1日放假，共1天。\n二、春节：2月5日至13日放假，共9天。2月15日（周一）上班。',
      2027,
    );
    expect(errors).toEqual(['第2行“二、春节”：调休上班日2月15日是星期一，只能是星期六或星期日']);
  });

  it('refuses 共N天 that does not match the range', () => {
    const errors = messages('三、清明节：4月3日至5日放假，共4天。', 2027);
    expect(errors).toEqual(['第1行“三、清明节”：“共4天”与4月3日至4月5日的3天不符']);
  });

  it('refuses a weekday in parentheses that does not match the date', () => {
    const errors = messages('一、元旦：1月1日（星期四）放假，共1天。', 2027);
    expect(errors).toEqual(['第1行“一、元旦”：1月1日是星期五，括号中写的是“星期四”，请核对日期']);
  });

  it('refuses a date that does not exist, a reversed range, a missing month and a foreign year', () => {
    expect(messages('一、元旦：2月30日放假，共1天。', 2027)[0]).toBe('第1行“一、元旦”：2月30日不是有效日期');
    expect(messages('一、元旦：1月3日至1月1日放假。', 2027)[0]).toContain('放假区间前后颠倒');
    expect(messages('一、元旦：1日放假。', 2027)[0]).toContain('缺少月份');
    expect(messages('一、元旦：2026年1月1日放假。', 2027)[0]).toContain('不在2027年内');
  });

  it('refuses the notice of another year, an item without days off, and a day named twice', () => {
    expect(messages(NOTICE_2026, 2027)[0]).toBe('第1行：通知是2026年的，正在设置的是2027年');
    expect(messages('一、元旦：1月2日（周六）上班。', 2027)).toContain(
      '第1行“一、元旦”：未找到“……放假”的句子',
    );
    const twice = messages('一、元旦：1月1日放假。\n二、春节：1月1日至2日放假。1月2日（周六）上班。', 2027);
    expect(twice).toContain('第2行“二、春节”：1月1日已在“元旦”中放假，重复');
    expect(twice).toContain('第2行“二、春节”：1月2日既是“春节”的放假日又是上班日');
  });

  it('refuses text with no numbered item at all', () => {
    const parsed = parseHolidayNotice('元旦放假一天', 2027);
    expect(parsed.items).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.message).toContain('未找到');
  });
});

describe('any text', () => {
  const fragments = fc.constantFrom(
    '一、',
    '二、',
    '十一、',
    '元旦',
    '：',
    ':',
    '1月',
    '12月',
    '2月',
    '0月',
    '13月',
    '1日',
    '31日',
    '30日',
    '99日',
    '2027年',
    '1999年',
    '至',
    '、',
    '（周六）',
    '(星期日)',
    '(农历除夕、周二)',
    '（',
    ')',
    '放假',
    '放假调休',
    '上班',
    '共3天',
    '共0天',
    '放假1天',
    '，',
    '。',
    ';',
    '\n',
    ' ',
    '７',
  );

  it('never throws, and whatever it returns is a valid calendar of the year', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(fragments, { maxLength: 60 }).map((a) => a.join('')),
        ),
        (text) => {
          const parsed = parseHolidayNotice(text, 2027);
          for (const date of [...parsed.holidays, ...parsed.workdays])
            expect(date.startsWith('2027-')).toBe(true);
          if (parsed.errors.length === 0) {
            expect(
              validateYearCalendar({ year: 2027, holidays: parsed.holidays, workdays: parsed.workdays }),
            ).toEqual([]);
          }
          for (const error of parsed.errors) expect(error.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 3000, seed: 16 },
    );
  });
});
