import type { FC } from 'hono/jsx';
import {
  type LightResult,
  PROGRESS_LIGHT_LABELS,
  type ProgressLight,
} from '../../shared/domain/duty/light.js';
import { milestoneText } from '../../shared/domain/duty/milestones.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { dateTime } from './format.js';
import { Csrf } from './layout.js';

const BADGE: Record<ProgressLight, string> = {
  red: 'b-red',
  yellow: 'b-yellow',
  blue: 'b-blue',
  green: 'b-green',
};

/**
 * 序时进度 of one open duty: its light by the one rule (shared/domain/duty/light.ts), planned against
 * reported progress, and for its own unit a form to report progress.
 */
export const ProgressSection: FC<{
  duty: Duty;
  /** The duty's light by the plan's settings, as the page's header shows it. */
  light: LightResult;
  now: Date;
  timeZone: string;
  mayReport: boolean;
  csrfToken: string;
  error?: string | undefined;
}> = ({ duty, light: result, now, timeZone, mayReport, csrfToken, error }) => {
  const milestones = duty.milestones ?? [];
  return (
    <section class="card" id="progress" data-progress-light={result.light}>
      <p class="row">
        <span class={`badge ${BADGE[result.light]}`}>{PROGRESS_LIGHT_LABELS[result.light]}</span>
        <span>{result.reason}</span>
      </p>
      {result.plannedPercent !== null && (
        <p>
          序时进度 <strong>{result.plannedPercent}%</strong>
          {milestones.length > 0
            ? `(按里程碑:${milestones.map(milestoneText).join(';')})`
            : '(交办至截止按工作日平均推进)'}{' '}
          · 已报进度{' '}
          <strong>{result.reportedPercent === null ? '未报告' : `${result.reportedPercent}%`}</strong>
          {duty.progress != null && (
            <small>
              {' '}
              ({dateTime(duty.progress.at, timeZone, now)}
              {duty.progress.note !== null ? `:${duty.progress.note}` : ''})
            </small>
          )}
        </p>
      )}
      {duty.milestoneProposal != null && (
        <p data-milestone-proposal>
          <span class="badge b-yellow">里程碑待批准</span>{' '}
          {duty.milestoneProposal.milestones.map(milestoneText).join(';')}
        </p>
      )}
      {mayReport && duty.status === 'open' && (
        <form
          method="post"
          action={`/duties/${duty.id}/progress`}
          class="row"
          novalidate
          data-form="progress"
        >
          <Csrf token={csrfToken} />
          <label>
            完成进度(%){' '}
            <input
              type="number"
              name="percent"
              min="0"
              max="100"
              step="1"
              required
              value={duty.progress != null ? String(duty.progress.percent) : ''}
              class={error !== undefined ? 'invalid' : undefined}
            />
          </label>
          <input
            type="text"
            name="note"
            maxlength={2000}
            placeholder="进展说明(可选)"
            aria-label="进展说明"
          />
          <input type="hidden" name="version" value={String(duty.version)} />
          <button type="submit">报告进度</button>
          {error !== undefined && <p class="err-msg">{error}</p>}
        </form>
      )}
    </section>
  );
};
