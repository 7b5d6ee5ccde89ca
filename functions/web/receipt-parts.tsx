import type { FC } from 'hono/jsx';
import type { ReceiptFigures } from '../../shared/domain/plan/counters.js';

export type ReceiptRow = ReceiptFigures & { unitId: string; unitName: string };

/**
 * 签收情况: who has not signed (most unsigned first) and how fast each unit signs, in working
 * minutes. The overview shows it live from the counters, a report as frozen at its cut-off.
 */
export const ReceiptSection: FC<{ all: ReceiptFigures; rows: readonly ReceiptRow[] }> = ({ all, rows }) => {
  if (rows.length === 0) return null;
  const sorted = [...rows].sort((a, b) => b.unsigned - a.unsigned || a.unitId.localeCompare(b.unitId));
  return (
    <>
      <h2 id="receipts">签收情况</h2>
      <p class="muted">
        待签收 {all.unsigned} 条,已签收 {all.signed} 条(超时签收 {all.signedLate} 条)
        {all.averageWorkingMinutes !== null && <>,平均用时 {all.averageWorkingMinutes} 工作分钟</>}
      </p>
      <div class="scroll" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th>单位</th>
              <th>待签收</th>
              <th>已签收</th>
              <th>超时签收</th>
              <th>平均签收用时(工作分钟)</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr data-receipt-unit={r.unitId}>
                <td>{r.unitName}</td>
                <td>{r.unsigned > 0 ? <span class="badge b-yellow">{r.unsigned}</span> : '0'}</td>
                <td>{r.signed}</td>
                <td>{r.signedLate}</td>
                <td>{r.averageWorkingMinutes ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
};
