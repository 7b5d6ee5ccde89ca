import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { type PeriodOf, periodOf, reportIdFor } from '../../../shared/domain/report/period.js';
import { UNASSESSED_LABEL } from '../../../shared/domain/report/ranking.js';
import { dayWords } from '../../../shared/domain/time/date-words.js';
import { NotFoundError } from '../../../shared/errors.js';
import { reportCsv } from '../../../shared/export/report-csv.js';
import { attachmentDisposition, reportFileName, scopeWords } from '../../../shared/export/report-table.js';
import { reportXlsx, XLSX_CONTENT_TYPE } from '../../../shared/export/report-xlsx.js';
import { CreateReportSchema, type Report, type ReportRankingRow } from '../../../shared/schemas/reports.js';
import type { AppDeps } from '../../api/deps.js';
import { collect } from '../collect.js';
import { chromeOf, pathId, type WebContext } from '../context.js';
import { dateTime } from '../format.js';
import { fromServiceError, fromZod, one, readForm } from '../forms.js';
import { Csrf, Page, type Problem } from '../layout.js';
import { ReceiptSection } from '../receipt-parts.js';
import { ScoreSection } from '../score-parts.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const PERIODS = { week: '周报', month: '月报' } as const;
const STATES = { upcoming: '未开始', active: '进行中', ended: '已结束' } as const;

/** A 0–1 rate as the office writes it; none computable is a dash. */
const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

/** Frozen accountability reports (督办通报): the list, one report, its CSV and Excel downloads. */
export function reportPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function showList(c: WebContext, planId: string, problem?: Problem, confirmMonth?: PeriodOf) {
    const p = c.get('principal');
    const [plan, list] = await Promise.all([
      deps.plans.get(p, planId),
      collect((page) => deps.reports.list(p, planId, page), 200),
    ]);
    const now = deps.clock();
    const chrome = chromeOf(c, { active: 'reports', planId });
    return c.html(
      <Page
        title="督办通报"
        chrome={problem === undefined ? chrome : { ...chrome, flash: { kind: 'err', text: problem.text } }}
      >
        <h1>督办通报 · {plan.title}</h1>
        {confirmMonth !== undefined && (
          <form method="post" action={`/plans/${planId}/reports`} class="card" data-confirm-month>
            <Csrf token={c.get('csrfToken')} />
            <input type="hidden" name="period" value="month" />
            <input type="hidden" name="confirm" value="1" />
            <p role="alert">
              <strong>
                {confirmMonth.label}尚未结束(到 {dayWords(confirmMonth.end)} 结束),生成后本月不再更新。
              </strong>
              本月以后办结或逾期的任务不会计入{confirmMonth.label}的月报。确定现在生成吗?
            </p>
            <span class="row">
              <button type="submit">确定生成{confirmMonth.label}月报</button>
              <a class="btn" href={`/plans/${planId}/reports`}>
                取消
              </a>
            </span>
          </form>
        )}
        {decide(p, 'report.create').allowed && (
          <form method="post" action={`/plans/${planId}/reports`} class="card row">
            <Csrf token={c.get('csrfToken')} />
            <span>按现在的情况生成本期通报(生成后冻结,同一期只生成一次):</span>
            <select name="period" aria-label="通报周期">
              <option value="week">周报</option>
              <option value="month">月报</option>
            </select>
            <button type="submit">生成通报</button>
          </form>
        )}
        {list.items.length === 0 ? (
          <p class="card">还没有通报。</p>
        ) : (
          <div class="scroll" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th>通报</th>
                  <th>截止时间</th>
                  <th>任务</th>
                  <th>办结</th>
                  <th>逾期未办</th>
                  <th>办结率</th>
                  <th>按时办结率</th>
                  <th>下载</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((r) => (
                  <tr data-report={r.id}>
                    <td>
                      <a href={`/reports/${r.id}`}>{`${r.periodLabel}${PERIODS[r.period]}`}</a>{' '}
                      <small>{r.trigger === 'schedule' ? '定时' : '手动'}</small>
                    </td>
                    <td>{dateTime(r.asOf, r.timezone, now)}</td>
                    <td>{r.summary.duties}</td>
                    <td>{r.summary.accepted}</td>
                    <td>{r.summary.overdue}</td>
                    <td>{percent(r.summary.completionRate)}</td>
                    <td>{percent(r.summary.onTimeRate)}</td>
                    <td>
                      <Downloads id={r.id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Page>,
      problem?.status ?? 200,
    );
  }

  app.get('/plans/:planId/reports', signedIn, async (c) => showList(c, pathId(c, 'planId', '工作方案')));

  app.post('/plans/:planId/reports', signedIn, checkForm, async (c) => {
    const planId = pathId(c, 'planId', '工作方案');
    const form = await readForm(c);
    const parsed = CreateReportSchema.safeParse({ period: one(form, 'period') });
    if (!parsed.success) {
      return showList(c, planId, { status: 400, text: Object.values(fromZod(parsed.error)).join(';') });
    }
    const asking =
      parsed.data.period === 'month' &&
      one(form, 'confirm') !== '1' &&
      decide(c.get('principal'), 'report.create').allowed;
    if (asking) {
      // A monthly report frozen mid-month stays as it is for the rest of the month: ask first.
      const plan = await deps.plans.get(c.get('principal'), planId);
      const month = periodOf(deps.clock(), plan.timezone, 'month');
      const existing = await deps.reports
        .get(c.get('principal'), reportIdFor(planId, month.key))
        .catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        });
      if (existing === undefined) return showList(c, planId, undefined, month);
    }
    try {
      const { report, created } = await deps.reports.create(
        c.get('principal'),
        planId,
        parsed.data,
        deps.clock(),
      );
      return c.redirect(`/reports/${report.id}?ok=${created ? 'report' : 'report-existing'}`, 303);
    } catch (err) {
      const fields = fromServiceError(err);
      if (fields === undefined) throw err;
      return showList(c, planId, { status: 400, text: Object.values(fields).join(';') });
    }
  });

  app.get('/reports/:reportId', signedIn, async (c) => {
    const report = await deps.reports.get(c.get('principal'), pathId(c, 'reportId', '通报'));
    return c.html(
      <Page
        title={`${report.periodLabel}督办通报`}
        chrome={chromeOf(c, { active: 'reports', planId: report.planId })}
      >
        <ReportView report={report} now={deps.clock()} />
      </Page>,
    );
  });

  app.get('/reports/:reportId/download/:format', signedIn, async (c) => {
    const format = c.req.param('format');
    if (format !== 'csv' && format !== 'xlsx') throw new NotFoundError('下载格式', format);
    const report = await deps.reports.get(c.get('principal'), pathId(c, 'reportId', '通报'));
    const disposition = attachmentDisposition(reportFileName(report, format), `${report.id}.${format}`);
    if (format === 'csv') {
      return c.body(reportCsv(report), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': disposition,
      });
    }
    return c.body(await reportXlsx(report), 200, {
      'content-type': XLSX_CONTENT_TYPE,
      'content-disposition': disposition,
    });
  });

  return app;
}

const Downloads: FC<{ id: string }> = ({ id }) => (
  <span class="row">
    <a class="btn" href={`/reports/${id}/download/xlsx`} download>
      下载 Excel
    </a>
    <a class="btn" href={`/reports/${id}/download/csv`} download>
      下载 CSV
    </a>
  </span>
);

/**
 * The ranking (排名): every ranked unit's place and rates, then apart the units with nothing to judge
 * in the period (本期无考核任务), never ranked behind the failing ones; a unit sees its own row marked.
 */
export const RankingTable: FC<{ rows: ReportRankingRow[]; mine?: string | undefined }> = ({ rows, mine }) => {
  const mark = (unitId: string) => (unitId === mine ? 'background:#fff8e1' : undefined);
  const apart = rows.filter((r) => r.rank === null);
  return (
    <>
      <div class="scroll" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th>名次</th>
              <th>单位</th>
              <th>按时办结率</th>
              <th>办结率</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(
              (r) =>
                r.rank !== null && (
                  <tr data-rank-unit={r.unitId} style={mark(r.unitId)}>
                    <td>{r.rank}</td>
                    <td>{r.unitName}</td>
                    <td>{percent(r.onTimeRate)}</td>
                    <td>{percent(r.completionRate)}</td>
                  </tr>
                ),
            )}
          </tbody>
        </table>
      </div>
      {rows.length > apart.length || <p class="card">本期没有可排名的单位。</p>}
      {apart.length > 0 && (
        <div class="card" data-unassessed>
          <strong>
            {UNASSESSED_LABEL}({apart.length} 个单位)
          </strong>
          <span class="muted">:本期没有已办结或逾期的任务,不参与排名。</span>
          <p>
            {apart.map((r, i) => (
              <>
                {i > 0 && '、'}
                <span data-unassessed-unit={r.unitId} style={mark(r.unitId)}>
                  {r.unitName}
                </span>
              </>
            ))}
          </p>
        </div>
      )}
    </>
  );
};

const UNIT_STATES = { open: '整改中', submitted: '待审核', accepted: '已办结' } as const;

/** 督查整改: the findings apart from the ordinary duties, open ones first, each with its 销号 state. */
const RectificationSection: FC<{ report: Report; now: Date }> = ({ report, now }) => {
  const section = report.rectifications;
  if (section === null) {
    return (
      <>
        <h2 id="rectifications">督查整改</h2>
        <p class="muted">该通报生成于单列督查整改之前,未单列。</p>
      </>
    );
  }
  const phaseNames = new Map(report.phases.map((p) => [p.key, p.name]));
  return (
    <>
      <h2 id="rectifications">
        督查整改(问题 {section.findings} 个,已销号 {section.closed} 个)
      </h2>
      {section.items.length === 0 ? (
        <p class="card">截止时没有督查发现的问题。</p>
      ) : (
        <div class="scroll" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th>问题</th>
                <th>来源</th>
                <th>阶段</th>
                <th>责任单位</th>
                <th>整改期限</th>
                <th>办结</th>
                <th>销号</th>
              </tr>
            </thead>
            <tbody>
              {section.items.map((f) => (
                <tr data-finding={f.findingId}>
                  <td>{f.title}</td>
                  <td>{f.sourceLabel}</td>
                  <td>{phaseNames.get(f.phaseKey) ?? f.phaseKey}</td>
                  <td>
                    {f.units.map((u) => (
                      <span
                        class={`badge ${u.overdue ? 'b-red' : u.status === 'accepted' ? 'b-green' : u.status === 'submitted' ? 'b-blue' : ''}`}
                      >
                        {u.unitName} {u.overdue ? '逾期' : UNIT_STATES[u.status]}
                      </span>
                    ))}
                  </td>
                  <td>{dateTime(f.dueAt, report.timezone, now)}</td>
                  <td>
                    {f.accepted}/{f.duties}
                  </td>
                  <td>
                    {f.closed ? (
                      <span class="badge b-green">已销号</span>
                    ) : (
                      <span class="badge b-yellow">未销号</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
};

const ReportView: FC<{ report: Report; now: Date }> = ({ report, now }) => {
  const tz = report.timezone;
  const t = report.totals;
  return (
    <>
      <h1>
        {report.planTitle} · {report.periodLabel}督办通报
      </h1>
      <div class="card row">
        <span>截止 {dateTime(report.asOf, tz, now)}</span>
        <span class="muted">
          {report.trigger === 'schedule' ? '定时生成' : '手动生成'}于 {dateTime(report.generatedAt, tz, now)}
        </span>
        <Downloads id={report.id} />
      </div>
      <div class="card row">
        <span>单位 {report.summary.units}</span>
        <span>应办任务 {t.assigned}</span>
        <span class="badge b-green">按时办结 {t.doneOnTime}</span>
        <span class="badge b-yellow">逾期办结 {t.doneLate}</span>
        <span class="badge b-blue">待审核 {t.submitted}</span>
        <span class="badge b-red">逾期未办 {t.overdue}</span>
        <span>办结率 {percent(t.completionRate)}</span>
        <span>按时办结率 {percent(t.onTimeRate)}</span>
        {t.extensions !== null && (
          <span>
            延期申请 {t.extensions.requested}(批准 {t.extensions.approved},驳回 {t.extensions.refused})
          </span>
        )}
      </div>
      <h2>排名</h2>
      <RankingTable rows={report.ranking} mine={report.viewerUnitId ?? undefined} />
      <h2>各单位明细</h2>
      <div class="scroll" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th>名次</th>
              <th>单位</th>
              <th>应办</th>
              <th>按时办结</th>
              <th>逾期办结</th>
              <th>待审核</th>
              <th>未到期</th>
              <th>逾期未办</th>
              <th>最长逾期</th>
              {report.levels.map((l) => (
                <th>{l.label}</th>
              ))}
              <th>退回</th>
              <th>定期报告</th>
              <th title="截止时已提出 / 批准 / 驳回 / 待审批;括号内为本期提出的">延期申请</th>
              <th title="整改任务数 / 已办结 / 逾期未整改(已含在前面各列中)">其中整改</th>
              <th title="截止时待办、已报进度低于序时进度超过容差的任务数">落后于序时进度</th>
              <th>平均滞后(百分点)</th>
            </tr>
          </thead>
          <tbody>
            {report.units.map((u) => (
              <tr data-report-unit={u.unitId}>
                <td>{u.rank ?? <small>{UNASSESSED_LABEL}</small>}</td>
                <td>{u.unitName}</td>
                <td>{u.assigned}</td>
                <td>{u.doneOnTime}</td>
                <td>{u.doneLate}</td>
                <td>{u.submitted}</td>
                <td>{u.openNotDue}</td>
                <td>{u.overdue}</td>
                <td>{u.worstWorkingDaysLate > 0 ? `${u.worstWorkingDaysLate} 个工作日` : '—'}</td>
                {report.levels.map((l) => (
                  <td>{u.notices[l.level] ?? 0}</td>
                ))}
                <td>{u.returns}</td>
                <td>{u.reports.due === 0 ? '—' : `${u.reports.filed}/${u.reports.due}`}</td>
                <td data-extensions>
                  {u.extensions === null
                    ? '—'
                    : u.extensions.requested === 0
                      ? '0'
                      : `${u.extensions.requested}(本期 ${u.extensions.inPeriod}):批准 ${u.extensions.approved} · 驳回 ${u.extensions.refused} · 待审批 ${u.extensions.pending}`}
                </td>
                <td data-rectification>
                  {u.rectification === null
                    ? '—'
                    : u.rectification.assigned === 0
                      ? '0'
                      : `${u.rectification.assigned}:办结 ${u.rectification.accepted} · 逾期 ${u.rectification.overdue}`}
                </td>
                <td data-behind-plan>{u.behindPlan ?? '—'}</td>
                <td data-average-lag>{u.averageLagPoints ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>各阶段({scopeWords(report)})</h2>
      {report.scope !== 'all' && <p class="muted">各阶段只计本单位的任务,不是全县的情况。</p>}
      <div class="scroll" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th>阶段</th>
              <th>状态</th>
              <th>任务</th>
              <th>办结</th>
              <th>待审核</th>
              <th>逾期未办</th>
              <th>办结率</th>
              <th title="待办任务的平均序时进度">计划进度</th>
              <th title="待办任务的平均已报进度(未报按 0)">已报进度</th>
            </tr>
          </thead>
          <tbody>
            {report.phases.map((ph) => (
              <tr data-report-phase={ph.key}>
                <td>{ph.name}</td>
                <td>
                  {STATES[ph.state]}
                  {ph.endedWithOpenWork && <span class="badge b-red">结束时仍有未办结</span>}
                </td>
                <td>{ph.duties}</td>
                <td>{ph.accepted}</td>
                <td>{ph.submitted}</td>
                <td>{ph.overdue}</td>
                <td>{percent(ph.completionRate)}</td>
                <td data-planned>{ph.plannedPercent == null ? '—' : `${ph.plannedPercent}%`}</td>
                <td data-reported>{ph.reportedPercent == null ? '—' : `${ph.reportedPercent}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>逾期未办({report.overdue.total})</h2>
      {report.overdue.items.length === 0 ? (
        <p class="card">无</p>
      ) : (
        <div class="scroll" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th>单位</th>
                <th>任务</th>
                <th>截止时间</th>
                <th>逾期</th>
              </tr>
            </thead>
            <tbody>
              {report.overdue.items.map((d) => (
                <tr>
                  <td>{d.unitName}</td>
                  <td>
                    {d.title}
                    {d.round > 1 && <span class="badge b-yellow">第 {d.round} 轮</span>}
                  </td>
                  <td>{dateTime(d.dueAt, tz, now)}</td>
                  <td>{d.workingDaysLate} 个工作日</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report.overdue.truncated && <p class="muted">只列出逾期最久的 {report.overdue.items.length} 条。</p>}
      <RectificationSection report={report} now={now} />
      {report.receipts !== null && <ReceiptSection all={report.receipts.all} rows={report.receipts.units} />}
      <ScoreSection report={report} />
      <h2>统计口径</h2>
      <ul class="muted">
        {Object.values(report.rules).map((rule) => (
          <li>{rule}</li>
        ))}
      </ul>
    </>
  );
};
