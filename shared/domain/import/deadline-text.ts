import type { Recurrence } from '../../schemas/recurrence.js';
import {
  endOfLocalDay,
  isValidIsoDate,
  isValidTimeZone,
  localDateOf,
  zonedToInstant,
} from '../time/zoned-time.js';

/**
 * What an office's 完成时限 cell says: a due time, a repeating rule, a standing duty with no
 * deadline (长期坚持), or nothing duban can read (a row error, never a guess).
 */
export type DeadlineParse =
  | { ok: true; kind: 'due'; dueAt: string; label: string }
  | { ok: true; kind: 'recurring'; recurrence: Recurrence; label: string }
  | { ok: true; kind: 'standing'; label: string }
  | { ok: false; message: string };

export interface DeadlineContext {
  /** The year a date without one falls in: the plan's year. */
  year: number;
  /** The plan's IANA time zone. */
  timeZone: string;
  /** The moment of the import: "立即" is due by the end of that local day. */
  now: Date;
}

/** Longer cells are refused unread: a deadline is a few words. */
export const DEADLINE_TEXT_MAX = 60;

const STANDING = /^(长期坚持|长期|持续推进|常态化|常态化推进|长期开展|持续开展|长期有效)$/;
const IMMEDIATE = /^(立即|立即办理|立即执行|立即整改|立即开展|马上|即时|立行立改)$/;
const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };
const DIGITS: Record<string, number> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A Chinese numeral up to 99 (十二, 二十五, 三十一) or a digit string (二〇二三) as a number. */
function chineseNumber(s: string): number | undefined {
  if (/^[〇零一二两三四五六七八九]+$/.test(s) && s.length > 1 && !s.includes('十')) {
    return Number([...s].map((c) => DIGITS[c]).join(''));
  }
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (m !== null)
    return (
      (m[1] === undefined ? 1 : (DIGITS[m[1]] ?? 0)) * 10 + (m[2] === undefined ? 0 : (DIGITS[m[2]] ?? 0))
    );
  if (s.length === 1 && DIGITS[s] !== undefined) return DIGITS[s];
  return undefined;
}

/** Full-width digits and punctuation to ASCII, Chinese numerals before 年/月/日/号 to digits, spaces out. */
export function normalizeDeadlineText(raw: string): string {
  let s = raw.normalize('NFKC').replace(/\s+/g, '');
  s = s.replace(/[〇零一二两三四五六七八九十]+(?=[年月日号])/g, (m) => {
    const n = chineseNumber(m);
    return n === undefined ? m : String(n);
  });
  return s;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 上午 → 12:00, 下午 → 18:00, 12时 / 12:00 / 12点 → that time; undefined when none is given. */
function timeOfDay(s: string): { time: string; words: string } | { error: string } | undefined {
  const clock = /(\d{1,2})(?:[:时点](\d{1,2})?分?)/.exec(s);
  if (clock !== null) {
    const h = Number(clock[1]);
    const m = clock[2] === undefined ? 0 : Number(clock[2]);
    const pm = /下午|晚上/.test(s) && h < 12;
    const hour = pm ? h + 12 : h;
    if (hour > 23 || m > 59) return { error: `时间 ${clock[0]} 不存在` };
    return { time: `${pad2(hour)}:${pad2(m)}`, words: `${pad2(hour)}:${pad2(m)}` };
  }
  if (/上午|中午|午前/.test(s)) return { time: '12:00', words: '12:00' };
  if (/下午|下班前/.test(s)) return { time: '18:00', words: '18:00' };
  return undefined;
}

function dueOn(ctx: DeadlineContext, year: number, month: number, day: number, rest: string): DeadlineParse {
  if (!Number.isInteger(year) || year < 1970 || year > 2999)
    return { ok: false, message: `年份 ${year} 超出范围` };
  if (month < 1 || month > 12) return { ok: false, message: `月份 ${month} 不存在` };
  const date = `${year}-${pad2(month)}-${pad2(day)}`;
  if (!isValidIsoDate(date)) return { ok: false, message: `日期 ${year}年${month}月${day}日 不存在` };
  const t = timeOfDay(rest);
  if (t !== undefined && 'error' in t) return { ok: false, message: t.error };
  if (t === undefined) {
    return {
      ok: true,
      kind: 'due',
      dueAt: endOfLocalDay(date, ctx.timeZone).toISOString(),
      label: `${date} 当天结束前`,
    };
  }
  const [hour = 0, minute = 0] = t.time.split(':').map(Number);
  return {
    ok: true,
    kind: 'due',
    dueAt: zonedToInstant({ year, month, day, hour, minute }, ctx.timeZone).toISOString(),
    label: `${date} ${t.words} 前`,
  };
}

const TAIL = '(?:前|以前|之前|止|为止|截止|完成|前完成|底前|内)*';

/**
 * Reads a deadline as offices write it, in the plan's time zone and year: "2023年5月13日前",
 * "5月底前", "6月30日", "5月中旬", "每周五上午", "每月25日前", "长期坚持", "立即". Never throws:
 * what it cannot read is `{ ok: false }` with a Chinese message.
 */
export function parseDeadlineText(raw: string, ctx: DeadlineContext): DeadlineParse {
  try {
    return parse(raw, ctx);
  } catch {
    return { ok: false, message: `无法识别的完成时限:“${raw}”` };
  }
}

function parse(raw: string, ctx: DeadlineContext): DeadlineParse {
  if (!isValidTimeZone(ctx.timeZone)) return { ok: false, message: `时区“${ctx.timeZone}”无效` };
  if (raw.length > DEADLINE_TEXT_MAX)
    return { ok: false, message: `完成时限过长(最多 ${DEADLINE_TEXT_MAX} 字)` };
  const s = normalizeDeadlineText(raw).replace(/[。.;;,,]+$/, '');
  if (s === '') return { ok: false, message: '完成时限为空' };
  if (STANDING.test(s)) return { ok: true, kind: 'standing', label: '长期坚持(无截止时间)' };
  if (IMMEDIATE.test(s)) {
    const today = localDateOf(ctx.now, ctx.timeZone);
    return {
      ok: true,
      kind: 'due',
      dueAt: endOfLocalDay(today, ctx.timeZone).toISOString(),
      label: `立即:${today} 当天结束前`,
    };
  }

  // 每周五上午 / 每周一、三 12时前
  const weekly = new RegExp(
    `^每(?:周|星期|礼拜)([一二三四五六日天](?:[、,和及]?[一二三四五六日天])*)(.*?)${TAIL}$`,
  ).exec(s);
  if (weekly !== null) {
    const days = [
      ...new Set([...(weekly[1] ?? '')].map((c) => WEEKDAYS[c]).filter((d): d is number => d !== undefined)),
    ].sort();
    const t = timeOfDay(weekly[2] ?? '');
    if (t !== undefined && 'error' in t) return { ok: false, message: t.error };
    if (!/^(上午|中午|下午|晚上|\d{1,2}[:时点](\d{1,2})?分?)?$/.test(weekly[2] ?? '')) {
      return { ok: false, message: `无法识别的完成时限:“${raw}”` };
    }
    const time = t?.time ?? '23:59';
    const names = days.map((d) => '一二三四五六日'.charAt(d - 1)).join('、');
    return {
      ok: true,
      kind: 'recurring',
      recurrence: { freq: 'weekly', weekdays: days, time },
      label: `每周${names} ${time} 前`,
    };
  }

  // 每月25日前 / 每月底前 / 每月月底
  const monthly = new RegExp(`^每(?:个)?月(?:(\\d{1,2})[日号]|(?:月)?(底|末))(.*?)${TAIL}$`).exec(s);
  if (monthly !== null) {
    const rest = monthly[3] ?? '';
    if (!/^(上午|中午|下午|晚上|\d{1,2}[:时点](\d{1,2})?分?)?$/.test(rest)) {
      return { ok: false, message: `无法识别的完成时限:“${raw}”` };
    }
    const t = timeOfDay(rest);
    if (t !== undefined && 'error' in t) return { ok: false, message: t.error };
    const day = monthly[1] === undefined ? ('last' as const) : Number(monthly[1]);
    if (day !== 'last' && (day < 1 || day > 31)) return { ok: false, message: `每月 ${day} 日不存在` };
    const recurrence: Recurrence = { freq: 'monthly', day, ...(t === undefined ? {} : { time: t.time }) };
    return {
      ok: true,
      kind: 'recurring',
      recurrence,
      label: `每月${day === 'last' ? '月底' : `${day}日`}${t === undefined ? '当天结束' : ` ${t.time}`}前`,
    };
  }

  // 2023-05-13 / 2023/5/13 / 2023.5.13 (with an optional time after)
  const numeric = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:日)?(.*)$/.exec(s);
  if (numeric !== null) {
    const rest = numeric[4] ?? '';
    if (!new RegExp(`^(T?\\d{1,2}[:时点](\\d{1,2})?分?|上午|中午|下午)?${TAIL}$`).test(rest)) {
      return { ok: false, message: `无法识别的完成时限:“${raw}”` };
    }
    return dueOn(ctx, Number(numeric[1]), Number(numeric[2]), Number(numeric[3]), rest);
  }

  // [2023年]5月13日[12时]前 / 5月底前 / 5月中旬 / 年底前
  const dated = new RegExp(
    `^(?:(\\d{4})年)?(?:(\\d{1,2})月(?:(\\d{1,2})[日号]|(底|末|上旬|中旬|下旬))?|(年底|年末))(.*?)${TAIL}$`,
  ).exec(s);
  if (dated !== null) {
    const year = dated[1] === undefined ? ctx.year : Number(dated[1]);
    const rest = dated[6] ?? '';
    if (!/^(上午|中午|下午|晚上|\d{1,2}[:时点](\d{1,2})?分?)?$/.test(rest)) {
      return { ok: false, message: `无法识别的完成时限:“${raw}”` };
    }
    if (dated[5] !== undefined) return dueOn(ctx, year, 12, 31, rest);
    const month = Number(dated[2]);
    if (month < 1 || month > 12) return { ok: false, message: `月份 ${month} 不存在` };
    if (dated[3] !== undefined) return dueOn(ctx, year, month, Number(dated[3]), rest);
    const part = dated[4];
    // "5月前" means before May begins: the last day of April is as honest a reading as any, so refuse it.
    if (part === undefined) {
      return { ok: false, message: `完成时限“${raw}”只有月份,请写明日期(如 ${month}月底前)` };
    }
    const day = part === '上旬' ? 10 : part === '中旬' ? 20 : daysInMonth(year, month);
    return dueOn(ctx, year, month, day, rest);
  }

  return {
    ok: false,
    message: `无法识别的完成时限:“${raw}”(可写如 2023年5月13日前、5月底前、每周五上午、每月25日前、长期坚持、立即)`,
  };
}
