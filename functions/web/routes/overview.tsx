import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { workingDaysLate } from '../../../shared/domain/calendar/working-calendar.js';
import { lightRuleText, lightSettingsOf } from '../../../shared/domain/duty/light.js';
import {
  compareByLight,
  emptyLightCounts,
  type LightCounts,
  lightCountsByUnit,
  lightOfCounts,
} from '../../../shared/domain/duty/light-counts.js';
import { levelLabel } from '../../../shared/domain/escalation/ladder.js';
import { ForbiddenError } from '../../../shared/errors.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { PlanView, StatusCounts } from '../../../shared/schemas/plans.js';
import type { AppDeps } from '../../api/deps.js';
import { Legend, PhaseTimeline, StackedBar, summary, TrafficLight } from '../charts.js';
import { collect } from '../collect.js';
import { chromeOf, lightCalendar, pathId, unitDirectory } from '../context.js';
import { dateTime } from '../format.js';
import { Page } from '../layout.js';
import { ReceiptSection } from '../receipt-parts.js';
import { requireSession, type WebEnv } from '../session.js';
import { RankingTable } from './reports.js';

/** The plan list shows this many, newest first (a county runs a handful at a time). */
const PLANS_SHOWN = 1000;

const SORTS = { overdue: '按逾期', name: '按单位', progress: '按完成率', light: '按亮灯' } as const;
type Sort = keyof typeof SORTS;

interface UnitRow {
  id: string;
  name: string;
  counts: StatusCounts;
  /** Open duties by the 序时进度 light rule (shared/domain/duty/light.ts). */
  lights: LightCounts;
}

interface OverdueRow {
  duty: Duty;
  unitName: string;
  late: number;
}

const doneRate = (c: StatusCounts) => (c.total === 0 ? 1 : c.accepted / c.total);

function sortRows(rows: UnitRow[], sort: Sort): UnitRow[] {
  const byName = (a: UnitRow, b: UnitRow) => a.name.localeCompare(b.name, 'zh-CN');
  const order: Record<Sort, (a: UnitRow, b: UnitRow) => number> = {
    overdue: (a, b) => b.counts.overdue - a.counts.overdue || b.counts.open - a.counts.open || byName(a, b),
    name: byName,
    progress: (a, b) => doneRate(a.counts) - doneRate(b.counts) || byName(a, b),
    light: (a, b) => compareByLight(a.lights, b.lights) || byName(a, b),
  };
  return [...rows].sort(order[sort]);
}

export const lightText = (c: LightCounts) =>
  `红灯 ${c.red} · 黄灯 ${c.yellow} · 蓝灯 ${c.blue} · 绿灯 ${c.green}`;

/** A unit's row after its name: the bar of its duties by status, their counts and its open duties' lights. */
export const UnitCounts: FC<{ counts: StatusCounts; lights: LightCounts }> = ({ counts, lights }) => (
  <>
    <StackedBar counts={counts} />
    <span class="nums">
      <small>{summary(counts)}</small>
      {counts.open > 0 && <small data-progress-lights={lightText(lights)}> · {lightText(lights)}</small>}
    </span>
  </>
);

/** Pages for those who see every unit: the home redirect, the plan list and 督办总览. */
export function overviewPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.get('/', signedIn, async (c) => {
    const p = c.get('principal');
    if (!decide(p, 'duty.read').allowed) return c.redirect('/my', 303);
    const newest = (await deps.plans.list(p, { limit: 1 })).items[0];
    return c.redirect(newest === undefined ? '/plans' : `/plans/${newest.id}`, 303);
  });

  app.get('/plans', signedIn, async (c) => {
    const p = c.get('principal');
    // A directory shown whole up to a cap, newest first; past the cap the page says so.
    const { items: plans, truncated } = await collect((page) => deps.plans.list(p, page), PLANS_SHOWN);
    const now = deps.clock();
    return c.html(
      <Page title="工作方案" chrome={chromeOf(c, { active: 'plans', planId: plans[0]?.id })}>
        <h1>工作方案</h1>
        {plans.length === 0 ? (
          <p class="card">还没有工作方案。</p>
        ) : (
          <div class="scroll" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th>方案</th>
                  <th>阶段</th>
                  <th>创建时间</th>
                </tr>
              </thead>
              <tbody>
                {plans.map((plan) => (
                  <tr>
                    <td>
                      <a href={`/plans/${plan.id}`}>{plan.title}</a>
                    </td>
                    <td>{plan.phases.map((ph) => ph.name).join(' → ')}</td>
                    <td>{dateTime(plan.createdAt, plan.timezone, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {truncated && <p class="muted">只列出最新的 {plans.length} 个方案。</p>}
      </Page>,
    );
  });

  app.get('/plans/:planId', signedIn, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    if (!decide(p, 'duty.read').allowed) {
      throw new ForbiddenError('督办总览供领导小组办公室和领导查看;单位请查看“我的任务”');
    }
    const now = deps.clock();
    const sortParam = c.req.query('sort') ?? 'overdue';
    const sort: Sort = Object.hasOwn(SORTS, sortParam) ? (sortParam as Sort) : 'overdue';
    const [view, units, open, latest] = await Promise.all([
      deps.plans.view(p, planId, now),
      unitDirectory(deps, p),
      collect((page) => deps.duties.listForPlan(p, planId, { status: 'open' }, page, now)),
      deps.reports.list(p, planId, { limit: 1 }),
    ]);
    const newest = latest.items[0];
    const report = newest === undefined ? null : await deps.reports.get(p, newest.id);
    const tz = view.timezone;
    const overdue = open.items.filter((d) => d.overdue);
    const calendar = await lightCalendar(deps, p, tz, now, open.items);
    const nameOf = (id: string) => units.get(id)?.name ?? id;
    /** A unit's name anywhere on the overview opens that unit's duties in the ledger. */
    const unitDuties = (unitId: string) =>
      `/plans/${planId}/ledger/duties?unit=${encodeURIComponent(unitId)}`;

    const lightSettings = lightSettingsOf(view, calendar);
    const progressLights = lightCountsByUnit(open.items, now, lightSettings);
    const rows = sortRows(
      Object.entries(view.counts.byUnit).map(([id, counts]) => ({
        id,
        name: nameOf(id),
        counts,
        lights: progressLights.byUnit.get(id) ?? emptyLightCounts(),
      })),
      sort,
    );
    const late: OverdueRow[] = overdue
      .map((duty) => ({
        duty,
        unitName: nameOf(duty.unitId),
        late: workingDaysLate(new Date(duty.dueAt), now, tz, calendar),
      }))
      .sort((a, b) => b.late - a.late || a.duty.dueAt.localeCompare(b.duty.dueAt));

    return c.html(
      <Page title={`督办总览 · ${view.title}`} chrome={chromeOf(c, { active: 'overview', planId })}>
        <h1>督办总览 · {view.title}</h1>
        <Totals view={view} />
        <h2>工作阶段</h2>
        <div class="card scroll" tabindex={0}>
          <PhaseTimeline plan={view} now={now} />
        </div>
        <SelfChecks view={view} now={now} />
        <Receipts view={view} nameOf={nameOf} />
        <h2 id="units">各单位进度</h2>
        <div class="row">
          <span class="muted">排序:</span>
          {(Object.keys(SORTS) as Sort[]).map((key) =>
            key === sort ? (
              <strong>{SORTS[key]}</strong>
            ) : (
              <a href={`/plans/${planId}?sort=${key}#units`}>{SORTS[key]}</a>
            ),
          )}
        </div>
        <Legend />
        <p class="muted" data-progress-lights={lightText(progressLights.all)}>
          待办任务按序时进度亮灯:{lightText(progressLights.all)}
        </p>
        <p class="muted" data-light-rule>
          {lightRuleText(lightSettings)}
        </p>
        {rows.length === 0 ? (
          <p class="card">还没有交办任务。</p>
        ) : (
          <ul class="units">
            {rows.map((row) => (
              <li data-unit={row.id}>
                <TrafficLight light={lightOfCounts(row.lights)} />
                <a href={unitDuties(row.id)}>{row.name}</a>
                <UnitCounts counts={row.counts} lights={row.lights} />
              </li>
            ))}
          </ul>
        )}
        {open.truncated && <p class="muted">待办任务过多,亮灯只按前 {open.items.length} 条计算。</p>}
        {progressLights.byPhase.size > 0 && (
          <ul class="muted" id="phase-lights">
            {view.phases
              .filter((ph) => progressLights.byPhase.has(ph.key))
              .map((ph) => {
                const counts = progressLights.byPhase.get(ph.key) ?? emptyLightCounts();
                return (
                  <li data-phase-lights={ph.key}>
                    <TrafficLight light={lightOfCounts(counts)} /> {ph.name}:{lightText(counts)}
                  </li>
                );
              })}
          </ul>
        )}
        <h2 id="overdue">逾期任务({late.length})</h2>
        {late.length === 0 ? (
          <p class="card">没有逾期任务。</p>
        ) : (
          <div class="scroll" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th>责任单位</th>
                  <th>任务</th>
                  <th>截止时间</th>
                  <th>逾期</th>
                  <th>已发督办</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {late.map((row) => (
                  <tr data-duty={row.duty.id}>
                    <td>
                      <a href={unitDuties(row.duty.unitId)}>{row.unitName}</a>
                    </td>
                    <td>
                      <a href={`/duties/${row.duty.id}`}>{row.duty.title}</a>
                      {row.duty.round > 1 && <span class="badge b-yellow">第 {row.duty.round} 轮整改</span>}
                    </td>
                    <td>{dateTime(row.duty.dueAt, tz, now)}</td>
                    <td>
                      <span class="badge b-red">{row.late} 个工作日</span>
                    </td>
                    <td>{row.duty.lastNoticeLevel === null ? '—' : levelLabel(row.duty.lastNoticeLevel)}</td>
                    <td>
                      <a href={`/duties/${row.duty.id}#remind`}>催办</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {report !== null && (
          <>
            <h2 id="ranking">最新通报排名 · {report.periodLabel}</h2>
            <p class="muted">
              截至 {dateTime(report.asOf, report.timezone, now)},没有逾期未办的单位在前,再按按时办结率排名。
              <a href={`/reports/${report.id}`}>查看通报全文</a>
            </p>
            <RankingTable rows={report.ranking} />
          </>
        )}
      </Page>,
    );
  });

  return app;
}

/** 签收: who has not signed (most unsigned first), and how fast each unit signs. */
const Receipts: FC<{ view: PlanView; nameOf: (id: string) => string }> = ({ view, nameOf }) => (
  <ReceiptSection
    all={view.receipts.all}
    rows={Object.entries(view.receipts.byUnit).map(([unitId, r]) => ({
      unitId,
      unitName: nameOf(unitId),
      ...r,
    }))}
  />
);

/** 自查报告: per phase with self-check duties, who has filed (已报送) and who has not (未报送). */
const SelfChecks: FC<{ view: PlanView; now: Date }> = ({ view, now }) => {
  if (view.selfChecks.length === 0) return null;
  return (
    <>
      <h2 id="self-checks">自查报告报送情况</h2>
      {view.selfChecks.map((phase) => {
        const notFiled = phase.units.filter((u) => u.state === 'not-filed');
        const filed = phase.units.filter((u) => u.state !== 'not-filed');
        return (
          <div class="card" data-self-check-phase={phase.phaseKey}>
            <p>
              <strong>{phase.phaseName}</strong>:已报送 {phase.filed} 个单位,未报送 {phase.notFiled} 个
              {phase.overdue > 0 && <span class="badge b-red">逾期未报 {phase.overdue}</span>}
            </p>
            <p data-self-check="not-filed">
              未报送:
              {notFiled.length === 0
                ? '无'
                : notFiled.map((u) => (
                    <span class={`badge ${u.overdue ? 'b-red' : ''}`} data-unit={u.unitId}>
                      {u.unitName}
                      {u.overdue ? '(逾期)' : `(${dateTime(u.dueAt, view.timezone, now)} 前)`}
                    </span>
                  ))}
            </p>
            <p data-self-check="filed">
              已报送:
              {filed.length === 0
                ? '无'
                : filed.map((u) => (
                    <span
                      class={`badge ${u.state === 'accepted' ? 'b-green' : 'b-blue'}`}
                      data-unit={u.unitId}
                    >
                      {u.unitName}
                      {u.state === 'accepted' ? '(已审核)' : '(待审核)'}
                    </span>
                  ))}
            </p>
          </div>
        );
      })}
    </>
  );
};

const Totals: FC<{ view: PlanView }> = ({ view }) => {
  const all = view.counts.all;
  return (
    <div class="card row">
      <span>
        当前阶段:<strong>{view.currentPhase?.name ?? '不在任何阶段内'}</strong>
      </span>
      <span>共 {all.total} 项单位任务</span>
      <span class="badge b-green">办结 {all.accepted}</span>
      <span class="badge b-blue">待审核 {all.submitted}</span>
      <span class="badge">待办 {all.open - all.overdue}</span>
      <span class="badge b-red">逾期 {all.overdue}</span>
      <span class="muted">截至 {dateTime(view.asOf, view.timezone)}</span>
    </div>
  );
};
