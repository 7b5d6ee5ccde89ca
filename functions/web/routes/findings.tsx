import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide, readershipOf } from '../../../shared/domain/access/policy.js';
import {
  CreateFindingSchema,
  FINDING_SOURCES,
  FINDING_TITLE_MAX,
  type FindingView,
} from '../../../shared/schemas/findings.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId, unitDirectory, type WebContext } from '../context.js';
import { StatusBadge } from '../duty-parts.js';
import {
  DueInputs,
  defaultPhaseKey,
  fieldHelpers,
  PhaseSelect,
  RetryAlert,
  TextArea,
  TextLine,
} from '../fields.js';
import { FormKey, formKeyOf, newFormKey, oncePerForm } from '../form-key.js';
import { dateTime } from '../format.js';
import { dueAtFrom, type FieldErrors, fromServiceError, fromZod, many, one, readForm } from '../forms.js';
import { Csrf, Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';
import { type PlanFormProps, UnitFilterScript, UnitPicker } from '../unit-tree.js';

type Source = (typeof FINDING_SOURCES)[number];

const SOURCE_LABELS: Record<Source, string> = {
  'self-check': '自查',
  'county-check': '县级检查',
  unannounced: '四不两直(暗访)',
  'higher-level': '上级督查',
};

interface FindingForm {
  title: string;
  detail: string;
  unitIds: string[];
  dueDate: string;
  dueTime: string;
  source: string;
  phaseKey: string;
  /** One per rendered form: a double submission registers the finding once. */
  formKey: string;
}

const blankForm = (plan: Plan, now: Date): FindingForm => ({
  title: '',
  detail: '',
  unitIds: [],
  dueDate: '',
  dueTime: '',
  source: 'county-check',
  phaseKey: defaultPhaseKey(plan, now),
  formKey: newFormKey(),
});

/** Open findings first, then the newest. */
const byState = (a: FindingView, b: FindingView) =>
  Number(a.status === 'closed') - Number(b.status === 'closed') || b.createdAt.localeCompare(a.createdAt);

/**
 * 督查整改: a plan's supervision findings (督查发现问题) with their source, units, deadline, each
 * rectification duty's state and whether the finding is closed (销号) — for a unit, the findings
 * that name it with its own duty; and, for the office, the form that registers a finding and
 * assigns its rectification duties.
 */
export function findingPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function show(c: WebContext, planId: string, form?: FindingForm, errors?: FieldErrors) {
    const p = c.get('principal');
    const now = deps.clock();
    // The office and leaders see every finding; a unit the findings that name it, with its own
    // duty only — the service applies the one rule for findings (findingPartsFor).
    // Each finding's duties come with it, read once in batches (not again here, one at a time).
    const [plan, units, { findings, duties }] = await Promise.all([
      deps.plans.get(p, planId),
      unitDirectory(deps, p),
      deps.supervision.listFindingsWithDuties(p, planId, now),
    ]);
    const tz = plan.timezone;
    const sorted = [...findings].sort(byState);
    const open = findings.filter((f) => f.status === 'open').length;
    const phaseName = (key: string) => plan.phases.find((ph) => ph.key === key)?.name ?? key;
    const canCreate = decide(p, 'finding.create').allowed;
    const forUnit = readershipOf(p).scope === 'unit';
    return c.html(
      <Page title="督查整改" chrome={chromeOf(c, { active: 'findings', planId })}>
        <h1>督查整改 · {plan.title}</h1>
        <div class="card row">
          <span>督查发现问题 {findings.length} 个</span>
          <span class={`badge ${open > 0 ? 'b-yellow' : ''}`}>整改中 {open}</span>
          <span class="badge b-green">已销号 {findings.length - open}</span>
          {canCreate && <a href="#new">登记督查问题 ↓</a>}
        </div>
        {findings.length === 0 && (
          <p class="card">{forUnit ? '没有涉及本单位的督查发现问题。' : '还没有登记督查发现的问题。'}</p>
        )}
        {sorted.map((f) => (
          <article class={`card duty ${f.status === 'closed' ? '' : 'near'}`} data-finding={f.id}>
            <h3 class="row">
              {f.status === 'closed' ? (
                <span class="badge b-green">已销号</span>
              ) : (
                <span class="badge b-yellow">
                  整改中 {f.accepted}/{f.total}
                </span>
              )}
              <span>{f.title}</span>
            </h3>
            <p class="row">
              <span class="badge">{SOURCE_LABELS[f.source]}</span>
              <span>整改期限 {dateTime(f.dueAt, tz, now)}</span>
              <small>
                {phaseName(f.phaseKey)} · 登记于 {dateTime(f.createdAt, tz, now)}
                {f.closedAt !== null && ` · 销号于 ${dateTime(f.closedAt, tz, now)}`}
              </small>
            </p>
            <p style="white-space:pre-wrap">{f.detail}</p>
            <ul class="plain">
              {f.dutyIds.map((id) => {
                const duty = duties.get(id);
                return (
                  <li class="row" data-duty={id}>
                    {duty === undefined ? (
                      <span class="muted">{id}</span>
                    ) : (
                      <>
                        <a href={`/duties/${id}`}>{units.get(duty.unitId)?.name ?? duty.unitId}</a>
                        <StatusBadge duty={duty} />
                        {duty.returns > 0 && <span class="badge">退回 {duty.returns} 次</span>}
                      </>
                    )}
                  </li>
                );
              })}
            </ul>
          </article>
        ))}
        {canCreate && (
          <>
            <h2 id="new">登记督查问题</h2>
            <FindingFormView
              plan={plan}
              units={[...units.values()].filter((u) => u.active)}
              form={form ?? blankForm(plan, now)}
              errors={errors}
              csrfToken={c.get('csrfToken')}
            />
          </>
        )}
      </Page>,
      errors === undefined ? 200 : 400,
    );
  }

  app.get('/plans/:planId/findings', signedIn, async (c) => show(c, pathId(c, 'planId', '工作方案')));

  app.post('/plans/:planId/findings', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    const plan = await deps.plans.get(p, planId);
    const f = await readForm(c);
    const form: FindingForm = {
      title: one(f, 'title'),
      detail: one(f, 'detail'),
      unitIds: many(f, 'unitIds'),
      dueDate: one(f, 'dueDate').trim(),
      dueTime: one(f, 'dueTime').trim(),
      source: one(f, 'source'),
      phaseKey: one(f, 'phaseKey'),
      formKey: formKeyOf(f),
    };
    const errors: FieldErrors = {};
    if (form.unitIds.length === 0) errors.unitIds = '请至少选择一个整改单位';
    const dueAt = dueAtFrom(form.dueDate, form.dueTime, plan.timezone, errors, 'dueAt', '请填写整改期限');
    const parsed = CreateFindingSchema.safeParse({
      title: form.title,
      detail: form.detail,
      unitIds: form.unitIds,
      dueAt: dueAt ?? '',
      source: form.source,
      phaseKey: form.phaseKey === '' ? undefined : form.phaseKey,
    });
    if (!parsed.success) Object.assign(errors, { ...fromZod(parsed.error), ...errors });
    if (!parsed.success || Object.keys(errors).length > 0) return show(c, planId, form, errors);
    const input = parsed.data;
    return oncePerForm(deps, c, f, async () => {
      try {
        const finding = await deps.supervision.createFinding(p, planId, input, deps.clock());
        return `/plans/${planId}/findings?ok=finding&n=${finding.total}`;
      } catch (err) {
        const fields = fromServiceError(err);
        if (fields === undefined) throw err;
        // The task the finding becomes names its units leadUnitId / coUnitIds: they are this form's unitIds.
        const mapped: FieldErrors = {};
        for (const [field, message] of Object.entries(fields)) {
          const key = field === 'leadUnitId' || field.startsWith('coUnitIds') ? 'unitIds' : field;
          mapped[key] ??= message;
        }
        return show(c, planId, form, mapped);
      }
    });
  });

  return app;
}

const FindingFormView: FC<PlanFormProps<FindingForm>> = ({ plan, units, form, errors, csrfToken }) => {
  const chosen = new Set(form.unitIds);
  const { err, invalid } = fieldHelpers(errors);
  return (
    <form method="post" action={`/plans/${plan.id}/findings`} class="card" novalidate>
      <Csrf token={csrfToken} />
      <FormKey value={form.formKey} />
      {errors !== undefined && <RetryAlert>请按提示修改后重新提交。</RetryAlert>}
      {err('(root)')}
      <TextLine
        name="title"
        label="问题"
        value={form.title}
        maxlength={FINDING_TITLE_MAX}
        placeholder="如 东街村适龄儿童花名册与学籍系统不一致"
        errors={errors}
      />
      <TextArea
        id="detail"
        name="detail"
        label="具体情况和整改要求"
        value={form.detail}
        maxlength={5000}
        errors={errors}
      />
      <div class="grid2">
        <div>
          <label class="f" for="source">
            问题来源
          </label>
          <select id="source" name="source" class={invalid('source')}>
            {FINDING_SOURCES.map((s) => (
              <option value={s} selected={s === form.source}>
                {SOURCE_LABELS[s]}
              </option>
            ))}
          </select>
          {err('source')}
        </div>
        <div>
          <PhaseSelect plan={plan} value={form.phaseKey} errors={errors} />
        </div>
      </div>
      <span class="f">整改期限</span>
      <div class="row">
        <DueInputs
          dateLabel="日期"
          timeLabel="时间(可选,不填为当天 24 时前)"
          date={form.dueDate}
          time={form.dueTime}
          errors={errors}
        />
      </div>
      {err('dueAt')}
      <fieldset class="card">
        <legend>整改单位(每个单位各生成一条整改任务)</legend>
        {err('unitIds')}
        <UnitPicker
          units={units}
          placeholder="按名称或拼音首字母筛选,如 dj 或 村"
          row={(unit) => (
            <label>
              <input type="checkbox" name="unitIds" value={unit.id} checked={chosen.has(unit.id)} />{' '}
              {unit.name}
            </label>
          )}
        />
      </fieldset>
      <p>
        <button type="submit">登记并交办整改</button>
      </p>
      {UnitFilterScript}
    </form>
  );
};
