import { addDays, isValidIsoDate } from '../time/zoned-time.js';

/**
 * One numbered item of the notice ("二、春节：…"), with the days it names. `line` is the 1-based
 * line of the pasted text the item starts on; `text` is the item as pasted (after normalising
 * full-width punctuation), so a page can show the parse beside the original sentence.
 */
export interface NoticeItem {
  line: number;
  number: string;
  name: string;
  text: string;
  holidays: string[];
  workdays: string[];
}

/** A problem (or an ignored sentence) in the notice; `message` is Chinese and names the line. */
export interface NoticeProblem {
  line: number | null;
  item: string | null;
  message: string;
}

export interface ParsedNotice {
  year: number;
  items: NoticeItem[];
  /** Every day off the notice names, whole ranges including their weekends; sorted, unique. */
  holidays: string[];
  /** Every weekend day the notice makes a working day (调休上班); sorted, unique. */
  workdays: string[];
  /** Anything that keeps the notice from being saved. Empty when it parsed cleanly. */
  errors: NoticeProblem[];
  /** Sentences read and deliberately ignored (e.g. "鼓励……安排职工在除夕休息"). */
  notes: NoticeProblem[];
}

const WEEKDAY_NAMES = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'] as const;
const WEEKDAY_CHARS: Record<string, number> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const NUMERAL = '[一二三四五六七八九十]{1,3}';
const ITEM_START = new RegExp(`^(${NUMERAL})、([^:]{1,20}):(.*)$`);
const ITEM_SPLIT = new RegExp(`(?<=。)(?=${NUMERAL}、)`);
// "2027年1月1日(周五)", "10月1日(星期四)", "7日(农历正月初七、周一)", "3日".
const DATE = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?/g;
const TITLE_YEAR = /(?:关于|现将)(\d{4})年/;

interface DateToken {
  year: number | null;
  month: number | null;
  day: number;
  paren: string | null;
  start: number;
  end: number;
}

function dateTokens(text: string): DateToken[] {
  return [...text.matchAll(DATE)].map((m) => ({
    year: m[1] === undefined ? null : Number(m[1]),
    month: m[2] === undefined ? null : Number(m[2]),
    day: Number(m[3]),
    paren: m[4] ?? null,
    start: m.index,
    end: m.index + m[0].length,
  }));
}

const pad = (n: number): string => String(n).padStart(2, '0');
const dayOfWeek = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();
const label = (date: string): string => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

/**
 * Reads the State Council General Office's 关于{year}年部分节假日安排的通知 as pasted by an office:
 * each numbered item ("一、元旦：1月1日放假，共1天。"), its holiday range ("2月15日（周日）至23日
 * （周一）放假调休，共9天", "9月30日至10月7日", "1月1日放假，与周末连休", "放假1天，不调休") and its
 * make-up working days ("2月14日（周六）、2月28日（周六）上班"). Full-width and half-width
 * punctuation, spaces and line breaks from a PDF copy are all accepted.
 *
 * Checks, each reported in Chinese with the line and item: every date is real and in `year`; a
 * range's 共N天 matches its length; a weekday in parentheses matches the date; a make-up working
 * day is a Saturday or Sunday; no day is named twice or both off and on; the title's year (if
 * pasted) is `year`; every item names its days off.
 */
export function parseHolidayNotice(text: string, year: number): ParsedNotice {
  const errors: NoticeProblem[] = [];
  const notes: NoticeProblem[] = [];
  const items: NoticeItem[] = [];
  const bodies: string[] = [];
  // Set once an unnumbered paragraph (the closing words) follows an item: later lines are not in it.
  let closed = true;

  const lines = text
    .normalize('NFKC')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ''));
  lines.forEach((line, index) => {
    for (const segment of line.split(ITEM_SPLIT)) {
      if (segment === '') continue;
      const start = ITEM_START.exec(segment);
      const current = items.at(-1);
      if (start !== null) {
        items.push({
          line: index + 1,
          number: start[1] ?? '',
          name: start[2] ?? '',
          text: segment,
          holidays: [],
          workdays: [],
        });
        bodies.push(start[3] ?? '');
        closed = false;
      } else if (
        current !== undefined &&
        !closed &&
        (!current.text.endsWith('。') || /\d日.*(?:放假|上班)/.test(segment))
      ) {
        // A PDF copy breaks an item across lines: a sentence that has not ended, or a next line
        // that still names days off or on, belongs to the item above.
        current.text += segment;
        bodies[bodies.length - 1] += segment;
      } else {
        const title = TITLE_YEAR.exec(segment);
        if (title !== null && Number(title[1]) !== year) {
          errors.push({
            line: index + 1,
            item: null,
            message: `第${index + 1}行：通知是${title[1]}年的，正在设置的是${year}年`,
          });
        }
        closed = true;
      }
    }
  });

  items.forEach((item, index) => {
    readItem(item, bodies[index] ?? '', year, errors, notes);
  });

  if (items.length === 0) {
    errors.push({
      line: null,
      item: null,
      message: '未找到“一、元旦：1月1日放假，共1天。”这样的条目，请粘贴通知正文',
    });
  }

  const holidayOwner = new Map<string, NoticeItem>();
  const workdayOwner = new Map<string, NoticeItem>();
  for (const item of items) {
    for (const date of item.holidays) {
      const other = holidayOwner.get(date);
      if (other !== undefined) errors.push(problem(item, `${label(date)}已在“${other.name}”中放假，重复`));
      else holidayOwner.set(date, item);
    }
  }
  for (const item of items) {
    for (const date of item.workdays) {
      const other = workdayOwner.get(date);
      if (other !== undefined) errors.push(problem(item, `${label(date)}已在“${other.name}”中上班，重复`));
      else workdayOwner.set(date, item);
      const off = holidayOwner.get(date);
      if (off !== undefined) errors.push(problem(item, `${label(date)}既是“${off.name}”的放假日又是上班日`));
    }
  }

  return {
    year,
    items,
    holidays: [...holidayOwner.keys()].sort(),
    workdays: [...workdayOwner.keys()].sort(),
    errors,
    notes,
  };
}

function problem(item: NoticeItem, message: string): NoticeProblem {
  return {
    line: item.line,
    item: item.name,
    message: `第${item.line}行“${item.number}、${item.name}”：${message}`,
  };
}

function readItem(
  item: NoticeItem,
  body: string,
  year: number,
  errors: NoticeProblem[],
  notes: NoticeProblem[],
) {
  const sentences = body.split(/[。;]/).filter((s) => s !== '');
  let sawHoliday = false;
  for (const sentence of sentences) {
    if (sentence.includes('放假')) {
      sawHoliday = true;
      readHolidays(item, sentence, year, errors);
    } else if (sentence.includes('上班')) {
      readWorkdays(item, sentence, year, errors);
    } else {
      notes.push(problem(item, `“${sentence}”不含放假或上班日期，已忽略`));
    }
  }
  if (!sawHoliday) errors.push(problem(item, '未找到“……放假”的句子'));
}

/** Resolves tokens to dates, carrying the month (and year) forward as the notice writes them. */
function resolve(
  item: NoticeItem,
  tokens: DateToken[],
  year: number,
  sentence: string,
  errors: NoticeProblem[],
): string[] | null {
  let month: number | null = null;
  const dates: string[] = [];
  for (const token of tokens) {
    month = token.month ?? month;
    const shown = `${token.month === null ? '' : `${token.month}月`}${token.day}日`;
    if (month === null) {
      errors.push(problem(item, `“${sentence}”中的“${shown}”缺少月份`));
      return null;
    }
    if (token.year !== null && token.year !== year) {
      errors.push(
        problem(item, `${token.year}年${month}月${token.day}日不在${year}年内，不能写入${year}年日历`),
      );
      return null;
    }
    const date = `${year}-${pad(month)}-${pad(token.day)}`;
    if (!isValidIsoDate(date)) {
      errors.push(problem(item, `${month}月${token.day}日不是有效日期`));
      return null;
    }
    const weekday = token.paren === null ? null : /(?:星期|周|礼拜)([日天一二三四五六])/.exec(token.paren);
    if (weekday !== null) {
      const written = WEEKDAY_CHARS[weekday[1] ?? ''];
      const actual = dayOfWeek(date);
      if (written !== actual) {
        errors.push(
          problem(item, `${label(date)}是${WEEKDAY_NAMES[actual]}，括号中写的是“${weekday[0]}”，请核对日期`),
        );
        return null;
      }
    }
    dates.push(date);
  }
  return dates;
}

function readHolidays(item: NoticeItem, sentence: string, year: number, errors: NoticeProblem[]): void {
  const cut = sentence.indexOf('放假');
  const head = sentence.slice(0, cut);
  const tokens = dateTokens(head);
  if (tokens.length === 0) {
    errors.push(problem(item, `“${sentence}”中未找到放假日期`));
    return;
  }
  if (tokens.length > 2) {
    errors.push(problem(item, `“${sentence}”应为“某日放假”或“某日至某日放假”`));
    return;
  }
  const [first, second] = tokens;
  if (first !== undefined && second !== undefined) {
    const joiner = head.slice(first.end, second.start);
    if (!/^(?:至|到|-|—|~|～)$/.test(joiner)) {
      errors.push(problem(item, `“${sentence}”中两个日期之间应为“至”`));
      return;
    }
  }
  const dates = resolve(item, tokens, year, sentence, errors);
  if (dates === null) return;
  const from = dates[0] ?? '';
  const to = dates[1] ?? from;
  if (to < from) {
    errors.push(problem(item, `${label(to)}早于${label(from)}，放假区间前后颠倒`));
    return;
  }
  const range: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) range.push(date);
  const count = /共(\d+)天/.exec(sentence) ?? /放假(?:调休)?(\d+)天/.exec(sentence);
  if (count !== null && Number(count[1]) !== range.length) {
    const span = from === to ? label(from) : `${label(from)}至${label(to)}`;
    errors.push(problem(item, `“${count[0]}”与${span}的${range.length}天不符`));
    return;
  }
  item.holidays.push(...range);
}

function readWorkdays(item: NoticeItem, sentence: string, year: number, errors: NoticeProblem[]): void {
  const head = sentence.slice(0, sentence.indexOf('上班'));
  const tokens = dateTokens(head);
  if (tokens.length === 0) {
    errors.push(problem(item, `“${sentence}”中未找到上班日期`));
    return;
  }
  const dates = resolve(item, tokens, year, sentence, errors);
  if (dates === null) return;
  for (const date of dates) {
    const day = dayOfWeek(date);
    if (day !== 0 && day !== 6) {
      errors.push(problem(item, `调休上班日${label(date)}是${WEEKDAY_NAMES[day]}，只能是星期六或星期日`));
      continue;
    }
    item.workdays.push(date);
  }
}
