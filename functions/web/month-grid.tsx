import type { FC } from 'hono/jsx';
import { addDays } from '../../shared/domain/time/zoned-time.js';

/** The grid's own few rules, kept with it: a day off red, a make-up working day blue. */
export const MONTH_GRID_CSS = `
.months{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.6rem}
.month{background:#fff;border:1px solid #dde3e8;border-radius:6px;padding:.4rem .5rem}
.month h3{margin:.1rem 0 .3rem;font-size:1rem}
.month table{border-collapse:collapse;width:100%;text-align:center;font-size:.85rem}
.month th{font-weight:400;color:#5f6b76}
.month td{padding:.15rem 0;border-radius:4px}
.month td.we{color:#5f6b76}
.month td.off{background:#fdecea;color:#b3261e;font-weight:700}
.month td.on{background:#e3ecfd;color:#0b57d0;font-weight:700}
.legend span{display:inline-block;padding:0 .4rem;border-radius:4px;margin-right:.6rem}
.legend .off{background:#fdecea;color:#b3261e}.legend .on{background:#e3ecfd;color:#0b57d0}
`;

const HEAD = ['一', '二', '三', '四', '五', '六', '日'];

/** The weeks of a month, Monday first, as rows of 7 dates (null outside the month). */
function weeksOf(year: number, month: number): (string | null)[][] {
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  const lead = (new Date(`${first}T00:00:00Z`).getUTCDay() + 6) % 7;
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let date = first; Number(date.slice(5, 7)) === month; date = addDays(date, 1)) cells.push(date);
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/**
 * A year as twelve month grids: days off (`holidays`) marked 休, weekend days made working days
 * (`workdays`) marked 班, so the office checks a notice's parse against the notice at a glance.
 */
export const MonthGrid: FC<{ year: number; holidays: readonly string[]; workdays: readonly string[] }> = ({
  year,
  holidays,
  workdays,
}) => {
  const off = new Set(holidays);
  const on = new Set(workdays);
  return (
    <div class="months">
      {Array.from({ length: 12 }, (_, i) => i + 1).map((month) => (
        <section class="month" data-month={month}>
          <h3>{month}月</h3>
          <table>
            <thead>
              <tr>
                {HEAD.map((h) => (
                  <th>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeksOf(year, month).map((week) => (
                <tr>
                  {week.map((date, index) => {
                    if (date === null) return <td />;
                    const kind = on.has(date) ? 'on' : off.has(date) ? 'off' : index >= 5 ? 'we' : undefined;
                    const day = Number(date.slice(8, 10));
                    return (
                      <td
                        class={kind}
                        data-date={date}
                        title={kind === 'on' ? '调休上班' : kind === 'off' ? '放假' : undefined}
                      >
                        {day}
                        {kind === 'on' ? '班' : kind === 'off' ? '休' : ''}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
};
