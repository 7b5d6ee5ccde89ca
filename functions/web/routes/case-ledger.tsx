import { Hono } from 'hono';
import { specialGroupWords } from '../../../shared/domain/dropout/case-ledger.js';
import type { LedgerQuery } from '../../../shared/services/case-ledger.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, type WebContext } from '../context.js';
import { Page } from '../layout.js';
import { requireSession, type WebEnv } from '../session.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const GENDER = { male: '男', female: '女' } as const;
const LIGHT_BADGE = { red: 'b-red', yellow: 'b-yellow', blue: 'b-blue', green: 'b-green' } as const;

/** The ledger's filters from the address: a township (the county's readers) and a semester start. */
function ledgerQuery(c: WebContext): LedgerQuery {
  const township = c.req.query('township');
  const since = c.req.query('since');
  return {
    ...(township !== undefined && SLUG.test(township) ? { township } : {}),
    ...(since !== undefined && DAY.test(since) ? { since } : {}),
  };
}

function queryString(q: LedgerQuery, format: 'csv' | 'xlsx'): string {
  const params = new URLSearchParams({ format });
  if (q.township !== undefined) params.set('township', q.township);
  if (q.since !== undefined) params.set('since', q.since);
  return params.toString();
}

/**
 * 疑似失学辍学人员台账 as a page: the bureau, office and leaders see the county, a township its own;
 * open cases by township and school with age in working days, step, lateness and light, returns
 * this semester; names masked. The downloads go through the same service as the API, so each is
 * audited. Schools and other units get the 403 page.
 */
export function caseLedgerPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.get('/cases/ledger', signedIn, async (c) => {
    const query = ledgerQuery(c);
    const ledger = await deps.caseLedger.read(c.get('principal'), query, deps.clock());
    const t = ledger.totals;
    return c.html(
      <Page title="控辍保学台账" chrome={chromeOf(c, { active: 'cases' })}>
        <h1>疑似失学辍学人员台账</h1>
        <p class="card row">
          <span>
            截至 {ledger.asOf}:未复学 {t.open} 人,疑似辍学 {t.suspected},辍学 {t.dropout},劝返逾期 {t.late}。
            {ledger.since} 以来复学 {t.returned} 人。
          </span>
          <span>
            亮灯:红 {t.lights.red} · 黄 {t.lights.yellow} · 蓝 {t.lights.blue} · 绿 {t.lights.green}
          </span>
        </p>
        <p class="row">
          <a href={`/cases/ledger/export?${queryString(query, 'xlsx')}`}>下载 Excel</a>
          <a href={`/cases/ledger/export?${queryString(query, 'csv')}`}>下载 CSV</a>
          <small>姓名已脱敏;缺课天数按官方工作日历计;每次下载记入审计。</small>
        </p>
        {ledger.townships.length === 0 && <p class="card">台账中暂无案例。</p>}
        {ledger.townships.map((town) => (
          <section data-township={town.townshipUnitId}>
            <h2>
              {town.townshipName}
              <small>
                {' '}
                未复学 {town.totals.open},逾期 {town.totals.late},本学期复学 {town.totals.returned}
              </small>
            </h2>
            {town.schools.map((s) => (
              <>
                <h3>
                  {s.schoolName}
                  <small>
                    {' '}
                    未复学 {s.totals.open},本学期复学 {s.totals.returned}
                  </small>
                </h3>
                {s.cases.length > 0 && (
                  <table data-school={s.schoolUnitId}>
                    <thead>
                      <tr>
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
                      {s.cases.map((k) => (
                        <tr data-case={k.id}>
                          <td>{k.childNameMasked}</td>
                          <td>{GENDER[k.gender]}</td>
                          <td>
                            {k.grade}
                            {k.className}
                          </td>
                          <td>{specialGroupWords(k.groups).join('、')}</td>
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
              </>
            ))}
          </section>
        ))}
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
