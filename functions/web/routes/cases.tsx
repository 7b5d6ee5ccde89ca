import { Hono } from 'hono';
import type { Principal } from '../../../shared/auth/principal.js';
import { specialGroupWords } from '../../../shared/domain/dropout/case-ledger.js';
import { CASE_STAGES, genderLabel } from '../../../shared/schemas/cases.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, unitDirectory } from '../context.js';
import { Page } from '../layout.js';
import { requireSession, type WebEnv } from '../session.js';
import { caseLedgerPages } from './case-ledger.js';
import { newCasePages, recordsAbsences } from './case-new.js';
import { casePageRoutes, STAGE_BADGE } from './case-page.js';

const STAGE_NAMES: Record<(typeof CASE_STAGES)[number], string> = {
  absent: '缺课',
  suspected: '疑似辍学',
  dropout: '辍学',
  returned: '已复学',
};
const PAGE_SIZE = 100;

/** A school's weekly forms still to file (its open duties, one Query), for the link on its page. */
async function openWeeklyForms(deps: AppDeps, p: Principal): Promise<Duty[]> {
  if (p.role !== 'unit' || p.unitId === undefined) return [];
  const open = await deps.duties.listForUnitAcrossPlans(p, p.unitId, ['open'], 100, deps.clock());
  return open.items.filter((d) => deps.caseWeeklyForms.isWeeklyForm(d));
}

/**
 * 控辍保学: the cases the signed-in user may see, masked (张*明, 138****5678), with the stage the
 * calendar gives today; and one case whole, which the service audits before it is shown.
 */
export function casePages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);
  // The ledger's addresses first, before /cases/:caseId could take them.
  app.route('/', caseLedgerPages(deps));

  app.get('/cases', signedIn, async (c) => {
    const p = c.get('principal');
    const asked = c.req.query('stage');
    const stage = CASE_STAGES.find((s) => s === asked);
    const [units, page, forms] = await Promise.all([
      unitDirectory(deps, p),
      deps.cases.list(p, stage === undefined ? {} : { stage }, { limit: PAGE_SIZE }, deps.clock()),
      openWeeklyForms(deps, p),
    ]);
    const name = (id: string) => units.get(id)?.name ?? id;
    return c.html(
      <Page title="控辍保学" chrome={chromeOf(c, { active: 'cases' })}>
        <h1>控辍保学</h1>
        {recordsAbsences(c) && (
          <p>
            <a class="btn" href="/cases/new">
              登记缺课
            </a>
          </p>
        )}
        {forms.length > 0 && (
          <p class="card row">
            <strong>周报表待报送:</strong>
            {forms.map((d) => (
              <a href={`/cases/weekly-forms/${d.id}`}>{d.period?.label ?? d.title}</a>
            ))}
          </p>
        )}
        <p class="card row">
          <a href="/cases">全部</a>
          {CASE_STAGES.map((s) => (
            <a href={`/cases?stage=${s}`} class={stage === s ? 'on' : undefined}>
              {STAGE_NAMES[s]}
            </a>
          ))}
          <small>姓名、电话已脱敏;查看详情会记入审计。</small>
        </p>
        <p>
          <a href="/care-files">留守儿童关爱档案(一人一案、师生结对帮扶)</a>
        </p>
        {p.role !== 'unit' || c.get('unit')?.kind === 'township' ? (
          <p>
            <a href="/cases/ledger">疑似失学辍学人员台账(按乡镇、学校,亮灯)</a>
          </p>
        ) : null}
        {page.items.length === 0 ? (
          <p class="card">没有案例。</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>学生</th>
                <th>性别</th>
                <th>年级班级</th>
                <th>学校</th>
                <th>乡镇</th>
                <th>缺课首日</th>
                <th>阶段</th>
                <th>下一步</th>
                <th>特殊群体</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((k) => (
                <tr data-case={k.id}>
                  <td>
                    <a href={`/cases/${k.id}`}>{k.childNameMasked}</a>
                  </td>
                  <td>{genderLabel(k.gender)}</td>
                  <td>
                    {k.grade}
                    {k.className}
                  </td>
                  <td>{name(k.schoolUnitId)}</td>
                  <td>{name(k.townshipUnitId)}</td>
                  <td>{k.firstDayAbsent}</td>
                  <td>
                    <span class={`badge ${STAGE_BADGE[k.stage]}`}>{k.stageLabel}</span>
                  </td>
                  <td>
                    {k.next === null
                      ? '—'
                      : `${k.next.label}(${k.next.dueOn} 前${k.next.late ? ',已逾期' : ''})`}
                  </td>
                  <td>{specialGroupWords(k.groups).join('、')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.nextCursor !== null && <p class="muted">仅显示前 {PAGE_SIZE} 个案例,请按阶段筛选。</p>}
      </Page>,
    );
  });

  // /cases/new before /cases/:caseId could take it.
  app.route('/', newCasePages(deps));
  app.route('/', casePageRoutes(deps));

  return app;
}
