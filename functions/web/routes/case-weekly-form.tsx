import { Hono } from 'hono';
import { WEEKLY_FORM_ROWS } from '../../../shared/domain/dropout/weekly-form.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId, type WebContext } from '../context.js';
import { one, readForm, refusalOf, versionOf } from '../forms.js';
import { Csrf, Page, type Problem, problemFlash } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

/**
 * 控辍保学周报表 for a school: the form generated from its cases, and one button that files it —
 * 零报告 when every figure is zero. Nothing on the form is typed.
 */
export function caseWeeklyFormPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function show(c: WebContext, dutyId: string, problem?: Problem) {
    const p = c.get('principal');
    const now = deps.clock();
    const [form, duty] = await Promise.all([
      deps.caseWeeklyForms.preview(p, dutyId, now),
      deps.duties.get(p, dutyId, now),
    ]);
    const canFile = duty.status === 'open' && p.role !== 'leader';
    return c.html(
      <Page
        title={`控辍保学周报表 · ${form.week.label}`}
        chrome={{ ...chromeOf(c, { active: 'cases' }), ...problemFlash(problem) }}
      >
        <h1>控辍保学周报表</h1>
        <p class="card muted">
          {form.week.label},统计截至 {form.asOf}。由本校控辍保学案例自动生成,不能手工填写。
        </p>
        <table data-weekly-form={form.dutyId}>
          <thead>
            <tr>
              <th>项目</th>
              <th>人数</th>
              <th>建档立卡</th>
              <th>监测对象</th>
              <th>残疾</th>
            </tr>
          </thead>
          <tbody>
            {WEEKLY_FORM_ROWS.map(({ key, label }) => (
              <tr>
                <td>{label}</td>
                <td>{form.figures[key].total}</td>
                <td>{form.figures[key].registeredPoor}</td>
                <td>{form.figures[key].monitored}</td>
                <td>{form.figures[key].disabled}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {canFile ? (
          <form method="post" action={`/cases/weekly-forms/${form.dutyId}`} class="card">
            <Csrf token={c.get('csrfToken')} />
            <input type="hidden" name="version" value={String(duty.version)} />
            <input type="hidden" name="zeroReport" value={form.zeroReport ? '1' : '0'} />
            <button type="submit">{form.zeroReport ? '零报告(本周无情况)' : '报送周报表'}</button>
          </form>
        ) : (
          <p class="card">本期周报表{duty.status === 'open' ? '待学校报送' : '已报送'}。</p>
        )}
        <p>
          <a href={`/duties/${form.dutyId}`}>查看任务</a> · <a href="/cases">返回控辍保学</a>
        </p>
      </Page>,
      problem?.status ?? 200,
    );
  }

  app.get('/cases/weekly-forms/:dutyId', signedIn, (c) => show(c, pathId(c, 'dutyId', '任务')));

  app.post('/cases/weekly-forms/:dutyId', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    try {
      const filed = await deps.caseWeeklyForms.file(
        c.get('principal'),
        dutyId,
        { zeroReport: one(form, 'zeroReport') === '1', version: versionOf(one(form, 'version')) },
        deps.clock(),
      );
      return c.redirect(
        `/cases/weekly-forms/${dutyId}?ok=${filed.form.zeroReport ? 'zero' : 'submitted'}`,
        303,
      );
    } catch (err) {
      const refusal = refusalOf(err);
      const text = 'conflict' in refusal ? refusal.conflict : Object.values(refusal.errors).join(';');
      return show(c, dutyId, { status: 'conflict' in refusal ? 409 : 400, text });
    }
  });

  return app;
}
