import type { FC } from 'hono/jsx';
import { workingDaysLate } from '../../../shared/domain/calendar/working-calendar.js';
import { dutyLight, lightSettingsOf } from '../../../shared/domain/duty/light.js';
import { periodRefusal } from '../../../shared/domain/duty/occurrence-period.js';
import { awaitingReceipt } from '../../../shared/domain/duty/receipt.js';
import { levelLabel } from '../../../shared/domain/escalation/ladder.js';
import type { Delivery } from '../../../shared/schemas/channels.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { Notice } from '../../../shared/schemas/notices.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { DEFAULT_TIMEZONE } from '../../../shared/schemas/plans.js';
import { DeliveryBadges } from '../delivery-parts.js';
import { lastReturn, RoleBadge, TitleMarks } from '../duty-parts.js';
import { dateTime, timeLeft } from '../format.js';
import { type Chrome, Csrf, Page } from '../layout.js';
import { type Inbox, timeZoneOf } from './my-duties-load.js';

/** 待办 (open and waiting for review) and 已办结 (accepted), the two views of 我的任务. */
export const MyTabs: FC<{ on: 'open' | 'done' }> = ({ on }) => (
  <p class="tabs row">
    <a href="/my" class={on === 'open' ? 'on' : undefined} aria-current={on === 'open' ? 'page' : undefined}>
      待办与待审核
    </a>
    <a
      href="/my?tab=done"
      class={on === 'done' ? 'on' : undefined}
      aria-current={on === 'done' ? 'page' : undefined}
    >
      已办结
    </a>
  </p>
);

/**
 * A recurring report's occurrences beyond the current period and the next wait under 以后的, so a
 * month of weekly forms does not fill 待办; every other duty stays in the list, in its order.
 */
export function splitReports(duties: readonly Duty[]): { current: Duty[]; later: Duty[] } {
  const shown = new Map<string, number>();
  const current: Duty[] = [];
  const later: Duty[] = [];
  for (const duty of [...duties].sort((a, b) => a.dueAt.localeCompare(b.dueAt))) {
    if (duty.kind !== 'report' || duty.overdue) continue;
    const n = shown.get(duty.taskId) ?? 0;
    shown.set(duty.taskId, n + 1);
    if (n >= 2) later.push(duty);
  }
  const laterIds = new Set(later.map((d) => d.id));
  for (const duty of duties) if (!laterIds.has(duty.id)) current.push(duty);
  return { current, later };
}

/** The unit's inbox (我的任务): open duties, most urgent first, what waits for review, notices. */
export const InboxPage: FC<{ inbox: Inbox; chrome: Chrome; csrfToken: string }> = ({
  inbox,
  chrome,
  csrfToken,
}) => {
  const { now, plans, units, duties, submitted, notices, deliveries, me, unitId } = inbox;
  const late = duties.filter((d) => d.overdue);
  const { current, later } = splitReports(duties);
  const unacked = notices.filter((n) => n.acks[me] === undefined).length;
  return (
    <Page title="我的任务" chrome={chrome}>
      <h1>我的任务 · {chrome.who}</h1>
      <MyTabs on="open" />
      <div class="card row">
        <span>待办 {duties.length} 条</span>
        <span class={`badge ${late.length > 0 ? 'b-red' : ''}`}>逾期 {late.length}</span>
        <span class="badge b-blue">待审核 {submitted.length}</span>
        <a href="#notices">
          未签收通知 <span class={`badge ${unacked > 0 ? 'b-yellow' : ''}`}>{unacked}</span>
        </a>
        {inbox.hasBelow && <a href="/review">下级单位报送,待本单位确认 →</a>}
      </div>
      <h2>待办任务</h2>
      {duties.length === 0 && <p class="card">没有待办任务。</p>}
      {current.map((duty) => (
        <OpenDutyCard duty={duty} inbox={inbox} csrfToken={csrfToken} />
      ))}
      {later.length > 0 && (
        <details class="fold later">
          <summary>以后的定期报告({later.length} 期)</summary>
          {later.map((duty) => (
            <OpenDutyCard duty={duty} inbox={inbox} csrfToken={csrfToken} />
          ))}
        </details>
      )}
      {inbox.openTruncated && <p class="muted">只显示最紧急的 {duties.length} 条。</p>}
      <h2>已提交,待审核</h2>
      {submitted.length === 0 ? (
        <p class="muted">无</p>
      ) : (
        <ul>
          {submitted.map((duty) => (
            <li>
              <a href={`/duties/${duty.id}`}>{duty.title}</a>{' '}
              <small>
                提交于{' '}
                {dateTime(
                  duty.submission?.submittedAt ?? duty.updatedAt,
                  timeZoneOf(plans, duty.planId),
                  now,
                )}
              </small>
            </li>
          ))}
        </ul>
      )}
      <h2 id="notices">督办通知</h2>
      {notices.length === 0 && <p class="muted">没有通知。</p>}
      {notices.map((n) => (
        <NoticeCard
          notice={n}
          acked={n.acks[me] !== undefined}
          about={n.unitId === unitId ? null : (units.get(n.unitId)?.name ?? n.unitId)}
          plan={plans.get(n.planId)}
          now={now}
          csrfToken={csrfToken}
          deliveries={deliveries.get(n.id)}
        />
      ))}
    </Page>
  );
};

const NoticeCard: FC<{
  notice: Notice;
  acked: boolean;
  about: string | null;
  plan: Plan | undefined;
  now: Date;
  csrfToken: string;
  deliveries: readonly Delivery[] | undefined;
}> = ({ notice, acked, about, plan, now, csrfToken, deliveries }) => {
  const tz = plan?.timezone ?? DEFAULT_TIMEZONE;
  return (
    <div class="card row" data-notice={notice.id}>
      <span
        class={`badge ${notice.offsetWorkingDays > 0 ? 'b-red' : notice.offsetWorkingDays === 0 ? 'b-yellow' : ''}`}
      >
        {notice.levelLabel || levelLabel(notice.level)}
      </span>
      <span>
        {notice.caseId !== undefined ? (
          // A 控辍保学 notice leads to its case, for every unit of the chain it went to.
          <a href={`/cases/${notice.caseId}`}>{notice.dutyTitle}</a>
        ) : about !== null ? (
          notice.dutyTitle
        ) : notice.dutyId === '' ? (
          // A notice about no duty (指标未达标) leads to the plan's indicator table.
          <a href={`/plans/${notice.planId}/indicators`}>{notice.dutyTitle}</a>
        ) : (
          <a href={`/duties/${notice.dutyId}`}>{notice.dutyTitle}</a>
        )}
        {about !== null && <small>(所辖 {about})</small>}
      </span>
      <small>
        {dateTime(notice.createdAt, tz, now)}
        {notice.workingDaysLate > 0 && ` · 已逾期 ${notice.workingDaysLate} 个工作日`}
      </small>
      <DeliveryBadges deliveries={deliveries} />
      {acked ? (
        <span class="badge b-green">已签收</span>
      ) : (
        <form method="post" action={`/notices/${notice.id}/ack`}>
          <Csrf token={csrfToken} />
          <button type="submit" class="light">
            签收
          </button>
        </form>
      )}
    </div>
  );
};

/** One open duty of the inbox: light, title, due time, badges, the return's reason, its actions. */
const OpenDutyCard: FC<{ duty: Duty; inbox: Inbox; csrfToken: string }> = ({ duty, inbox, csrfToken }) => {
  const { now, plans, calendar } = inbox;
  const tz = timeZoneOf(plans, duty.planId);
  const reason = lastReturn(duty);
  // A later period's report is listed ahead of time but taken only once that period opens.
  const notYet = duty.period ? periodRefusal(duty.period, now, tz) : null;
  const light = dutyLight(duty, now, lightSettingsOf(plans.get(duty.planId), calendar, tz));
  return (
    <article
      class={`card duty ${duty.overdue ? 'overdue' : light.light === 'yellow' || light.light === 'blue' ? 'near' : ''}`}
      data-duty={duty.id}
    >
      <h3 class="row">
        <TitleMarks duty={duty} light={light.light} reason={light.reason} />
        <a href={`/duties/${duty.id}`}>{duty.title}</a>
      </h3>
      <p class="row">
        <span>截止 {dateTime(duty.dueAt, tz, now)}</span>
        {duty.overdue ? (
          <span class="badge b-red">
            逾期 {workingDaysLate(new Date(duty.dueAt), now, tz, calendar)} 个工作日
          </span>
        ) : (
          <span class="muted">{timeLeft(duty.dueAt, now)}</span>
        )}
        <RoleBadge duty={duty} />
        {duty.kind === 'report' && <span class="badge">定期报告</span>}
        {duty.period && <span>{duty.period.label}</span>}
        {duty.kind === 'rectification' && <span class="badge">督查整改</span>}
        {duty.pendingExtensionId !== null && <span class="badge b-blue">延期审批中</span>}
        {awaitingReceipt(duty) && <span class="badge b-yellow">待签收</span>}
        {duty.lastNoticeLevel !== null && (
          <span class="badge b-yellow">已收{levelLabel(duty.lastNoticeLevel)}</span>
        )}
        <small>{plans.get(duty.planId)?.title}</small>
      </p>
      {reason !== null && (
        <p class="err-msg">
          退回整改(第 {duty.round} 轮):{reason}
        </p>
      )}
      <div class="row">
        {awaitingReceipt(duty) && (
          <form method="post" action={`/duties/${duty.id}/receive`}>
            <Csrf token={csrfToken} />
            <button type="submit">签收</button>
          </form>
        )}
        <a href={`/duties/${duty.id}`}>办理 / 提交办结 →</a>
        {duty.kind === 'report' && notYet !== null && <span class="muted">{notYet}</span>}
        {duty.kind === 'report' && notYet === null && (
          <form method="post" action={`/duties/${duty.id}/submit`}>
            <Csrf token={csrfToken} />
            <input type="hidden" name="version" value={String(duty.version)} />
            <input type="hidden" name="nothingToReport" value="1" />
            <input type="hidden" name="back" value="my" />
            <button type="submit" class="light">
              零报告(本期无情况)
            </button>
          </form>
        )}
      </div>
    </article>
  );
};
