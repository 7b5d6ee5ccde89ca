import type { FC } from 'hono/jsx';
import type { Report } from '../../shared/schemas/reports.js';

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const signed = (points: number) => (points > 0 ? `+${points}` : String(points));

/**
 * 量化考评 on the report page: every unit by score beside its rank by on-time rate, each unit's score
 * card (its breakdown line by line, so it sees why it lost each point), and the rules every score was
 * given by. A unit sees every unit's score and its own card only.
 */
export const ScoreSection: FC<{ report: Report }> = ({ report }) => {
  const scoring = report.scoring;
  if (scoring === null) {
    return (
      <>
        <h2 id="scores">量化考评</h2>
        <p class="muted">该通报生成于量化考评之前,未考评。</p>
      </>
    );
  }
  const byRate = new Map(report.ranking.map((r) => [r.unitId, r]));
  const mine = report.viewerUnitId;
  const cards = scoring.units.filter((u) => mine === null || u.unitId === mine);
  return (
    <>
      <h2 id="scores">量化考评</h2>
      <div class="scroll" tabindex={0}>
        <table data-score-table>
          <thead>
            <tr>
              <th>得分排名</th>
              <th>单位</th>
              <th>总分</th>
              <th>一票否决</th>
              <th>按时办结率排名</th>
              <th>按时办结率</th>
            </tr>
          </thead>
          <tbody>
            {scoring.units.map((u) => (
              <tr data-score-unit={u.unitId} style={u.unitId === mine ? 'background:#fff8e1' : undefined}>
                <td>{u.rank}</td>
                <td>{u.unitName}</td>
                <td>{u.total}</td>
                <td>{u.vetoed ? <span class="badge b-red">否决</span> : ''}</td>
                <td>{byRate.get(u.unitId)?.rank ?? '—'}</td>
                <td>{percent(byRate.get(u.unitId)?.onTimeRate ?? null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cards.map((u) => (
        <details class="card" data-score-card={u.unitId} open={mine !== null}>
          <summary>
            {u.unitName}:{u.total} 分{u.vetoed && `,一票否决(${u.vetoReasons.join('、')}未达标),总评不合格`}
          </summary>
          <table>
            <tbody>
              <tr>
                <td>基础分</td>
                <td />
                <td>{scoring.rules.base}</td>
              </tr>
              {u.lines.map((l) => (
                <tr>
                  <td>{l.label}</td>
                  <td>{l.count}</td>
                  <td>{signed(l.points)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
      <h3>考评规则</h3>
      <ul class="muted">
        {scoring.rulesWords.map((rule) => (
          <li>{rule}</li>
        ))}
        <li>指标:{scoring.indicators.note}</li>
      </ul>
    </>
  );
};
