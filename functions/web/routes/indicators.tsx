import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { FIGURE_SOURCE_LABELS } from '../../../shared/domain/indicator/consistency.js';
import { PERIODICITY_LABELS, periodWords } from '../../../shared/domain/indicator/period.js';
import { type FieldProblem, ValidationError } from '../../../shared/errors.js';
import type { IndicatorTableView } from '../../../shared/schemas/indicators.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId } from '../context.js';
import { Page } from '../layout.js';
import { requireSession, type WebEnv } from '../session.js';
import { TrendChart } from '../trend-chart.js';

type Cell = IndicatorTableView['total']['cells'][string];
type RowFields = IndicatorTableView['total'];

const STATUS: Record<NonNullable<Cell['status']>, { cls: string; word: string }> = {
  met: { cls: 'b-green', word: '达标' },
  warning: { cls: 'b-yellow', word: '预警' },
  breached: { cls: 'b-red', word: '未达标' },
};
const LIGHT: Record<RowFields['light'], { cls: string; word: string }> = {
  red: { cls: 'b-red', word: '红灯' },
  yellow: { cls: 'b-yellow', word: '黄灯' },
  green: { cls: 'b-green', word: '绿灯' },
  none: { cls: '', word: '未填报' },
};
const CONSISTENCY: Record<RowFields['consistency'], { cls: string; word: string }> = {
  agree: { cls: 'b-green', word: '一致' },
  mismatch: { cls: 'b-red', word: '不一致' },
  single: { cls: '', word: '单一来源' },
  none: { cls: '', word: '—' },
};

/** The month `now` falls in, in China's time: the period a page opens on. */
const monthOf = (now: Date) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 7);

const CellView: FC<{ cell: Cell | undefined; unit: string }> = ({ cell, unit }) => {
  if (cell === undefined || cell.figure === null) return <td class="muted">未报</td>;
  const status = cell.status === null ? undefined : STATUS[cell.status];
  return (
    <td data-status={cell.status ?? ''}>
      {status !== undefined && <span class={`badge ${status.cls}`}>{status.word}</span>} {cell.value ?? '—'}
      {unit}
      <br />
      <small>
        {cell.figure.denominator === undefined ? '' : `${cell.figure.numerator}/${cell.figure.denominator}`}
        {cell.basis === 'rolled-up' && ' 汇总'}
        {cell.consistency === 'mismatch' && (
          <span class="badge b-red" title={cell.sources.map((s) => FIGURE_SOURCE_LABELS[s]).join('、')}>
            三不一致
          </span>
        )}
      </small>
    </td>
  );
};

const Marks: FC<{ row: RowFields }> = ({ row }) => (
  <>
    <td>
      <span class={`badge ${CONSISTENCY[row.consistency].cls}`}>{CONSISTENCY[row.consistency].word}</span>
    </td>
    <td data-light={row.light}>
      <span class={`badge ${LIGHT[row.light].cls}`}>{LIGHT[row.light].word}</span>
      {row.vetoed && (
        <span class="badge b-red" title={row.vetoReasons.join('、')}>
          一票否决:{row.vetoReasons.join('、')}
        </span>
      )}
    </td>
  </>
);

/**
 * 指标监测: the plan's indicator table for one period — each unit's figures against the targets
 * (red, yellow, green), rolled up village → township → county, veto items marked, and whether the
 * unit's sources agree (三一致).
 */
export function indicatorPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.get('/plans/:planId/indicators', signedIn, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    const asked = c.req.query('period');
    const period = asked !== undefined && /^[0-9a-z-]{1,20}$/.test(asked) ? asked : monthOf(deps.clock());
    const plan = await deps.plans.get(p, planId);
    let table: IndicatorTableView | undefined;
    let problem: string | undefined;
    try {
      table = await deps.indicators.table(p, planId, period);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const { fields } = err.details as { fields: FieldProblem[] };
      problem = fields.map((x) => x.message).join(';');
    }
    return c.html(
      <Page title="指标监测" chrome={chromeOf(c, { active: 'indicators', planId })}>
        <h1>
          指标监测 · {plan.title} · {periodWords(period)}
        </h1>
        <form method="get" class="card row">
          <label>
            周期 <input name="period" value={period} placeholder="2026-05、2026-spring、once" />
          </label>
          <button type="submit">查看</button>
        </form>
        {problem !== undefined && <p class="card err">{problem}</p>}
        {table !== undefined && table.indicators.length === 0 && <p class="card">本方案还没有设定指标。</p>}
        {table !== undefined && table.indicators.length > 0 && (
          <>
            <p class="card row">
              <span>全县</span>
              <span class={`badge ${LIGHT[table.total.light].cls}`} data-county-light={table.total.light}>
                {LIGHT[table.total.light].word}
              </span>
              {table.total.vetoed && (
                <span class="badge b-red">一票否决:{table.total.vetoReasons.join('、')}</span>
              )}
              <small>数字逐级汇总分子、分母(村→乡镇→县),不对比率取平均。</small>
              <a href={`/plans/${planId}/reports`}>各单位得分卡(量化考评)见各期通报</a>
            </p>
            <div class="scroll" tabindex={0}>
              <table>
                <thead>
                  <tr>
                    <th>单位</th>
                    {table.indicators.map((i) => (
                      <th>
                        <a href={`/plans/${planId}/indicators/${i.key}/trend`} title="查看各周期趋势">
                          {i.name}
                        </a>
                        {i.veto && <span class="badge b-red">否决</span>}
                        <br />
                        <small>
                          {i.targetWords} · {PERIODICITY_LABELS[i.period]}
                        </small>
                      </th>
                    ))}
                    <th>三一致</th>
                    <th>亮灯</th>
                  </tr>
                </thead>
                <tbody>
                  <tr data-unit="county-total">
                    <th>全县合计</th>
                    {table.indicators.map((i) => (
                      <CellView cell={table.total.cells[i.key]} unit={i.unitOfMeasure} />
                    ))}
                    <Marks row={table.total} />
                  </tr>
                  {table.rows.map((r) => (
                    <tr data-unit={r.unitId}>
                      <th style={`padding-left:${0.5 + r.depth * 1.2}em`}>{r.unitName}</th>
                      {table.indicators.map((i) => (
                        <CellView cell={r.cells[i.key]} unit={i.unitOfMeasure} />
                      ))}
                      <Marks row={r} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Page>,
      problem === undefined ? 200 : 400,
    );
  });

  app.get('/plans/:planId/indicators/:key/trend', signedIn, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    const key = pathId(c, 'key', '指标');
    const [plan, trend] = await Promise.all([
      deps.plans.get(p, planId),
      deps.indicators.trend(p, planId, key, deps.clock()),
    ]);
    const { indicator } = trend;
    return c.html(
      <Page title={`${indicator.name}趋势`} chrome={chromeOf(c, { active: 'indicators', planId })}>
        <h1>
          {indicator.name} · 趋势 · {plan.title}
        </h1>
        <p class="card row">
          <span>
            目标 {indicator.targetWords} · {PERIODICITY_LABELS[indicator.period]}
          </span>
          {indicator.veto && <span class="badge b-red">一票否决</span>}
          <a href={`/plans/${planId}/indicators`}>返回指标监测表</a>
        </p>
        {trend.points.length === 0 ? (
          <p class="card">还没有开始的填报周期。</p>
        ) : (
          <>
            <div class="card scroll" tabindex={0}>
              <TrendChart trend={trend} />
            </div>
            <table>
              <thead>
                <tr>
                  <th>周期</th>
                  <th>全县</th>
                  {trend.unitId !== null && <th>本单位</th>}
                </tr>
              </thead>
              <tbody>
                {trend.points.map((pt) => (
                  <tr data-period={pt.period}>
                    <th>
                      <a href={`/plans/${planId}/indicators?period=${pt.period}`}>{pt.label}</a>
                    </th>
                    <TrendCell value={pt.value} status={pt.status} unit={indicator.unitOfMeasure} />
                    {trend.unitId !== null && (
                      <TrendCell value={pt.unitValue} status={pt.unitStatus} unit={indicator.unitOfMeasure} />
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Page>,
    );
  });

  return app;
}

const TrendCell: FC<{ value: string | null; status: Cell['status']; unit: string }> = ({
  value,
  status,
  unit,
}) => {
  if (value === null) return <td class="muted">未报</td>;
  const s = status === null ? undefined : STATUS[status];
  return (
    <td data-status={status ?? ''}>
      {s !== undefined && <span class={`badge ${s.cls}`}>{s.word}</span>} {value}
      {unit}
    </td>
  );
};
