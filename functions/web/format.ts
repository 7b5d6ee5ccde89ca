import { DEFAULT_TIME_ZONE } from '../../shared/domain/time/zoned-time.js';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(instant: Date, timeZone: string) {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = new Map(f.formatToParts(instant).map((p) => [p.type, p.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.get('weekday') ?? '');
  return {
    year: Number(parts.get('year')),
    month: Number(parts.get('month')),
    day: Number(parts.get('day')),
    hour: parts.get('hour') ?? '00',
    minute: parts.get('minute') ?? '00',
    weekday: WEEKDAYS[weekday] ?? '',
  };
}

/** "5月26日(周二)23:59" in the plan's time zone; the year only when it is not `now`'s. */
export function dateTime(iso: string, timeZone = DEFAULT_TIME_ZONE, now?: Date): string {
  const p = partsIn(new Date(iso), timeZone);
  const year = now !== undefined && partsIn(now, timeZone).year !== p.year ? `${p.year}年` : '';
  return `${year}${p.month}月${p.day}日(周${p.weekday})${p.hour.padStart(2, '0')}:${p.minute.padStart(2, '0')}`;
}

/** "5月14日" from an ISO date. */
export function shortDate(isoDate: string): string {
  return `${Number(isoDate.slice(5, 7))}月${Number(isoDate.slice(8, 10))}日`;
}

/** "还剩 5 小时" / "还剩 3 天" until `iso`, for duties not yet due. */
export function timeLeft(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  if (ms <= 0) return '已到期';
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 1) return '不足 1 小时';
  if (hours < 48) return `还剩 ${hours} 小时`;
  return `还剩 ${Math.floor(hours / 24)} 天`;
}

/** "HH:MM" of `iso` on the wall clock of `timeZone`, for prefilling a time input. */
export function localTime(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
  const p = partsIn(new Date(iso), timeZone);
  return `${p.hour.padStart(2, '0')}:${p.minute.padStart(2, '0')}`;
}

/** "820 B", "12.5 KB", "3.2 MB": a file's size as a clerk reads it. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
