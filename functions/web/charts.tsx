import type { FC } from 'hono/jsx';
import { PROGRESS_LIGHT_LABELS, type ProgressLight } from '../../shared/domain/duty/light.js';
import { type PhaseState, phaseState } from '../../shared/domain/plan/phases.js';
import { localDateOf } from '../../shared/domain/time/zoned-time.js';
import type { PlanView, StatusCounts } from '../../shared/schemas/plans.js';
import { shortDate } from './format.js';

export const COLORS = {
  accepted: '#2e7d32',
  submitted: '#1565c0',
  open: '#b0bec5',
  overdue: '#c62828',
  yellow: '#f9a825',
  today: '#c62828',
} as const;

const DAY_MS = 86_400_000;
const dayNumber = (isoDate: string) => Math.round(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS);
/** An open-ended phase is drawn this many days long (or to today, if later), fading out. */
const OPEN_END_DAYS = 14;

const STATE_LABELS: Record<PhaseState, string> = { upcoming: '未开始', active: '进行中', ended: '已结束' };
const STATE_FILL: Record<PhaseState, string> = { upcoming: '#bbdefb', active: '#1976d2', ended: '#90a4ae' };

/** A phase's state and its duties in words: `进行中 · 办结 3/10 · 逾期 2`. */
function phaseWords(plan: PlanView, phase: PlanView['phases'][number], now: Date) {
  const state = phaseState(phase, now, plan.timezone);
  const counts = plan.counts.byPhase[phase.key];
  const done = counts === undefined ? '' : `办结 ${counts.accepted}/${counts.total}`;
  const late = counts !== undefined && counts.overdue > 0 ? ` · 逾期 ${counts.overdue}` : '';
  return { state, counts, duties: `${done}${late}`, late: late !== '' };
}

/**
 * The plan's phases for a phone: one line per phase (name, dates, state, duties), today first. A
 * Gantt strip 960 units wide shrinks its 13px text to about 5px on a 390px screen; the stylesheet
 * shows this list there instead.
 */
const PhaseList: FC<{ plan: PlanView; now: Date; today: string }> = ({ plan, now, today }) => (
  <ol class="phase-list" aria-label="工作阶段">
    <li class="today">今天 {shortDate(today)}</li>
    {plan.phases.map((phase) => {
      const words = phaseWords(plan, phase, now);
      return (
        <li data-phase-state={words.state}>
          <span class={`badge ${words.state === 'active' ? 'b-blue' : ''}`}>{STATE_LABELS[words.state]}</span>{' '}
          <strong>{phase.name}</strong>
          <br />
          <small>
            {shortDate(phase.start)}–{phase.end ? shortDate(phase.end) : '待定'}
          </small>{' '}
          <span class={words.late ? 'late' : undefined}>{words.duties}</span>
        </li>
      );
    })}
  </ol>
);

/**
 * The plan's phases as a Gantt strip: one row per phase (windows may overlap), its state and
 * progress at the left, today as a red line across all rows; on a phone, the same as a list.
 */
export const PhaseTimeline: FC<{ plan: PlanView; now: Date }> = ({ plan, now }) => (
  <>
    <PhaseGantt plan={plan} now={now} />
    {plan.phases.length > 0 && <PhaseList plan={plan} now={now} today={localDateOf(now, plan.timezone)} />}
  </>
);

const PhaseGantt: FC<{ plan: PlanView; now: Date }> = ({ plan, now }) => {
  const today = localDateOf(now, plan.timezone);
  const first = plan.phases[0];
  if (first === undefined) return null;
  const ends = plan.phases.map(
    (p) => dayNumber(p.end ?? p.start) + (p.end === undefined ? OPEN_END_DAYS : 0),
  );
  const start = Math.min(dayNumber(first.start), dayNumber(today));
  const end = Math.max(...ends, dayNumber(today) + 1) + 1;
  const W = 960;
  const LABEL = 250;
  const BAR = W - LABEL - 20;
  const TOP = 30;
  const ROW = 40;
  const H = TOP + ROW * plan.phases.length + 8;
  const x = (day: number) => LABEL + ((day - start) / (end - start)) * BAR;
  const todayX = x(dayNumber(today) + 0.5);
  return (
    <svg
      class="gantt"
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label={`工作阶段时间轴,今天 ${shortDate(today)}`}
      font-size="13"
    >
      <defs>
        <linearGradient id="fade">
          <stop offset="0.6" stop-color="#1976d2" stop-opacity="1" />
          <stop offset="1" stop-color="#1976d2" stop-opacity="0.05" />
        </linearGradient>
      </defs>
      {plan.phases.map((phase, i) => {
        const { state, counts, duties } = phaseWords(plan, phase, now);
        const y = TOP + i * ROW;
        const x0 = x(dayNumber(phase.start));
        const x1 = x((ends[i] ?? dayNumber(phase.start)) + 1);
        const open = phase.end === undefined;
        const fill = open && state !== 'upcoming' ? 'url(#fade)' : STATE_FILL[state];
        return (
          <g>
            <text x="4" y={y + 15} font-weight="600" fill="#1f2933">
              {phase.name}
            </text>
            <text
              x="4"
              y={y + 32}
              font-size="12"
              fill={counts && counts.overdue > 0 ? COLORS.overdue : '#5f6b76'}
            >
              {`${STATE_LABELS[state]} · ${duties}`}
            </text>
            <rect x={x0} y={y + 6} width={Math.max(2, x1 - x0)} height="24" rx="3" fill={fill}>
              <title>{`${phase.name}:${shortDate(phase.start)}至${phase.end ? shortDate(phase.end) : '(未定)'},${STATE_LABELS[state]}`}</title>
            </rect>
            <DateLabel
              text={`${shortDate(phase.start)}–${phase.end ? shortDate(phase.end) : '待定'}`}
              x0={x0}
              x1={x1}
              y={y + 23}
              width={W}
              inside={state === 'upcoming' ? '#1f2933' : '#fff'}
            />
          </g>
        );
      })}
      <line
        x1={todayX}
        x2={todayX}
        y1={TOP - 4}
        y2={H}
        stroke={COLORS.today}
        stroke-width="2"
        stroke-dasharray="5 3"
      />
      <text x={Math.min(todayX, W - 90)} y="16" fill={COLORS.today} font-weight="600" text-anchor="middle">
        {`今天 ${shortDate(today)}`}
      </text>
    </svg>
  );
};

/** Rough width of 12px text: CJK characters are square, digits and dashes about half. */
const textWidth = (text: string) => [...text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2000 ? 12 : 7), 0);

/** A phase's dates inside its bar when they fit, else beside it (right, or left near the edge). */
const DateLabel: FC<{ text: string; x0: number; x1: number; y: number; width: number; inside: string }> = ({
  text,
  x0,
  x1,
  y,
  width,
  inside,
}) => {
  const w = textWidth(text);
  if (x1 - x0 >= w + 12) {
    return (
      <text x={x0 + 6} y={y} font-size="12" fill={inside}>
        {text}
      </text>
    );
  }
  const right = x1 + 6 + w <= width;
  return (
    <text
      x={right ? x1 + 6 : x0 - 6}
      y={y}
      font-size="12"
      fill="#1f2933"
      text-anchor={right ? 'start' : 'end'}
    >
      {text}
    </text>
  );
};

/** One unit's duties as a stacked bar: accepted, submitted, open on time, overdue. */
export const StackedBar: FC<{ counts: StatusCounts }> = ({ counts }) => {
  const onTime = counts.open - counts.overdue;
  const parts: [number, string, string][] = [
    [counts.accepted, COLORS.accepted, '已办结'],
    [counts.submitted, COLORS.submitted, '待审核'],
    [onTime, COLORS.open, '待办'],
    [counts.overdue, COLORS.overdue, '逾期'],
  ];
  const total = Math.max(1, counts.total);
  let at = 0;
  return (
    <svg
      class="bar"
      viewBox={`0 0 ${total} 1`}
      preserveAspectRatio="none"
      role="img"
      aria-label={summary(counts)}
    >
      <title>{summary(counts)}</title>
      <rect width={total} height="1" fill="#eef1f4" />
      {parts.map(([n, fill, label]) => {
        const rect =
          n > 0 ? (
            <rect x={at} width={n} height="1" fill={fill} data-part={label}>
              <title>{`${label} ${n}`}</title>
            </rect>
          ) : null;
        at += n;
        return rect;
      })}
    </svg>
  );
};

/** A unit's counts in words: the bar's label, and the text beside it. */
export const summary = (c: StatusCounts) =>
  `办结 ${c.accepted} · 待审核 ${c.submitted} · 待办 ${c.open - c.overdue} · 逾期 ${c.overdue} / 共 ${c.total}`;

const LIGHT_FILL: Record<ProgressLight, string> = {
  red: COLORS.overdue,
  yellow: COLORS.yellow,
  blue: COLORS.submitted,
  green: COLORS.accepted,
};

/**
 * The light (亮灯) of a unit or a duty by the one rule (shared/domain/duty/light.ts), with its
 * meaning as text for screen readers and print.
 */
export const TrafficLight: FC<{ light: ProgressLight; reason?: string | undefined }> = ({
  light,
  reason,
}) => (
  <svg
    width="16"
    height="16"
    viewBox="0 0 16 16"
    role="img"
    aria-label={PROGRESS_LIGHT_LABELS[light]}
    data-light={light}
  >
    <title>
      {reason === undefined ? PROGRESS_LIGHT_LABELS[light] : `${PROGRESS_LIGHT_LABELS[light]}:${reason}`}
    </title>
    <circle cx="8" cy="8" r="7" fill={LIGHT_FILL[light]} stroke="#0003" />
  </svg>
);

/** What the bar colours and the lights mean. */
export const Legend: FC = () => (
  <div class="legend">
    <span>
      <i class="sw" style={`background:${COLORS.accepted}`} />
      已办结
    </span>
    <span>
      <i class="sw" style={`background:${COLORS.submitted}`} />
      待审核
    </span>
    <span>
      <i class="sw" style={`background:${COLORS.open}`} />
      待办
    </span>
    <span>
      <i class="sw" style={`background:${COLORS.overdue}`} />
      逾期
    </span>
    <span class="muted">亮灯:红 逾期 · 黄 落后于序时进度或应报未报 · 蓝 临近截止 · 绿 正常推进</span>
  </div>
);
