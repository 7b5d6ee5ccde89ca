/** `12月1日`, or `2026年12月1日` with the year. For a valid `YYYY-MM-DD`. */
export function dayWords(date: string, withYear = false): string {
  const day = `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
  return withYear ? `${Number(date.slice(0, 4))}年${day}` : day;
}

/**
 * A span of local dates as an office writes it: `11月30日—12月6日`; one day alone is `12月1日`;
 * a span across the new year names both years (`2026年12月28日—2027年1月3日`).
 */
export function dateRangeWords(start: string, end: string): string {
  if (start === end) return dayWords(start);
  const acrossYears = start.slice(0, 4) !== end.slice(0, 4);
  return `${dayWords(start, acrossYears)}—${dayWords(end, acrossYears)}`;
}

/** `2026年12月` for a `YYYY-MM` (or a date in that month). */
export function monthWords(yearMonth: string): string {
  return `${Number(yearMonth.slice(0, 4))}年${Number(yearMonth.slice(5, 7))}月`;
}
