import { Hono } from 'hono';
import { decide } from '../../../shared/domain/access/policy.js';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import { ForbiddenError } from '../../../shared/errors.js';
import type { RosterChild } from '../../../shared/services/roster-service.js';
import type { AppDeps } from '../../api/deps.js';
import {
  type FormValues,
  NewCaseForm,
  newCaseFrom,
  newCaseValues,
  type RosterPick,
  townshipIn,
} from '../case-forms.js';
import { chromeOf, unitDirectory, type WebContext } from '../context.js';
import { formKeyOf, newFormKey, oncePerForm } from '../form-key.js';
import { type FieldErrors, readForm, refusalOf } from '../forms.js';
import { Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const PICKS = 100;
const SLUG = /^[a-z0-9][a-z0-9-]{0,140}$/;

/** Whether the signed-in user records absences: a school's own clerk (and the service's own check). */
export function recordsAbsences(c: WebContext): boolean {
  const p = c.get('principal');
  return (
    p.role === 'unit' &&
    p.unitId !== undefined &&
    c.get('unit')?.kind === 'school' &&
    decide(p, 'case.create', { ownerUnitId: p.unitId }).allowed
  );
}

/**
 * 登记缺课 in three taps: open the form, pick the child from the school's roster (the form comes
 * filled in), send it. A school without roster rows types the few fields a case needs.
 */
export function newCasePages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  /** The school's roster children of the newest semester it files for, masked, to pick from. */
  async function picksOf(c: WebContext): Promise<{ semester: string | undefined; picks: RosterPick[] }> {
    const p = c.get('principal');
    const semester = (await deps.semesters.list(p, { limit: 20 })).items.find((s) =>
      s.schoolUnitIds.includes(p.unitId ?? ''),
    );
    if (semester === undefined) return { semester: undefined, picks: [] };
    const ledger = await deps.rosters.ledger(p, { semester: semester.id }, { limit: PICKS });
    const rows = ledger.items.filter((e) => !e.verifiedElsewhere);
    // A child with a case not yet returned links to that case, not to a second one.
    const open = await deps.cases.openCasesOfRoster(
      p,
      p.unitId ?? '',
      semester.id,
      rows.map((e) => e.id),
    );
    return { semester: semester.id, picks: rows.map((e) => ({ ...e, openCaseId: open.get(e.id) })) };
  }

  async function render(
    c: WebContext,
    form: { values: FormValues; errors?: FieldErrors; formKey: string; picked?: string },
    status: 200 | 400 | 409 = 200,
  ) {
    const { semester, picks } =
      form.picked === undefined ? await picksOf(c) : { semester: undefined, picks: [] };
    return c.html(
      <Page title="登记缺课" chrome={chromeOf(c, { active: 'cases' })}>
        <h1>登记缺课</h1>
        <NewCaseForm
          csrfToken={c.get('csrfToken')}
          formKey={form.formKey}
          values={form.values}
          errors={form.errors}
          picks={picks}
          semester={semester}
          picked={form.picked}
        />
        <p>
          <a href="/cases">返回控辍保学</a>
        </p>
      </Page>,
      status,
    );
  }

  app.get('/cases/new', signedIn, async (c) => {
    if (!recordsAbsences(c)) throw new ForbiddenError('只有学校可以登记本校学生缺课');
    const today = localDateOf(deps.clock(), 'Asia/Shanghai');
    const semester = c.req.query('semester') ?? '';
    const entry = c.req.query('entry') ?? '';
    let child: RosterChild | undefined;
    if (SLUG.test(semester) && entry !== '' && entry.length <= 200) {
      child = await deps.rosters.childForCase(c.get('principal'), { semester, entry }, deps.clock());
    }
    const chain = await deps.cases.chainHint(c.get('principal'), c.get('principal').unitId ?? '', child);
    return render(c, {
      values: newCaseValues(
        today,
        chain,
        child === undefined ? undefined : { ...child, semesterId: semester },
      ),
      formKey: newFormKey(),
      picked: child?.entryId,
    });
  });

  app.post('/cases', signedIn, checkForm, async (c) => {
    if (!recordsAbsences(c)) throw new ForbiddenError('只有学校可以登记本校学生缺课');
    const p = c.get('principal');
    const schoolUnitId = p.unitId ?? '';
    const form = await readForm(c);
    const formKey = formKeyOf(form);
    const units = await unitDirectory(deps, p);
    const parsed = newCaseFrom(form, { schoolUnitId, townshipUnitId: townshipIn(units, schoolUnitId) });
    const picked = parsed.values.entry === '' ? undefined : parsed.values.entry;
    if ('errors' in parsed)
      return render(c, { values: parsed.values, errors: parsed.errors, formKey, picked }, 400);
    const { input } = parsed;
    return oncePerForm(deps, c, form, async () => {
      try {
        const made = await deps.cases.create(p, input, deps.clock());
        return `/cases/${made.id}?ok=created`;
      } catch (err) {
        const refusal = refusalOf(err);
        const errors = 'conflict' in refusal ? { '(root)': refusal.conflict } : refusal.errors;
        return render(
          c,
          { values: parsed.values, errors, formKey, picked },
          'conflict' in refusal ? 409 : 400,
        );
      }
    });
  });

  return app;
}
