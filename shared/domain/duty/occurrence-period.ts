import type { Recurrence } from '../../schemas/recurrence.js';
import { dateRangeWords, dayWords, monthWords } from '../time/date-words.js';
import { addDays, isValidIsoDate, localDateOf, startOfLocalDay } from '../time/zoned-time.js';

/** The stretch of days one occurrence of a recurring task reports on, and when it may be filed. */
export interface OccurrencePeriod {
  /** First and last local dates of the period. */
  start: string;
  end: string;
  /** The period in words, never a code: `第49周 11月30日—12月6日`, `2026年12月`. */
  label: string;
  /** From this instant a submission is taken: the period's first day, less the rule's lead days. */
  opensAt: string;
}

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

const pad2 = (n: number) => String(n).padStart(2, '0');

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** The Monday of ISO week `week` of `year`: week 1 is the one holding 4 January. */
function isoWeekMonday(year: number, week: number): string {
  const jan4 = `${String(year).padStart(4, '0')}-01-04`;
  const weekday = ((new Date(`${jan4}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
  return addDays(jan4, 1 - weekday + (week - 1) * 7);
}

function badKey(rule: Recurrence, key: string): never {
  throw new RangeError(`${JSON.stringify(key)} is not an occurrence key of a ${rule.freq} rule`);
}

/**
 * The dates an occurrence covers, from its rule and its occurrence key (see `expandOccurrences`):
 * - weekly on one weekday (`2026-W49`): that ISO week, Monday to Sunday;
 * - weekly on several (`2026-W49-5`): from the day after the previous listed weekday (Monday for the
 *   first) to the weekday itself — a Tuesday-and-Friday rule's Friday report covers Wednesday–Friday;
 * - monthly and every N months (`2026-12`): that month;
 * - N times a month (`2026-12#2`): part 2 of the month, the days after part 1's due day up to its own;
 * - semester (`S1`): the window.
 * @throws RangeError for a key the rule does not make.
 */
export function occurrenceSpan(rule: Recurrence, key: string): { start: string; end: string; label: string } {
  switch (rule.freq) {
    case 'weekly': {
      const m = /^(\d{4})-W(\d{2})(?:-([1-7]))?$/.exec(key);
      if (m === null) return badKey(rule, key);
      const week = Number(m[2]);
      const monday = isoWeekMonday(Number(m[1]), week);
      if (m[3] === undefined) {
        const end = addDays(monday, 6);
        return { start: monday, end, label: `第${week}周 ${dateRangeWords(monday, end)}` };
      }
      const weekday = Number(m[3]);
      const previous = [...new Set(rule.weekdays)].filter((d) => d < weekday).sort((a, b) => b - a)[0];
      const start = previous === undefined ? monday : addDays(monday, previous);
      const end = addDays(monday, weekday - 1);
      return { start, end, label: `第${week}周${WEEKDAYS[weekday - 1]} ${dateRangeWords(start, end)}` };
    }
    case 'monthly':
    case 'every-n-months': {
      const m = /^(\d{4})-(\d{2})$/.exec(key);
      if (m === null || !isValidIsoDate(`${key}-01`)) return badKey(rule, key);
      return {
        start: `${key}-01`,
        end: `${key}-${pad2(daysInMonth(Number(m[1]), Number(m[2])))}`,
        label: monthWords(key),
      };
    }
    case 'monthly-times': {
      const m = /^(\d{4})-(\d{2})#(\d+)$/.exec(key);
      const part = Number(m?.[3]);
      if (m === null || !isValidIsoDate(`${m[1]}-${m[2]}-01`) || part < 1 || part > rule.times) {
        return badKey(rule, key);
      }
      const month = `${m[1]}-${m[2]}`;
      const length = daysInMonth(Number(m[1]), Number(m[2]));
      // The same split as the rule's due days: part k ends on day ⌊k·D/times⌋.
      const dayOf = (k: number) => Math.floor((k * length) / rule.times);
      const start = addDays(`${month}-01`, dayOf(part - 1));
      const end = `${month}-${pad2(dayOf(part))}`;
      return { start, end, label: `${monthWords(month)}第${part}次 ${dateRangeWords(start, end)}` };
    }
    case 'semester': {
      const m = /^S(\d+)$/.exec(key);
      const window = m === null ? undefined : rule.windows[Number(m[1]) - 1];
      if (m === null || window === undefined) return badKey(rule, key);
      return {
        start: window.start,
        end: window.end,
        label: `第${m[1]}个学期时段 ${dateRangeWords(window.start, window.end)}`,
      };
    }
  }
}

/**
 * The period of one occurrence and when it opens for submission: at the start of its first day in
 * the plan's time zone, `rule.leadDays` (default 0) days earlier — but never after the day the
 * occurrence is due (a holiday rule may move a Monday due date back into the week before).
 * @throws RangeError for a key the rule does not make, an invalid `dueAt` or time zone.
 */
export function occurrencePeriod(
  rule: Recurrence,
  key: string,
  ctx: { dueAt: Date; timeZone: string },
): OccurrencePeriod {
  const span = occurrenceSpan(rule, key);
  const byLead = addDays(span.start, -(rule.leadDays ?? 0));
  const dueDay = localDateOf(ctx.dueAt, ctx.timeZone);
  // Dates compare as strings (Math.min would make them NaN): the earlier of the two.
  const opensOn = [dueDay, byLead].sort()[0] ?? byLead;
  return { ...span, opensAt: startOfLocalDay(opensOn, ctx.timeZone).toISOString() };
}

/**
 * Whether a submission for the period is taken at `now`; when it is not, the refusal says which
 * period and from when, in words.
 */
export function periodRefusal(period: OccurrencePeriod, now: Date, timeZone: string): string | null {
  const opensAt = new Date(period.opensAt);
  if (now.getTime() >= opensAt.getTime()) return null;
  const opensOn = localDateOf(opensAt, timeZone);
  const otherYear = opensOn.slice(0, 4) !== localDateOf(now, timeZone).slice(0, 4);
  return `本期(${period.label})尚未开始,${dayWords(opensOn, otherYear)}起才能报送`;
}
