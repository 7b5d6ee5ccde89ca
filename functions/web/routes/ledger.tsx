import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { dutyLight, lightSettingsOf } from '../../../shared/domain/duty/light.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import type { Task } from '../../../shared/schemas/tasks.js';
import type { Unit } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/deps.js';
import { Legend, TrafficLight } from '../charts.js';
import { chromeOf, lightCalendar, pathId, planForReaders } from '../context.js';
import { RoleBadge, StatusBadge } from '../duty-parts.js';
import { dateTime } from '../format.js';
import { Page } from '../layout.js';
import { requireSession, type WebEnv } from '../session.js';

/** Tasks per ledger page: one T1 Query each, however big the plan. */
const LEDGER_PAGE = 50;
const SEARCH_MAX = 100;

const KIND_LABELS: Record<Task['kind'], string> = {
  task: '工作任务',
  report: '定期报送',
  'self-check': '自查',
  rectification: '整改',
};

interface LedgerFilter {
  q: string;
  phaseKey: string;
  unitId: string;
}

/** The ledger's query string for a filter (and a cursor): links keep what was chosen. */
function ledgerHref(planId: string, f: LedgerFilter, cursor?: string): string {
  const params = new URLSearchParams();
  if (f.q !== '') params.set('q', f.q);
  if (f.phaseKey !== '') params.set('phase', f.phaseKey);
  if (f.unitId !== '') params.set('unit', f.unitId);
  if (cursor !== undefined) params.set('cursor', cursor);
  const query = params.toString();
  return `/plans/${planId}/ledger${query === '' ? '' : `?${query}`}`;
}

const unitName = (units: Map<string, Unit>, id: string) => units.get(id)?.name ?? id;

/** The newest thing done on a duty, in words, with its time. */
export function lastAction(duty: Duty): { label: string; at: string } {
  const candidates: { label: string; at: string }[] = [{ label: '交办', at: duty.createdAt }];
  if (duty.submission !== null) candidates.push({ label: '提交办结', at: duty.submission.submittedAt });
  for (const c of duty.confirmations) candidates.push({ label: '上级确认', at: c.at });
  for (const r of duty.reviews) {
    candidates.push({ label: r.decision === 'accepted' ? '审核通过' : '退回整改', at: r.at });
  }
  // On a tie the later step wins: a submission made the minute a duty was assigned is the news.
  return candidates.reduce((a, b) => (b.at >= a.at ? b : a));
}

/** The 最近办理 cell of a duty's row: the newest thing done, with its time. */
export const LastActionCell: FC<{ duty: Duty; tz: string; now: Date }> = ({ duty, tz, now }) => {
  const last = lastAction(duty);
  return (
    <td>
      {last.label} {dateTime(last.at, tz, now)}
    </td>
  );
};

const Filters: FC<{ plan: Plan; units: Map<string, Unit>; filter: LedgerFilter }> = ({
  plan,
  units,
  filter,
}) => (
  <form class="row card" method="get" action={`/plans/${plan.id}/ledger`}>
    <label>
      标题包含 <input type="search" name="q" value={filter.q} maxlength={SEARCH_MAX} />
    </label>
    <label>
      阶段{' '}
      <select name="phase">
        <option value="">全部</option>
        {plan.phases.map((ph) => (
          <option value={ph.key} selected={ph.key === filter.phaseKey}>
            {ph.name}
          </option>
        ))}
      </select>
    </label>
    <label>
      单位{' '}
      <select name="unit">
        <option value="">全部</option>
        {[...units.values()]
          .filter((u) => u.active !== false)
          .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
          .map((u) => (
            <option value={u.id} selected={u.id === filter.unitId}>
              {u.name}
            </option>
          ))}
      </select>
    </label>
    <button type="submit">筛选</button>
    {(filter.q !== '' || filter.phaseKey !== '' || filter.unitId !== '') && (
      <a href={`/plans/${plan.id}/ledger`}>清除筛选</a>
    )}
  </form>
);

/**
 * 任务台账: every task of a plan, newest last, a page at a time (one Query of the plan's tasks
 * with the filters in it), each opening a task page with every unit's duty, its state, its last
 * action and its light.
 */
export function ledgerPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.get('/plans/:planId/ledger', signedIn, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    const raw = {
      q: (c.req.query('q') ?? '').trim().slice(0, SEARCH_MAX),
      phaseKey: c.req.query('phase') ?? '',
      unitId: c.req.query('unit') ?? '',
    };
    const cursor = c.req.query('cursor') || undefined;
    const { plan, units } = await planForReaders(
      deps,
      p,
      planId,
      '只有领导小组办公室和领导可以查看任务台账',
      async () => null,
    );
    // What the lists offer is all that is asked for: anything else is dropped, not passed on.
    const filter: LedgerFilter = {
      q: raw.q,
      phaseKey: plan.phases.some((ph) => ph.key === raw.phaseKey) ? raw.phaseKey : '',
      unitId: units.has(raw.unitId) ? raw.unitId : '',
    };
    const page = await deps.plans.listTasks(
      p,
      planId,
      { limit: LEDGER_PAGE, cursor },
      {
        q: filter.q === '' ? undefined : filter.q,
        phaseKey: filter.phaseKey === '' ? undefined : filter.phaseKey,
        unitId: filter.unitId === '' ? undefined : filter.unitId,
      },
    );
    const tz = plan.timezone;
    const now = deps.clock();
    const phaseName = (key: string) => plan.phases.find((ph) => ph.key === key)?.name ?? key;
    return c.html(
      <Page title={`任务台账 · ${plan.title}`} chrome={chromeOf(c, { planId, active: 'ledger' })}>
        <h1>任务台账</h1>
        <p class="muted">{plan.title}:按交办先后列出全部工作任务,点标题查看各单位办理情况。</p>
        <p>
          <a href={ledgerHref(planId, filter).replace('/ledger', '/ledger/duties')}>按单位任务查看</a>
          (按状态、亮灯筛选,按截止时间排序,导出 Excel)
        </p>
        <Filters plan={plan} units={units} filter={filter} />
        {page.items.length === 0 ? (
          <p class="card">{cursor === undefined ? '没有符合条件的任务。' : '本页没有符合条件的任务。'}</p>
        ) : (
          <div class="scroll" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th>工作任务</th>
                  <th>阶段</th>
                  <th>类型</th>
                  <th>牵头单位</th>
                  <th>配合单位</th>
                  <th>完成时限</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((task) => (
                  <tr data-task={task.id}>
                    <td>
                      <a href={`/plans/${planId}/ledger/${task.id}`}>{task.title}</a>
                    </td>
                    <td>{phaseName(task.phaseKey)}</td>
                    <td>{KIND_LABELS[task.kind]}</td>
                    <td>
                      <a href={ledgerHref(planId, { ...filter, unitId: task.leadUnitId })}>
                        {unitName(units, task.leadUnitId)}
                      </a>
                    </td>
                    <td>
                      {task.coUnitIds.length === 0
                        ? '—'
                        : task.coUnitIds.map((id) => unitName(units, id)).join('、')}
                    </td>
                    <td>
                      {task.dueAt === null
                        ? task.recurrence === null
                          ? '—'
                          : '周期报送'
                        : dateTime(task.dueAt, tz, now)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page.nextCursor !== null && (
          <p>
            <a href={ledgerHref(planId, filter, page.nextCursor)}>下一页</a>
          </p>
        )}
      </Page>,
    );
  });

  app.get('/plans/:planId/ledger/:taskId', signedIn, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    const taskId = pathId(c, 'taskId', '任务');
    const now = deps.clock();
    const {
      plan,
      units,
      more: task,
    } = await planForReaders(deps, p, planId, '只有领导小组办公室和领导可以查看任务台账', () =>
      deps.plans.taskWithDuties(p, planId, taskId, now),
    );
    const tz = plan.timezone;
    const lightSettings = lightSettingsOf(plan, await lightCalendar(deps, p, tz, now, task.duties));
    const phaseName = plan.phases.find((ph) => ph.key === task.phaseKey)?.name ?? task.phaseKey;
    const accepted = task.duties.filter((d) => d.status === 'accepted').length;
    const overdue = task.duties.filter((d) => d.overdue).length;
    return c.html(
      <Page title={task.title} chrome={chromeOf(c, { planId, active: 'ledger' })}>
        <p>
          <a href={`/plans/${planId}/ledger`}>← 任务台账</a>
        </p>
        <h1>{task.title}</h1>
        <p>
          <a href={`/print/plans/${planId}/tasks/${taskId}`}>打印督办单</a>
        </p>
        <dl class="card">
          <dt>阶段</dt>
          <dd>{phaseName}</dd>
          <dt>牵头单位</dt>
          <dd>{unitName(units, task.leadUnitId)}</dd>
          <dt>配合单位</dt>
          <dd>
            {task.coUnitIds.length === 0 ? '无' : task.coUnitIds.map((id) => unitName(units, id)).join('、')}
          </dd>
          <dt>完成时限</dt>
          <dd>{task.dueAt === null ? '周期报送,各期见下表' : dateTime(task.dueAt, tz, now)}</dd>
          {task.description !== '' && (
            <>
              <dt>工作要求</dt>
              <dd class="pre">{task.description}</dd>
            </>
          )}
        </dl>
        <h2>
          各单位办理情况(共 {task.duties.length} 项单位任务,已办结 {accepted} 项,逾期 {overdue} 项)
        </h2>
        <Legend />
        {task.duties.length === 0 ? (
          <p class="card">还没有生成单位任务。</p>
        ) : (
          <div class="scroll" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th>亮灯</th>
                  <th>责任单位</th>
                  <th>期次</th>
                  <th>状态</th>
                  <th>截止时间</th>
                  <th>最近办理</th>
                </tr>
              </thead>
              <tbody>
                {task.duties.map((d) => {
                  const light = dutyLight(d, now, lightSettings);
                  return (
                    <tr data-duty={d.id}>
                      <td>
                        <TrafficLight light={light.light} reason={light.reason} />
                      </td>
                      <td>
                        <a href={`/duties/${d.id}`}>{unitName(units, d.unitId)}</a> <RoleBadge duty={d} />
                      </td>
                      <td>{d.period?.label ?? '—'}</td>
                      <td>
                        <StatusBadge duty={d} />
                        {d.round > 1 && <small> 第 {d.round} 轮</small>}
                      </td>
                      <td>{dateTime(d.dueAt, tz, now)}</td>
                      <LastActionCell duty={d} tz={tz} now={now} />
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Page>,
    );
  });

  return app;
}
