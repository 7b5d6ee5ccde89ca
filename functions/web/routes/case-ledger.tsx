import { Hono } from 'hono';
import { decide } from '../../../shared/domain/access/policy.js';
import { specialGroupWords } from '../../../shared/domain/dropout/case-ledger.js';
import { DEFAULT_TIME_ZONE, localDateOf } from '../../../shared/domain/time/zoned-time.js';
import { genderLabel } from '../../../shared/schemas/cases.js';
import type { LedgerPageQuery, LedgerQuery } from '../../../shared/services/case-ledger.js';
import { LEDGER_REPORT_ID } from '../../../shared/services/case-ledger-reports.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, unitDirectory, type WebContext } from '../context.js';
import { Page } from '../layout.js';
import { requireSession, type WebEnv } from '../session.js';
import { homeTeachingPages } from './case-home-teaching.js';
import { LedgerSnapshots, ledgerSnapshotPages } from './case-ledger-reports.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CURSOR = /^[A-Za-z0-9_-]{1,2000}$/;
const LIGHT_BADGE = { red: 'b-red', yellow: 'b-yellow', blue: 'b-blue', green: 'b-green' } as const;
const STAGES = { absent: '缺课(未满5个工作日)', suspected: '疑似辍学', dropout: '辍学' } as const;
/** Rows a page shows by default (`?limit=` 1–100): one Query of this many items. */
const PAGE_SIZE = 50;

function limitOf(c: WebContext): number {
  const asked = Number(c.req.query('limit'));
  return Number.isInteger(asked) && asked >= 1 && asked <= 100 ? asked : PAGE_SIZE;
}

const slugOf = (value: string | undefined) => (value !== undefined && SLUG.test(value) ? value : undefined);

/** The page's filters from the address: township, school, stage, late only. */
function pageQuery(c: WebContext): LedgerPageQuery {
  const stage = c.req.query('stage');
  return {
    township: slugOf(c.req.query('township')),
    school: slugOf(c.req.query('school')),
    stage: stage === 'absent' || stage === 'suspected' || stage === 'dropout' ? stage : undefined,
    lateOnly: c.req.query('late') === '1',
  };
}

/** The downloads' filters: a township (the county's readers) and a semester start. */
function ledgerQuery(c: WebContext): LedgerQuery {
  const since = c.req.query('since');
  return {
    township: slugOf(c.req.query('township')),
    ...(since !== undefined && DAY.test(since) ? { since } : {}),
  };
}

function address(path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, v);
  const s = search.toString();
  return s === '' ? path : `${path}?${s}`;
}

/**
 * 疑似失学辍学人员台账 as a page: the bureau, office and leaders see the county, a township its own;
 * open cases in the ledger's order with age in working days, step, lateness and light, masked,
 * filtered by township, school, stage and late steps, a page at a time (one Query a page). Below:
 * the downloads (same service as the API, each audited) and the frozen snapshots. Schools and other
 * units get the 403 page.
 */
export function caseLedgerPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);
  app.route('/', ledgerSnapshotPages(deps));
  app.route('/', homeTeachingPages(deps));

  app.get('/cases/ledger', signedIn, async (c) => {
    const p = c.get('principal');
    const now = deps.clock();
    const query = pageQuery(c);
    const cursor = c.req.query('cursor');
    const countyReader = decide(p, 'case.ledger').allowed;
    const limit = limitOf(c);
    const [page, units, snapshots] = await Promise.all([
      deps.caseLedger.page(
        p,
        query,
        { limit, cursor: cursor !== undefined && CURSOR.test(cursor) ? cursor : undefined },
        now,
      ),
      unitDirectory(deps, p),
      countyReader ? deps.caseLedgerReports.list(p, { limit: 20 }) : undefined,
    ]);
    const own = p.role === 'unit' ? p.unitId : undefined;
    const townships = [...units.values()].filter((u) => u.kind === 'township' && u.active !== false);
    const townFilter = own ?? query.township;
    const schools = [...units.values()].filter(
      (u) => u.kind === 'school' && (townFilter === undefined || u.parentId === townFilter),
    );
    const filters = {
      township: query.township,
      school: query.school,
      stage: query.stage,
      late: query.lateOnly === true ? '1' : undefined,
      limit: limit === PAGE_SIZE ? undefined : String(limit),
    };
    const since = ledgerQuery(c);
    const made = c.req.query('made');
    const canHomeTeach = decide(p, 'task.create').allowed;
    return c.html(
      <Page title="控辍保学台账" chrome={chromeOf(c, { active: 'cases' })}>
        <h1>疑似失学辍学人员台账</h1>
        <form method="get" action="/cases/ledger" class="card row" data-filters>
          {own === undefined && (
            <label>
              乡镇{' '}
              <select name="township">
                <option value="">全县</option>
                {townships.map((u) => (
                  <option value={u.id} selected={query.township === u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            学校{' '}
            <select name="school">
              <option value="">全部学校</option>
              {schools.map((u) => (
                <option value={u.id} selected={query.school === u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            阶段{' '}
            <select name="stage">
              <option value="">全部未复学</option>
              {Object.entries(STAGES).map(([key, label]) => (
                <option value={key} selected={query.stage === key}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" name="late" value="1" checked={query.lateOnly === true} /> 只看劝返逾期
          </label>
          <button type="submit">筛选</button>
        </form>
        <p class="muted" data-reads>
          截至 {page.asOf}。每页读取一次:按
          {query.school !== undefined ? '学校' : townFilter !== undefined ? '乡镇' : '全县'}
          的案例索引按缺课首日顺序查询,阶段是该索引上的一个键范围;“只看劝返逾期”在读取后筛选,一页可能少于{' '}
          {limit} 条,请点“下一页”。姓名已脱敏,缺课天数按官方工作日历计。
        </p>
        {page.items.length === 0 ? (
          <p class="card">本页没有符合条件的案例。</p>
        ) : (
          <table data-ledger-page>
            <thead>
              <tr>
                <th>乡镇</th>
                <th>学校</th>
                <th>学生</th>
                <th>性别</th>
                <th>年级班级</th>
                <th>特殊群体</th>
                <th>缺课首日</th>
                <th>缺课工作日</th>
                <th>阶段</th>
                <th>当前劝返步骤</th>
                <th>是否逾期</th>
                <th>亮灯</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((k) => (
                <tr data-case={k.id}>
                  <td>{k.townshipName}</td>
                  <td>{k.schoolName}</td>
                  <td>{k.childNameMasked}</td>
                  <td>{genderLabel(k.gender)}</td>
                  <td>
                    {k.grade}
                    {k.className}
                  </td>
                  <td>
                    {specialGroupWords(k.groups).join('、')}
                    {canHomeTeach && k.groups.homeTeaching && (
                      <>
                        {' '}
                        <a href={`/cases/${k.id}/home-teaching`}>安排送教上门</a>
                      </>
                    )}
                  </td>
                  <td>{k.firstDayAbsent}</td>
                  <td>{k.ageWorkingDays}</td>
                  <td>{k.stageLabel}</td>
                  <td>{k.step === null ? '—' : `${k.step.label}(${k.step.dueOn} 前)`}</td>
                  <td>{k.step === null ? '' : k.step.late ? '逾期' : '否'}</td>
                  <td>
                    <span class={`badge ${LIGHT_BADGE[k.light]}`}>{k.lightLabel}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="row">
          {cursor !== undefined && <a href={address('/cases/ledger', filters)}>第一页</a>}
          {page.nextCursor !== null && (
            <a href={address('/cases/ledger', { ...filters, cursor: page.nextCursor })} rel="next">
              下一页
            </a>
          )}
        </p>
        <p class="row">
          <a href={address('/cases/ledger/export', { format: 'xlsx', ...since })}>下载全部 Excel</a>
          <a href={address('/cases/ledger/export', { format: 'csv', ...since })}>下载全部 CSV</a>
          <small>下载为当前台账(按乡镇、学校,含各校汇总和本学期复学);每次下载记入审计。</small>
        </p>
        {snapshots !== undefined && (
          <LedgerSnapshots
            items={snapshots.items}
            canCreate={decide(p, 'report.create').allowed}
            csrfToken={c.get('csrfToken')}
            today={localDateOf(now, DEFAULT_TIME_ZONE)}
            now={now}
            made={
              made !== undefined && LEDGER_REPORT_ID.test(made)
                ? { id: made, created: c.req.query('created') === '1' }
                : undefined
            }
          />
        )}
        <p>
          <a href="/cases">返回控辍保学</a>
        </p>
      </Page>,
    );
  });

  app.get('/cases/ledger/export', signedIn, async (c) => {
    const format = c.req.query('format') === 'csv' ? 'csv' : 'xlsx';
    const file = await deps.caseLedger.download(c.get('principal'), ledgerQuery(c), format, deps.clock());
    return c.body(file.body, 200, file.headers);
  });

  return app;
}
