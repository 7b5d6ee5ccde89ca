import type { FC } from 'hono/jsx';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { RoleBadge } from '../duty-parts.js';
import { dateTime } from '../format.js';
import { type Chrome, Page } from '../layout.js';
import { timeZoneOf } from './my-duties-load.js';
import { MyTabs } from './my-inbox-view.js';

/** What 已办结 shows: the unit's accepted duties, newest acceptance first. */
export interface DoneList {
  now: Date;
  plans: Map<string, Plan>;
  duties: Duty[];
  truncated: boolean;
}

/** 我的任务 · 已办结: finished work stays findable, each with the notice that it was accepted. */
export const DonePage: FC<{ done: DoneList; chrome: Chrome }> = ({ done, chrome }) => {
  const { now, plans, duties } = done;
  return (
    <Page title="我的任务 · 已办结" chrome={chrome}>
      <h1>我的任务 · {chrome.who}</h1>
      <MyTabs on="done" />
      {duties.length === 0 && <p class="card">还没有已办结的任务。</p>}
      {duties.map((duty) => {
        const tz = timeZoneOf(plans, duty.planId);
        const review = duty.reviews.findLast((r) => r.decision === 'accepted');
        return (
          <article class="card duty done" data-duty={duty.id}>
            <h3 class="row">
              <span class="badge b-green">已办结</span>
              <a href={`/duties/${duty.id}`}>{duty.title}</a>
            </h3>
            <p class="row">
              <RoleBadge duty={duty} />
              {duty.period && <span>{duty.period.label}</span>}
              <small>{plans.get(duty.planId)?.title}</small>
            </p>
            <p>
              {review === undefined
                ? '已审核通过,任务办结。'
                : `已于 ${dateTime(review.at, tz, now)} 审核通过,任务办结${review.note === null ? '。' : `:${review.note}`}`}
            </p>
          </article>
        );
      })}
      {done.truncated && <p class="muted">只显示最近的 {duties.length} 条。</p>}
    </Page>
  );
};
