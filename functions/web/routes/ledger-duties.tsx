import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import type { Principal } from '../../../shared/auth/principal.js';
import {
  DUTY_STATUS_LABELS,
  DUTY_STATUSES,
  type DutyStatus,
} from '../../../shared/domain/duty/duty-status.js';
import {
  dutyLight,
  type LightSettings,
  lightSettingsOf,
  PROGRESS_LIGHT_LABELS,
  type ProgressLight,
} from '../../../shared/domain/duty/light.js';
import { formatLocal, type Table } from '../../../shared/export/report-table.js';
import { tableFile } from '../../../shared/export/table-file.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import type { Unit } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/deps.js';
import { Legend, TrafficLight } from '../charts.js';
import { chromeOf, lightCalendar, pathId, planForReaders } from '../context.js';
import { RoleBadge, returnedBy } from '../duty-parts.js';
import { dateTime } from '../format.js';
import { Page } from '../layout.js';
import { requireSession, type WebEnv } from '../session.js';
import { LastActionCell, lastAction } from './ledger.js';

/** Duties read per Query: a page shows at most this many (fewer when a page-side filter drops some). */
const PAGE_SIZE = 50;
const EXPORT_PAGE = 500;
/** The most rows an export reads; past it the file says it stopped. */
const EXPORT_MAX = 10_000;
const SEARCH_MAX = 100;

/** 退回整改: open again after a return. In the key it is 待办 (open); the return is checked on the page. */
type StatusChoice = DutyStatus | 'returned';
const STATUS_CHOICES: readonly StatusChoice[] = [...DUTY_STATUSES, 'returned'];
const STATUS_CHOICE_LABELS: Record<StatusChoice, string> = { ...DUTY_STATUS_LABELS, returned: '退回整改' };
const LIGHTS: readonly ProgressLight[] = ['red', 'yellow', 'blue', 'green'];
const LIGHT_WORDS: Record<ProgressLight, string> = {
  red: '红灯',
  yellow: '黄灯',
  blue: '蓝灯',
  green: '绿灯',
};

export interface DutyLedgerFilter {
  q: string;
  phaseKey: string;
  unitId: string;
  status: StatusChoice | '';
  light: ProgressLight | '';
  order: 'asc' | 'desc';
}

/** The query string's filter, keeping only what the lists offer (anything else is dropped). */
function filterOf(
  query: (name: string) => string | undefined,
  plan: Plan,
  units: Map<string, Unit>,
): DutyLedgerFilter {
  const status = query('status') ?? '';
  const light = query('light') ?? '';
  const phaseKey = query('phase') ?? '';
  const unitId = query('unit') ?? '';
  return {
    q: (query('q') ?? '').trim().slice(0, SEARCH_MAX),
    phaseKey: plan.phases.some((ph) => ph.key === phaseKey) ? phaseKey : '',
    unitId: units.has(unitId) ? unitId : '',
    status: (STATUS_CHOICES as readonly string[]).includes(status) ? (status as StatusChoice) : '',
    light: (LIGHTS as readonly string[]).includes(light) ? (light as ProgressLight) : '',
    order: query('sort') === 'desc' ? 'desc' : 'asc',
  };
}

function queryString(f: DutyLedgerFilter, cursor?: string): string {
  const params = new URLSearchParams();
  if (f.q !== '') params.set('q', f.q);
  if (f.phaseKey !== '') params.set('phase', f.phaseKey);
  if (f.unitId !== '') params.set('unit', f.unitId);
  if (f.status !== '') params.set('status', f.status);
  if (f.light !== '') params.set('light', f.light);
  if (f.order === 'desc') params.set('sort', 'desc');
  if (cursor !== undefined) params.set('cursor', cursor);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/** The status in the office's words: 退回整改 for an open duty sent back, else 待办/已提交/已办结. */
export const statusWords = (d: Duty) => (returnedBy(d) !== null ? '退回整改' : DUTY_STATUS_LABELS[d.status]);

/** The filters the page applies to what the Query returned: title, phase, 退回整改 and light. */
function keepOnPage(f: DutyLedgerFilter, d: Duty, light: ProgressLight): boolean {
  if (f.q !== '' && !d.title.includes(f.q)) return false;
  if (f.phaseKey !== '' && d.phaseKey !== f.phaseKey) return false;
  if (f.status === 'returned' && returnedBy(d) === null) return false;
  return f.light === '' || light === f.light;
}

export interface DutyRow {
  duty: Duty;
  light: ReturnType<typeof dutyLight>;
}

/**
 * One Query of the plan's duties (or one unit's), with status in the key and the due-time order
 * the key gives, then the page-side filters, each duty with its light by the one rule.
 */
export async function dutyPage(
  deps: AppDeps,
  p: Principal,
  plan: Plan,
  f: DutyLedgerFilter,
  page: { limit: number; cursor?: string | undefined },
  now: Date,
): Promise<{ rows: DutyRow[]; read: number; nextCursor: string | null }> {
  const found = await deps.duties.listForPlan(
    p,
    plan.id,
    {
      unitId: f.unitId === '' ? undefined : f.unitId,
      status: f.status === '' ? undefined : f.status === 'returned' ? 'open' : f.status,
      order: f.order,
    },
    page,
    now,
  );
  const settings: LightSettings = lightSettingsOf(
    plan,
    await lightCalendar(deps, p, plan.timezone, now, found.items),
  );
  const rows = found.items
    .map((duty) => ({ duty, light: dutyLight(duty, now, settings) }))
    .filter((r) => keepOnPage(f, r.duty, r.light.light));
  return { rows, read: found.items.length, nextCursor: found.nextCursor };
}

/** How the page filters, in words: which conditions the key Query takes and which each page. */
function howFiltered(f: DutyLedgerFilter): string {
  const keyParts = ['方案', ...(f.unitId === '' ? [] : ['单位']), ...(f.status === '' ? [] : ['状态'])];
  const pageParts = [
    ...(f.q === '' ? [] : ['标题']),
    ...(f.phaseKey === '' ? [] : ['阶段']),
    ...(f.status === 'returned' ? ['是否退回'] : []),
    ...(f.light === '' ? [] : ['亮灯']),
  ];
  const order = f.order === 'asc' ? '由早到晚' : '由晚到早';
  const grouped = f.status === '' ? '(未选状态时先按状态分组,组内按截止时间排序)' : '';
  const onPage =
    pageParts.length === 0
      ? '没有逐页筛选的条件。'
      : `${pageParts.join('、')}在每页读出的 ${PAGE_SIZE} 项中逐项筛选,所以一页可能少于 ${PAGE_SIZE} 项,请翻到下一页继续查看。`;
  return `筛选方式:${keyParts.join('、')}在数据库索引的键查询(Query)中直接筛选,并按截止时间${order}排序${grouped};${onPage}亮灯按统一规则实时计算。`;
}

/** The export's table: the filtered duties with Chinese headers, names people read, no ids. */
export function dutyLedgerTable(plan: Plan, units: Map<string, Unit>, rows: readonly DutyRow[]): Table {
  const tz = plan.timezone;
  const phaseName = (key: string) => plan.phases.find((ph) => ph.key === key)?.name ?? key;
  const text = (header: string, width: number) => ({ header, width, kind: 'text' as const });
  return {
    title: '任务台账',
    heading: `${plan.title} · 任务台账`,
    columns: [
      { header: '序号', width: 6, kind: 'int' },
      text('工作任务', 36),
      text('责任单位', 24),
      text('阶段', 14),
      text('截止时间', 18),
      text('状态', 10),
      text('亮灯', 8),
      text('最近办理', 26),
    ],
    rows: rows.map(({ duty, light }, i) => {
      const last = lastAction(duty);
      return [
        i + 1,
        duty.period === null || duty.period === undefined
          ? duty.title
          : `${duty.title}(${duty.period.label})`,
        units.get(duty.unitId)?.name ?? duty.unitId,
        phaseName(duty.phaseKey),
        formatLocal(duty.dueAt, tz),
        statusWords(duty),
        LIGHT_WORDS[light.light],
        `${last.label} ${formatLocal(last.at, tz)}`,
      ];
    }),
  };
}

/**
 * The unit duties of a page, each with its light: the task (opening `taskHref`, the task's ledger
 * page by default), the unit (opening the duty), phase, due time, state and the last thing done.
 */
export const DutyTable: FC<{
  rows: readonly DutyRow[];
  plan: Plan;
  units: Map<string, Unit>;
  now: Date;
  taskHref?: (duty: Duty) => string;
}> = ({ rows, plan, units, now, taskHref }) => {
  const tz = plan.timezone;
  const planId = plan.id;
  const phaseName = (key: string) => plan.phases.find((ph) => ph.key === key)?.name ?? key;
  const hrefOf = taskHref ?? ((duty: Duty) => `/plans/${planId}/ledger/${duty.taskId}`);
  return (
    <div class="scroll" tabindex={0}>
      <table>
        <thead>
          <tr>
            <th>亮灯</th>
            <th>工作任务</th>
            <th>责任单位</th>
            <th>阶段</th>
            <th>截止时间</th>
            <th>状态</th>
            <th>最近办理</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ duty, light }) => {
            return (
              <tr data-duty={duty.id} data-light={light.light}>
                <td>
                  <TrafficLight light={light.light} reason={light.reason} />
                </td>
                <td>
                  <a href={hrefOf(duty)}>{duty.title}</a>
                  {duty.period != null && <small> {duty.period.label}</small>}
                </td>
                <td>
                  <a href={`/duties/${duty.id}`}>{units.get(duty.unitId)?.name ?? duty.unitId}</a>{' '}
                  <RoleBadge duty={duty} />
                </td>
                <td>{phaseName(duty.phaseKey)}</td>
                <td>{dateTime(duty.dueAt, tz, now)}</td>
                <td>{statusWords(duty)}</td>
                <LastActionCell duty={duty} tz={tz} now={now} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
};

const Select: FC<{
  name: string;
  label: string;
  value: string;
  options: readonly (readonly [string, string])[];
}> = ({ name, label, value, options }) => (
  <label>
    {label}{' '}
    <select name={name}>
      <option value="">全部</option>
      {options.map(([v, text]) => (
        <option value={v} selected={v === value}>
          {text}
        </option>
      ))}
    </select>
  </label>
);

const Filters: FC<{ plan: Plan; units: Map<string, Unit>; f: DutyLedgerFilter; base: string }> = ({
  plan,
  units,
  f,
  base,
}) => (
  <form class="row card" method="get" action={base}>
    <label>
      标题包含 <input type="search" name="q" value={f.q} maxlength={SEARCH_MAX} />
    </label>
    <Select
      name="phase"
      label="阶段"
      value={f.phaseKey}
      options={plan.phases.map((ph) => [ph.key, ph.name])}
    />
    <Select
      name="unit"
      label="单位"
      value={f.unitId}
      options={[...units.values()]
        .filter((u) => u.active !== false)
        .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
        .map((u) => [u.id, u.name])}
    />
    <Select
      name="status"
      label="状态"
      value={f.status}
      options={STATUS_CHOICES.map((s) => [s, STATUS_CHOICE_LABELS[s]])}
    />
    <Select
      name="light"
      label="亮灯"
      value={f.light}
      options={LIGHTS.map((l) => [l, PROGRESS_LIGHT_LABELS[l]])}
    />
    <label>
      截止时间{' '}
      <select name="sort">
        <option value="asc" selected={f.order === 'asc'}>
          由早到晚
        </option>
        <option value="desc" selected={f.order === 'desc'}>
          由晚到早
        </option>
      </select>
    </label>
    <button type="submit">筛选</button>
    <a href={base}>清除筛选</a>
  </form>
);

/**
 * 任务台账 by unit duty: filter by title, phase, unit, status (待办/已提交/已办结/退回整改) and light,
 * sorted by due time, a page per Query, and the filtered list as an Excel file.
 */
export function ledgerDutyPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);
  const forbidden = '只有领导小组办公室和领导可以查看任务台账';

  app.get('/plans/:planId/ledger/duties', signedIn, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    const { plan, units } = await planForReaders(deps, p, planId, forbidden, async () => null);
    const f = filterOf((n) => c.req.query(n), plan, units);
    const cursor = c.req.query('cursor') || undefined;
    const now = deps.clock();
    const page = await dutyPage(deps, p, plan, f, { limit: PAGE_SIZE, cursor }, now);
    const base = `/plans/${planId}/ledger/duties`;
    return c.html(
      <Page title={`任务台账(单位任务) · ${plan.title}`} chrome={chromeOf(c, { planId, active: 'ledger' })}>
        <p>
          <a href={`/plans/${planId}/ledger`}>← 按工作任务查看</a>
        </p>
        <h1>任务台账 · 单位任务</h1>
        <Filters plan={plan} units={units} f={f} base={base} />
        <p class="muted" data-how>
          {howFiltered(f)}
        </p>
        <p>
          <a href={`${base}.xlsx${queryString(f)}`}>导出 Excel</a>(按当前筛选条件导出全部结果)
        </p>
        <Legend />
        {page.rows.length === 0 ? (
          <p class="card">
            {page.nextCursor === null
              ? '没有符合条件的单位任务。'
              : '本页没有符合条件的单位任务,请看下一页。'}
          </p>
        ) : (
          <DutyTable rows={page.rows} plan={plan} units={units} now={now} />
        )}
        {page.nextCursor !== null && (
          <p>
            <a href={`${base}${queryString(f, page.nextCursor)}`}>下一页</a>
          </p>
        )}
      </Page>,
    );
  });

  app.get('/plans/:planId/ledger/duties.xlsx', signedIn, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    const { plan, units } = await planForReaders(deps, p, planId, forbidden, async () => null);
    const f = filterOf((n) => c.req.query(n), plan, units);
    const now = deps.clock();
    const rows: DutyRow[] = [];
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await dutyPage(deps, p, plan, f, { limit: EXPORT_PAGE, cursor }, now);
      rows.push(...page.rows);
      read += page.read;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && read < EXPORT_MAX);
    const file = await tableFile(
      dutyLedgerTable(plan, units, rows),
      `任务台账-${now.toISOString().slice(0, 10)}`,
      'xlsx',
      now,
    );
    return c.body(file.body, 200, file.headers);
  });

  return app;
}
