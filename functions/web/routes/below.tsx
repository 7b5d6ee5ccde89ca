import { Hono } from 'hono';
import type { Principal } from '../../../shared/auth/principal.js';
import {
  DUTY_STATUS_LABELS,
  DUTY_STATUSES,
  type DutyStatus,
} from '../../../shared/domain/duty/duty-status.js';
import { DEFAULT_LIGHT_POLICY, lightRuleText } from '../../../shared/domain/duty/light.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import type { AppDeps } from '../../api/deps.js';
import { Legend, TrafficLight } from '../charts.js';
import { chromeOf, pathId, type WebContext } from '../context.js';
import { Page } from '../layout.js';
import { requireSession, type WebEnv } from '../session.js';
import { KIND_LABELS } from '../unit-tree.js';
import { DutyTable, dutyPage } from './ledger-duties.js';
import { lightText, UnitCounts } from './overview.js';

/** A unit below's duties are shown this many a page (one Query each). */
const PAGE_SIZE = 50;
/** The plans offered to switch between, newest first. */
const PLANS_OFFERED = 20;

const ID = /^[a-z0-9-]{1,140}$/;

/** The plan asked for (`?plan=`), else the newest; undefined when there is none. */
async function planOf(
  deps: AppDeps,
  p: Principal,
  c: WebContext,
): Promise<{ plan: Plan | undefined; plans: Plan[] }> {
  const asked = c.req.query('plan') ?? '';
  const { items: plans } = await deps.plans.list(p, { limit: PLANS_OFFERED });
  if (asked === '' || !ID.test(asked)) return { plan: plans[0], plans };
  const listed = plans.find((pl) => pl.id === asked);
  return { plan: listed ?? (await deps.plans.get(p, asked)), plans };
}

/**
 * 下级任务: a unit with units below it (a township over its villages and schools) sees, per unit
 * below, its duties in a plan by status (from the counters) and its open duties by light, and opens
 * each unit's duties with their lights, a page at a time. The office and leaders may look at any
 * unit's (`?unit=`); a unit with nothing below is refused (403), as in the API.
 */
export function belowPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.get('/below', signedIn, async (c) => {
    const p = c.get('principal');
    const asked = c.req.query('unit') ?? '';
    const unitId = ID.test(asked) ? asked : p.unitId;
    if (unitId === undefined) return c.redirect('/', 303);
    const now = deps.clock();
    const { plan, plans } = await planOf(deps, p, c);
    const chrome = chromeOf(c, { active: 'below', planId: plan?.id });
    if (plan === undefined) {
      // Still refused for a unit with nothing below, before saying there is no plan.
      await deps.below.unitsBelow(p, unitId);
      return c.html(
        <Page title="下级任务" chrome={chrome}>
          <h1>下级任务</h1>
          <p class="card">还没有工作方案。</p>
        </Page>,
      );
    }
    const view = await deps.below.summary(p, unitId, plan.id, now);
    const whose = unitId === p.unitId ? '' : `&unit=${unitId}`;
    return c.html(
      <Page title={`下级任务 · ${plan.title}`} chrome={chrome}>
        <h1>下级任务 · {plan.title}</h1>
        {plans.length > 1 && (
          <p class="row">
            <span class="muted">工作方案:</span>
            {plans.map((pl) =>
              pl.id === plan.id ? (
                <strong>{pl.title}</strong>
              ) : (
                <a href={`/below?plan=${pl.id}${whose}`}>{pl.title}</a>
              ),
            )}
          </p>
        )}
        <div class="card row" data-below-total>
          <span>
            所辖 {view.units.length} 个单位,共 {view.all.counts.total} 项单位任务
          </span>
          <span class="badge b-green">办结 {view.all.counts.accepted}</span>
          <span class="badge b-blue">待审核 {view.all.counts.submitted}</span>
          <span class="badge">待办 {view.all.counts.open - view.all.counts.overdue}</span>
          <span class="badge b-red">逾期 {view.all.counts.overdue}</span>
        </div>
        <Legend />
        <p class="muted" data-progress-lights={lightText(view.all.lights)}>
          待办任务按序时进度亮灯:{lightText(view.all.lights)}
        </p>
        <p class="muted" data-light-rule>
          {lightRuleText({ ...DEFAULT_LIGHT_POLICY, ...plan.lightSettings })}
        </p>
        <ul class="units">
          {view.units.map((row) => (
            <li data-unit={row.unitId} data-light={row.light}>
              <TrafficLight light={row.light} />
              <span>
                <a href={`/below/${row.unitId}?plan=${plan.id}`}>{row.name}</a>{' '}
                <small>{KIND_LABELS[row.kind]}</small>
              </span>
              <UnitCounts counts={row.counts} lights={row.lights} />
            </li>
          ))}
        </ul>
        <p class="muted" data-how>
          读取方式:各单位的任务数来自计数项(所辖单位 × 阶段,共 {view.source.cells} 项),亮灯和逾期按其{' '}
          {view.source.openDuties}{' '}
          项待办任务计算;已提交和已办结的任务只计数,不逐条读取。点单位名称逐页查看其任务。
        </p>
      </Page>,
    );
  });

  app.get('/below/:unitId', signedIn, async (c) => {
    const p = c.get('principal');
    const unitId = pathId(c, 'unitId', '单位');
    const now = deps.clock();
    const { plan } = await planOf(deps, p, c);
    const unit = await deps.units.get(p, unitId);
    const statusAsked = c.req.query('status') ?? '';
    const status = (DUTY_STATUSES as readonly string[]).includes(statusAsked)
      ? (statusAsked as DutyStatus)
      : undefined;
    const chrome = chromeOf(c, { active: 'below', planId: plan?.id });
    const whose = unit.parentId === null || unit.parentId === p.unitId ? '' : `&unit=${unit.parentId}`;
    if (plan === undefined) {
      return c.html(
        <Page title={`${unit.name} · 下级任务`} chrome={chrome}>
          <h1>{unit.name}</h1>
          <p class="card">还没有工作方案。</p>
        </Page>,
      );
    }
    // One Query of the unit's duties in the plan (status in the key), authorized by the unit tree.
    const page = await dutyPage(
      deps,
      p,
      plan,
      { q: '', phaseKey: '', unitId, status: status ?? '', light: '', order: 'asc' },
      { limit: PAGE_SIZE, cursor: c.req.query('cursor') || undefined },
      now,
    );
    const base = `/below/${unitId}?plan=${plan.id}`;
    const withStatus = (s: DutyStatus | undefined) => (s === undefined ? base : `${base}&status=${s}`);
    return c.html(
      <Page title={`${unit.name} · 下级任务`} chrome={chrome}>
        <p>
          <a href={`/below?plan=${plan.id}${whose}`}>← 下级任务</a>
        </p>
        <h1>
          {unit.name} · {plan.title}
        </h1>
        <p class="row">
          <span class="muted">状态:</span>
          {status === undefined ? <strong>全部</strong> : <a href={withStatus(undefined)}>全部</a>}
          {DUTY_STATUSES.map((s) =>
            s === status ? (
              <strong>{DUTY_STATUS_LABELS[s]}</strong>
            ) : (
              <a href={withStatus(s)}>{DUTY_STATUS_LABELS[s]}</a>
            ),
          )}
        </p>
        <Legend />
        {page.rows.length === 0 ? (
          <p class="card">没有{status === undefined ? '' : DUTY_STATUS_LABELS[status]}任务。</p>
        ) : (
          <DutyTable
            rows={page.rows}
            plan={plan}
            units={new Map([[unit.id, unit]])}
            now={now}
            taskHref={(d) => `/duties/${d.id}`}
          />
        )}
        <p class="muted">
          每页最多 {PAGE_SIZE} 项,按截止时间由早到晚{status === undefined ? '(先按状态分组)' : ''}
          ,亮灯按统一规则实时计算。
        </p>
        {page.nextCursor !== null && (
          <p>
            <a href={`${withStatus(status)}&cursor=${encodeURIComponent(page.nextCursor)}`}>下一页</a>
          </p>
        )}
      </Page>,
    );
  });

  return app;
}
