/**
 * Quiet hours (免打扰): nothing is pushed to a group between `start` and `end` local time; what
 * falls due then goes out at `end`. Urgent levels (通报问责, when the office marks it) go at once.
 * Pure: the caller passes the clock.
 */
import { addDays, localDateOf, zonedToInstant } from '../time/zoned-time.js';

export interface QuietHours {
  /** `HH:MM` local time the quiet window starts (inclusive). */
  start: string;
  /** `HH:MM` local time it ends (exclusive); before `start` means the window crosses midnight. */
  end: string;
  timeZone: string;
  /** Notice levels that are pushed even in quiet hours. */
  urgentLevels: readonly string[];
}

export const DEFAULT_QUIET_HOURS: QuietHours = {
  start: '22:00',
  end: '07:30',
  timeZone: 'Asia/Shanghai',
  urgentLevels: [],
};

const minutesOf = (hhmm: string) => {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

function localMinutes(now: Date, timeZone: string): number {
  const date = localDateOf(now, timeZone);
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  const midnight = zonedToInstant({ year, month, day }, timeZone).getTime();
  return Math.floor((now.getTime() - midnight) / 60_000);
}

/** True when `now` falls in the quiet window. A window whose start equals its end is empty. */
export function isQuiet(now: Date, quiet: Pick<QuietHours, 'start' | 'end' | 'timeZone'>): boolean {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const at = localMinutes(now, quiet.timeZone);
  return start < end ? at >= start && at < end : at >= start || at < end;
}

/**
 * When a notice of `level` may be pushed, seen at `now`: `now` itself outside the window (or for an
 * urgent level), else the window's end — today's, or tomorrow's when the window started before
 * midnight.
 */
export function releaseAt(now: Date, level: string, quiet: QuietHours): Date {
  if (quiet.urgentLevels.includes(level) || !isQuiet(now, quiet)) return now;
  const today = localDateOf(now, quiet.timeZone);
  const [h = 0, m = 0] = quiet.end.split(':').map(Number);
  const endToday = (date: string) => {
    const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
    return zonedToInstant({ year, month, day, hour: h, minute: m }, quiet.timeZone);
  };
  const candidate = endToday(today);
  return candidate.getTime() > now.getTime() ? candidate : endToday(addDays(today, 1));
}
