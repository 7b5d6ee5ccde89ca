/**
 * The morning digest (早间提醒): one short message per unit on each working day, listing what the
 * unit has to act on — overdue, returned for rework, due this week, waiting for its confirmation.
 * Nothing is sent when there is nothing to act on. Pure: the caller reads the unit's duties and
 * passes the clock and the calendar.
 */
import { type WorkingCalendar, workingDaysLate } from '../calendar/working-calendar.js';
import { dayWords } from '../time/date-words.js';
import { addDays, endOfLocalDay, localDateOf } from '../time/zoned-time.js';

/** What the digest needs of a duty; the caller passes only the unit's open and submitted duties. */
export interface DigestDuty {
  id: string;
  title: string;
  status: 'open' | 'submitted' | 'accepted';
  /** The current round's due time (ISO instant). */
  dueAt: string;
  /** Returns for rework so far: an open duty with returns is back with the unit for rework. */
  returns: number;
  /** The unit whose confirmation a submitted duty waits for (逐级确认), or null. */
  awaitingConfirmationFrom: string | null;
  /** The unit the duty belongs to: a confirmation item names it. */
  unitName: string;
}

export interface DigestLine {
  dutyId: string;
  title: string;
  dueAt: string;
  /** Working days past due, for an overdue line; 0 otherwise. */
  workingDaysLate: number;
  /** The unit that submitted, for a line waiting for this unit's confirmation. */
  fromUnit?: string;
}

export interface MorningDigest {
  unitId: string;
  /** The local date the digest is for (`YYYY-MM-DD`). */
  date: string;
  overdue: DigestLine[];
  returned: DigestLine[];
  dueThisWeek: DigestLine[];
  toConfirm: DigestLine[];
}

/** At most this many lines per section in the message; the rest are counted ("另有 N 项"). */
export const DIGEST_LINES_PER_SECTION = 8;

/** The digest goes out on working days only (调休 Saturdays included, holidays excluded). */
export function isDigestDay(now: Date, timeZone: string, calendar: WorkingCalendar): boolean {
  return calendar.isWorkingDay(localDateOf(now, timeZone));
}

/** The end of the local week (Sunday 23:59:59.999) that contains `date`. */
function endOfWeek(date: string, timeZone: string): Date {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return endOfLocalDay(addDays(date, (7 - day) % 7), timeZone);
}

const byDue = (a: DigestLine, b: DigestLine) =>
  a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.dutyId < b.dutyId ? -1 : 1;

/**
 * The digest of `unitId` at `now`, or null when nothing needs the unit's attention. `duties` are
 * the unit's own duties and those of its units below that wait for its confirmation; a duty is in
 * one section only: overdue before returned before due this week.
 */
export function composeDigest(input: {
  unitId: string;
  duties: readonly DigestDuty[];
  now: Date;
  timeZone: string;
  calendar: WorkingCalendar;
}): MorningDigest | null {
  const { unitId, now, timeZone, calendar } = input;
  const nowIso = now.toISOString();
  const date = localDateOf(now, timeZone);
  const weekEnd = endOfWeek(date, timeZone).toISOString();
  const digest: MorningDigest = { unitId, date, overdue: [], returned: [], dueThisWeek: [], toConfirm: [] };
  for (const d of input.duties) {
    const line: DigestLine = { dutyId: d.id, title: d.title, dueAt: d.dueAt, workingDaysLate: 0 };
    if (d.status === 'submitted') {
      if (d.awaitingConfirmationFrom === unitId) digest.toConfirm.push({ ...line, fromUnit: d.unitName });
      continue;
    }
    if (d.status !== 'open') continue;
    // Exactly at the due instant is not yet overdue (the report's rule).
    if (d.dueAt < nowIso) {
      digest.overdue.push({
        ...line,
        workingDaysLate: workingDaysLate(new Date(d.dueAt), now, timeZone, calendar),
      });
    } else if (d.returns > 0) digest.returned.push(line);
    else if (d.dueAt <= weekEnd) digest.dueThisWeek.push(line);
  }
  const total =
    digest.overdue.length + digest.returned.length + digest.dueThisWeek.length + digest.toConfirm.length;
  if (total === 0) return null;
  digest.overdue.sort((a, b) => b.workingDaysLate - a.workingDaysLate || byDue(a, b));
  digest.returned.sort(byDue);
  digest.dueThisWeek.sort(byDue);
  digest.toConfirm.sort(byDue);
  return digest;
}

/** A title inside a Markdown link: brackets and line breaks would end the link or the list item. */
const plainTitle = (title: string) =>
  title
    .replace(/\[/g, '【')
    .replace(/\]/g, '】')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[*_`]/g, '');

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'] as const;

/**
 * The digest as a short Markdown message (WeCom and DingTalk robots both take this subset:
 * bold, links, list items), each duty a link to its page under `baseUrl`.
 */
export function digestMarkdown(
  digest: MorningDigest,
  unitName: string,
  baseUrl: string,
  timeZone: string,
): string {
  const weekday = WEEKDAYS[new Date(`${digest.date}T00:00:00Z`).getUTCDay()] ?? '';
  const due = (iso: string) => dayWords(localDateOf(new Date(iso), timeZone));
  const link = (l: DigestLine) =>
    `[${plainTitle(l.title)}](${baseUrl.replace(/\/$/, '')}/duties/${encodeURIComponent(l.dutyId)})`;
  const sections: [string, DigestLine[], (l: DigestLine) => string][] = [
    [
      '逾期未办',
      digest.overdue,
      (l) => `${link(l)} 截止 ${due(l.dueAt)},已逾期 ${l.workingDaysLate} 个工作日`,
    ],
    ['退回整改', digest.returned, (l) => `${link(l)} 整改期限 ${due(l.dueAt)}`],
    ['本周到期', digest.dueThisWeek, (l) => `${link(l)} 截止 ${due(l.dueAt)}`],
    ['待本单位确认', digest.toConfirm, (l) => `${link(l)}(${l.fromUnit ?? ''}提交)`],
  ];
  const lines = [`**督办早间提醒 · ${unitName} · ${dayWords(digest.date)}(${weekday})**`];
  for (const [heading, items, render] of sections) {
    if (items.length === 0) continue;
    lines.push('', `**${heading} ${items.length} 项**`);
    for (const item of items.slice(0, DIGEST_LINES_PER_SECTION)) lines.push(`- ${render(item)}`);
    if (items.length > DIGEST_LINES_PER_SECTION)
      lines.push(`- 另有 ${items.length - DIGEST_LINES_PER_SECTION} 项`);
  }
  return lines.join('\n');
}
