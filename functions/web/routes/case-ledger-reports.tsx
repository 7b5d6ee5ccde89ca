import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { NotFoundError } from '../../../shared/errors.js';
import type { LedgerReportSummary } from '../../../shared/schemas/case-reports.js';
import { CreateLedgerReportSchema } from '../../../shared/schemas/case-reports.js';
import { LEDGER_REPORT_ID } from '../../../shared/services/case-ledger-reports.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf } from '../context.js';
import { dateTime } from '../format.js';
import { fromServiceError, fromZod, one, optional, readForm } from '../forms.js';
import { Csrf, Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

/**
 * The frozen ledger snapshots (台账快照) on the ledger page: the office's form to make one for a
 * cut-off date, and every snapshot with its Excel and CSV downloads (office and leaders).
 */
export const LedgerSnapshots: FC<{
  items: LedgerReportSummary[];
  canCreate: boolean;
  csrfToken: string | undefined;
  today: string;
  now: Date;
  made?: { id: string; created: boolean } | undefined;
}> = ({ items, canCreate, csrfToken, today, now, made }) => (
  <section id="snapshots">
    <h2>台账快照(冻结)</h2>
    {made !== undefined && (
      <p class="card" data-made={made.id}>
        {made.created ? '已生成台账快照' : '该截止日期的台账快照已存在,以下是已有的快照'}({made.id.slice(7)}
        )。
      </p>
    )}
    {canCreate && (
      <form method="post" action="/cases/ledger/reports" class="card row">
        <Csrf token={csrfToken} />
        <label>
          截止日期 <input type="date" name="asOf" value={today} max={today} />
        </label>
        <button type="submit">生成台账快照</button>
        <small>按截止日当天结束时的案例生成,生成后不再改变;同一日期只生成一次。</small>
      </form>
    )}
    {items.length === 0 ? (
      <p class="card">还没有台账快照。</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>截止日期</th>
            <th>生成时间</th>
            <th>未复学</th>
            <th>疑似辍学</th>
            <th>辍学</th>
            <th>劝返逾期</th>
            <th>本学期复学</th>
            <th>下载</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr data-snapshot={r.id}>
              <td>{r.asOf}</td>
              <td>{dateTime(r.generatedAt, undefined, now)}</td>
              <td>{r.totals.open}</td>
              <td>{r.totals.suspected}</td>
              <td>{r.totals.dropout}</td>
              <td>{r.totals.late}</td>
              <td>{r.totals.returned}</td>
              <td>
                <a href={`/cases/ledger/reports/${r.id}/export?format=xlsx`}>Excel</a>{' '}
                <a href={`/cases/ledger/reports/${r.id}/export?format=csv`}>CSV</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

/** Making a snapshot (office) and downloading one (office, leaders; each download audited). */
export function ledgerSnapshotPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.post('/cases/ledger/reports', signedIn, checkForm, async (c) => {
    const parsed = CreateLedgerReportSchema.safeParse({ asOf: optional(one(await readForm(c), 'asOf')) });
    let problem: string;
    if (parsed.success) {
      try {
        const { report, created } = await deps.caseLedgerReports.create(
          c.get('principal'),
          parsed.data,
          deps.clock(),
        );
        return c.redirect(`/cases/ledger?made=${report.id}&created=${created ? 1 : 0}#snapshots`, 303);
      } catch (err) {
        const fields = fromServiceError(err);
        if (fields === undefined) throw err;
        problem = Object.values(fields).join(';');
      }
    } else {
      problem = Object.values(fromZod(parsed.error)).join(';');
    }
    return c.html(
      <Page
        title="台账快照"
        chrome={{ ...chromeOf(c, { active: 'cases' }), flash: { kind: 'err', text: problem } }}
      >
        <h1>台账快照未生成</h1>
        <p>
          <a href="/cases/ledger#snapshots">返回台账</a>
        </p>
      </Page>,
      400,
    );
  });

  app.get('/cases/ledger/reports/:reportId/export', signedIn, async (c) => {
    const id = c.req.param('reportId');
    if (!LEDGER_REPORT_ID.test(id)) throw new NotFoundError('台账快照', id);
    const format = c.req.query('format') === 'csv' ? 'csv' : 'xlsx';
    const file = await deps.caseLedgerReports.download(c.get('principal'), id, format, deps.clock());
    return c.body(file.body, 200, file.headers);
  });

  return app;
}
