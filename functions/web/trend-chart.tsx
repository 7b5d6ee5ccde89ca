import type { FC } from 'hono/jsx';
import type { IndicatorTrend } from '../../shared/schemas/indicators.js';
import { COLORS } from './charts.js';

type Point = IndicatorTrend['points'][number];

const STATUS_COLOR: Record<NonNullable<Point['status']>, string> = {
  met: COLORS.accepted,
  warning: COLORS.yellow,
  breached: COLORS.overdue,
};
const STATUS_WORD: Record<NonNullable<Point['status']>, string> = {
  met: '达标',
  warning: '预警',
  breached: '未达标',
};

/**
 * One indicator over its periods as an SVG line (no chart service): the county's value in each
 * period, a dot coloured by its status, the target as a dashed line; a unit reader's own line
 * beside it. A period nobody reported leaves a gap.
 */
export const TrendChart: FC<{ trend: IndicatorTrend }> = ({ trend }) => {
  const { points, indicator } = trend;
  const W = 760;
  const H = 260;
  const LEFT = 70;
  const RIGHT = 20;
  const TOP = 20;
  const BOTTOM = 50;
  const target = Number(indicator.target);
  const values = points.flatMap((p) => [p.value, p.unitValue]).filter((v): v is string => v !== null);
  const numbers = [target, ...values.map(Number)];
  let lo = Math.min(...numbers);
  let hi = Math.max(...numbers);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.1;
  lo -= pad;
  hi += pad;
  const step = points.length > 1 ? (W - LEFT - RIGHT) / (points.length - 1) : 0;
  const x = (i: number) => (points.length > 1 ? LEFT + i * step : (LEFT + W - RIGHT) / 2);
  const y = (v: number) => TOP + ((hi - v) / (hi - lo)) * (H - TOP - BOTTOM);
  /** Polylines broken where a period has no value. */
  const segments = (pick: (p: Point) => string | null) => {
    const runs: string[] = [];
    let run: string[] = [];
    points.forEach((p, i) => {
      const v = pick(p);
      if (v === null) {
        if (run.length > 0) runs.push(run.join(' '));
        run = [];
      } else run.push(`${x(i).toFixed(1)},${y(Number(v)).toFixed(1)}`);
    });
    if (run.length > 0) runs.push(run.join(' '));
    return runs;
  };
  const mine = trend.unitId !== null;
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label={`${indicator.name}趋势,目标 ${indicator.targetWords}`}
      font-size="12"
      data-trend={indicator.key}
    >
      <line
        x1={LEFT}
        x2={W - RIGHT}
        y1={y(target)}
        y2={y(target)}
        stroke="#5f6b76"
        stroke-dasharray="6 4"
        data-target={indicator.target}
      />
      <text x={LEFT - 6} y={y(target) + 4} text-anchor="end" fill="#5f6b76">
        {`目标 ${indicator.target}`}
      </text>
      {segments((p) => p.value).map((pts) => (
        <polyline points={pts} fill="none" stroke="#1565c0" stroke-width="2" data-line="county" />
      ))}
      {mine &&
        segments((p) => p.unitValue).map((pts) => (
          <polyline
            points={pts}
            fill="none"
            stroke="#8e24aa"
            stroke-width="2"
            stroke-dasharray="4 2"
            data-line="unit"
          />
        ))}
      {points.map((p, i) => (
        <g>
          {p.value !== null && (
            <circle
              cx={x(i)}
              cy={y(Number(p.value))}
              r="5"
              fill={p.status === null ? '#90a4ae' : STATUS_COLOR[p.status]}
              data-point={p.period}
              data-status={p.status ?? ''}
            >
              <title>{`${p.label}:全县 ${p.value}${indicator.unitOfMeasure}${p.status === null ? '' : `,${STATUS_WORD[p.status]}`}`}</title>
            </circle>
          )}
          {mine && p.unitValue !== null && (
            <circle
              cx={x(i)}
              cy={y(Number(p.unitValue))}
              r="4"
              fill={p.unitStatus === null ? '#90a4ae' : STATUS_COLOR[p.unitStatus]}
              stroke="#8e24aa"
            >
              <title>{`${p.label}:本单位 ${p.unitValue}${indicator.unitOfMeasure}`}</title>
            </circle>
          )}
          <text x={x(i)} y={H - BOTTOM + 18} text-anchor="middle" fill="#1f2933">
            {p.label.replace(/^\d{4}年/, '')}
          </text>
        </g>
      ))}
      <text x={LEFT} y={H - 8} fill="#1565c0">
        ━ 全县
      </text>
      {mine && (
        <text x={LEFT + 70} y={H - 8} fill="#8e24aa">
          ┅ 本单位
        </text>
      )}
    </svg>
  );
};
