import { Hono } from 'hono';
import { AppError } from '../../../shared/errors.js';
import { HomeTeachingSetupSchema } from '../../../shared/schemas/case-reports.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import type { AppDeps } from '../../api/deps.js';
import { collect } from '../collect.js';
import { chromeOf, pathId, type WebContext } from '../context.js';
import { type FieldErrors, fromServiceError, fromZod, one, readForm } from '../forms.js';
import { Csrf, Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

interface Values {
  plan: string;
  weekday: string;
  time: string;
}

/**
 * 送教上门: the office sets up a disabled child's weekly home-teaching duty for its school (the
 * API's `POST /v1/cases/{caseId}/home-teaching`): which plan and phase it belongs to, the weekday
 * and time each week's visit is logged by. Setting it up twice creates nothing more.
 */
export function homeTeachingPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function form(
    c: WebContext,
    caseId: string,
    values: Values,
    errors: FieldErrors = {},
    status: 200 | 400 = 200,
  ) {
    const p = c.get('principal');
    const { items: plans } = await collect((page) => deps.plans.list(p, page), 200);
    const err = (name: string) => errors[name] && <small class="err">{errors[name]}</small>;
    return c.html(
      <Page title="安排送教上门" chrome={chromeOf(c, { active: 'cases' })}>
        <h1>安排送教上门</h1>
        <p>
          为该学生所在学校设置每周一次的送教上门任务:每次送教后由学校提交当周任务,写明日期、送教教师和送教内容;
          未按时提交按逾期催办。只有登记为“送教上门”的学生可以设置。
        </p>
        <form method="post" action={`/cases/${caseId}/home-teaching`} class="card">
          <Csrf token={c.get('csrfToken')} />
          <p>
            <label>
              所属工作方案和阶段{' '}
              <select name="plan" required>
                {plans.flatMap((plan: Plan) =>
                  plan.phases.map((ph) => {
                    const value = `${plan.id}|${ph.key}`;
                    return (
                      <option value={value} selected={values.plan === value}>
                        {plan.title} · {ph.name}
                      </option>
                    );
                  }),
                )}
              </select>
            </label>
            {err('planId')}
            {err('phaseKey')}
          </p>
          <p>
            <label>
              每周截止{' '}
              <select name="weekday">
                {WEEKDAYS.map((d, i) => (
                  <option value={String(i + 1)} selected={values.weekday === String(i + 1)}>
                    {d}
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              时间 <input type="time" name="time" value={values.time} required />
            </label>
            {err('weekday')}
            {err('time')}
          </p>
          {err('form')}
          <button type="submit">设置送教上门任务</button>
        </form>
        <p>
          <a href="/cases/ledger">返回台账</a>
        </p>
      </Page>,
      status,
    );
  }

  app.get('/cases/:caseId/home-teaching', signedIn, (c) =>
    form(c, pathId(c, 'caseId', '案例'), { plan: '', weekday: '5', time: '17:00' }),
  );

  app.post('/cases/:caseId/home-teaching', signedIn, checkForm, async (c) => {
    const caseId = pathId(c, 'caseId', '案例');
    const fields = await readForm(c);
    const values: Values = {
      plan: one(fields, 'plan'),
      weekday: one(fields, 'weekday'),
      time: one(fields, 'time'),
    };
    const [planId, phaseKey] = values.plan.split('|');
    const parsed = HomeTeachingSetupSchema.safeParse({
      planId,
      phaseKey,
      weekday: Number(values.weekday),
      time: values.time,
    });
    if (!parsed.success) return form(c, caseId, values, fromZod(parsed.error), 400);
    try {
      const done = await deps.caseHomeTeaching.setUp(c.get('principal'), caseId, parsed.data, deps.clock());
      return c.html(
        <Page title="安排送教上门" chrome={chromeOf(c, { active: 'cases' })}>
          <h1>送教上门任务{done.created ? '已设置' : '此前已设置'}</h1>
          <p class="card" data-task={done.taskId}>
            {done.created
              ? `每${WEEKDAYS[parsed.data.weekday - 1]} ${parsed.data.time} 前报送当周送教记录,已生成 ${done.duties} 期任务。`
              : '该学生在此工作方案中已有送教上门任务,未重复设置。'}
          </p>
          <p>
            <a href="/cases/ledger">返回台账</a>
          </p>
        </Page>,
      );
    } catch (err) {
      // A child not registered for 送教上门 (409) is said on the form, like a bad field.
      const problems =
        err instanceof AppError && err.status === 409 ? { form: err.message } : fromServiceError(err);
      if (problems === undefined) throw err;
      return form(c, caseId, values, { form: Object.values(problems).join(';') }, 400);
    }
  });

  return app;
}
