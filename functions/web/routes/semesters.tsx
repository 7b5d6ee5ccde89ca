import { Hono } from 'hono';
import { decide } from '../../../shared/domain/access/policy.js';
import { ForbiddenError } from '../../../shared/errors.js';
import { CreateSemesterSchema } from '../../../shared/schemas/rosters.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, type WebContext } from '../context.js';
import { TextLine } from '../fields.js';
import { type FieldErrors, fromServiceError, fromZod, one, optional, readForm } from '../forms.js';
import { Csrf, FieldError, Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

type Values = Record<'id' | 'name' | 'startDate' | 'endDate' | 'planId', string>;
const EMPTY: Values = { id: '', name: '', startDate: '', endDate: '', planId: '' };

/**
 * 设置学期: the office names a semester and its start; every school then owes its three rosters two
 * weeks later (the semester service creates the duties).
 */
export function semesterPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function form(c: WebContext, values: Values, errors?: FieldErrors) {
    const p = c.get('principal');
    if (!decide(p, 'task.create').allowed) throw new ForbiddenError('只有领导小组办公室可以设置学期');
    const plans = (await deps.plans.list(p, { limit: 50 })).items;
    return c.html(
      <Page title="设置学期" chrome={chromeOf(c, { active: 'rosters' })}>
        <h1>设置学期</h1>
        <form method="post" action="/semesters" class="card">
          <Csrf token={c.get('csrfToken')} />
          <TextLine
            name="id"
            value={values.id}
            label="学期编号(小写字母、数字和“-”)"
            placeholder="2026-autumn"
            errors={errors}
          />
          <TextLine
            name="name"
            value={values.name}
            label="学期名称"
            placeholder="2026秋季学期"
            errors={errors}
          />
          <label class="f" for="startDate">
            开学日期(三类花名册报送期限为其后两周)
          </label>
          <input type="date" id="startDate" name="startDate" value={values.startDate} />
          <FieldError messages={errors?.startDate === undefined ? [] : [errors.startDate]} />
          <label class="f" for="endDate">
            学期结束日期(可不填)
          </label>
          <input type="date" id="endDate" name="endDate" value={values.endDate} />
          <FieldError messages={errors?.endDate === undefined ? [] : [errors.endDate]} />
          <label class="f" for="planId">
            报送任务所在的工作方案
          </label>
          <select id="planId" name="planId">
            {plans.map((plan) => (
              <option value={plan.id} selected={plan.id === values.planId}>
                {plan.title}
              </option>
            ))}
          </select>
          <FieldError messages={errors?.planId === undefined ? [] : [errors.planId]} />
          <FieldError messages={errors?.schoolUnitIds === undefined ? [] : [errors.schoolUnitIds]} />
          <p class="muted">单位目录中每所在用的学校各生成一项“报送三类花名册”任务。</p>
          <p>
            <button type="submit">设置</button>
          </p>
        </form>
      </Page>,
      errors === undefined ? 200 : 400,
    );
  }

  app.get('/semesters/new', signedIn, (c) => form(c, EMPTY));

  app.post('/semesters', signedIn, checkForm, async (c) => {
    const body = await readForm(c);
    const values: Values = {
      id: one(body, 'id').trim(),
      name: one(body, 'name').trim(),
      startDate: one(body, 'startDate'),
      endDate: one(body, 'endDate'),
      planId: one(body, 'planId'),
    };
    const parsed = CreateSemesterSchema.safeParse({
      ...values,
      endDate: optional(values.endDate),
    });
    if (!parsed.success) return form(c, values, fromZod(parsed.error));
    try {
      const created = await deps.semesters.create(c.get('principal'), parsed.data, deps.clock());
      return c.redirect(`/rosters?semester=${created.id}`, 303);
    } catch (err) {
      const errors = fromServiceError(err);
      if (errors === undefined) throw err;
      return form(c, values, errors);
    }
  });

  return app;
}
