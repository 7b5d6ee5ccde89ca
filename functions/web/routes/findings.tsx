import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { currentPhase } from '../../../shared/domain/plan/phases.js';
import { ForbiddenError, NotFoundError } from '../../../shared/errors.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import { CreateFindingSchema, FINDING_SOURCES, type FindingView } from '../../../shared/schemas/findings.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import type { Unit, UnitKind } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/app.js';
import { chromeOf, pathId, planDirectory, unitDirectory, type WebContext } from '../context.js';
import { StatusBadge } from '../duty-parts.js';
import { dateTime, shortDate } from '../format.js';
import {
  dueAtFrom,
  errorsUnder,
  type FieldErrors,
  fromServiceError,
  fromZod,
  many,
  one,
  readForm,
} from '../forms.js';
import { Csrf, FieldError, Page } from '../layout.js';
import { UNIT_FILTER_JS } from '../page-headers.js';
import { pinyinInitials } from '../pinyin.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

type Source = (typeof FINDING_SOURCES)[number];

const SOURCE_LABELS: Record<Source, string> = {
  'self-check': '自查',
  'county-check': '县级检查',
  unannounced: '四不两直(暗访)',
  'higher-level': '上级督查',
};

const KIND_LABELS: Record<UnitKind, string> = {
  bureau: '局',
  section: '股室',
  township: '乡镇',
  village: '村',
  school: '学校',
  other: '其他',
};

interface FindingForm {
  title: string;
  detail: string;
  unitIds: string[];
  dueDate: string;
  dueTime: string;
  source: string;
  phaseKey: string;
}

const blankForm = (plan: Plan, now: Date): FindingForm => ({
  title: '',
  detail: '',
  unitIds: [],
  dueDate: '',
  dueTime: '',
  source: 'county-check',
  phaseKey: currentPhase(plan.phases, now, plan.timezone)?.key ?? plan.phases[0]?.key ?? '',
});

const KIND_ORDER: UnitKind[] = ['bureau', 'other', 'section', 'township', 'village', 'school'];

/** Units parents first, each under its parent, siblings by kind then name (as on 任务录入), with their depth. */
function tree(units: Unit[]): { unit: Unit; depth: number }[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, Unit[]>();
  for (const u of units) {
    const parent = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: { unit: Unit; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    const below = (children.get(parent) ?? []).sort(
      (a, b) =>
        KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name, 'zh-CN'),
    );
    for (const u of below) {
      out.push({ unit: u, depth });
      if (depth < 8) walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Open findings first, then the newest. */
const byState = (a: FindingView, b: FindingView) =>
  Number(a.status === 'closed') - Number(b.status === 'closed') || b.createdAt.localeCompare(a.createdAt);

/**
 * 督查整改: a plan's supervision findings (督查发现问题) with their source, units, deadline, each
 * rectification duty's state and whether the finding is closed (销号); and, for the office, the
 * form that registers a finding and assigns its rectification duties.
 */
export function findingPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function show(c: WebContext, planId: string, form?: FindingForm, errors?: FieldErrors) {
    const p = c.get('principal');
    // The rectification duties of every unit are on this page: for those who read all duties.
    if (!decide(p, 'duty.read').allowed) {
      throw new ForbiddenError('督查整改供领导小组办公室和领导查看;单位的整改任务在“我的任务”中');
    }
    const now = deps.clock();
    const [plans, units, findings] = await Promise.all([
      planDirectory(deps, p),
      unitDirectory(deps, p),
      deps.supervision.listFindings(p, planId),
    ]);
    const plan = plans.get(planId);
    if (plan === undefined) throw new NotFoundError('工作方案', planId);
    const tz = plan.timezone;
    const dutyIds = findings.flatMap((f) => f.dutyIds);
    const duties = new Map<string, Duty>(
      (await Promise.all(dutyIds.map((id) => deps.duties.get(p, id, now)))).map((d) => [d.id, d]),
    );
    const sorted = [...findings].sort(byState);
    const open = findings.filter((f) => f.status === 'open').length;
    const phaseName = (key: string) => plan.phases.find((ph) => ph.key === key)?.name ?? key;
    const canCreate = decide(p, 'finding.create').allowed;
    return c.html(
      <Page title="督查整改" chrome={await chromeOf(c, deps, { active: 'findings', planId })}>
        <h1>督查整改 · {plan.title}</h1>
        <div class="card row">
          <span>督查发现问题 {findings.length} 个</span>
          <span class={`badge ${open > 0 ? 'b-yellow' : ''}`}>整改中 {open}</span>
          <span class="badge b-green">已销号 {findings.length - open}</span>
          {canCreate && <a href="#new">登记督查问题 ↓</a>}
        </div>
        {findings.length === 0 && <p class="card">还没有登记督查发现的问题。</p>}
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
    const plan = (await planDirectory(deps, p)).get(planId);
    if (plan === undefined) throw new NotFoundError('工作方案', planId);
    const f = await readForm(c);
    const form: FindingForm = {
      title: one(f, 'title'),
      detail: one(f, 'detail'),
      unitIds: many(f, 'unitIds'),
      dueDate: one(f, 'dueDate').trim(),
      dueTime: one(f, 'dueTime').trim(),
      source: one(f, 'source'),
      phaseKey: one(f, 'phaseKey'),
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
    try {
      const finding = await deps.supervision.createFinding(p, planId, parsed.data, deps.clock());
      return c.redirect(`/plans/${planId}/findings?ok=finding&n=${finding.total}`, 303);
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

  return app;
}

const FILTER_SCRIPT = raw(`<script>${UNIT_FILTER_JS}</script>`);

const FindingFormView: FC<{
  plan: Plan;
  units: Unit[];
  form: FindingForm;
  errors: FieldErrors | undefined;
  csrfToken: string;
}> = ({ plan, units, form, errors, csrfToken }) => {
  const chosen = new Set(form.unitIds);
  const err = (name: string) => <FieldError messages={errorsUnder(errors, name)} />;
  const invalid = (name: string) => (errorsUnder(errors, name).length > 0 ? 'invalid' : undefined);
  return (
    <form method="post" action={`/plans/${plan.id}/findings`} class="card" novalidate>
      <Csrf token={csrfToken} />
      {errors !== undefined && (
        <p class="flash err" role="alert">
          请按提示修改后重新提交。
        </p>
      )}
      {err('(root)')}
      <label class="f" for="title">
        问题
      </label>
      <input
        type="text"
        id="title"
        name="title"
        value={form.title}
        maxlength={200}
        placeholder="如 东街村适龄儿童花名册与学籍系统不一致"
        class={invalid('title')}
      />
      {err('title')}
      <label class="f" for="detail">
        具体情况和整改要求
      </label>
      <textarea id="detail" name="detail" maxlength={5000} class={invalid('detail')}>
        {form.detail}
      </textarea>
      {err('detail')}
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
          <label class="f" for="phaseKey">
            所属阶段
          </label>
          <select id="phaseKey" name="phaseKey" class={invalid('phaseKey')}>
            {plan.phases.map((ph) => (
              <option value={ph.key} selected={ph.key === form.phaseKey}>
                {`${ph.name}(${shortDate(ph.start)}–${ph.end ? shortDate(ph.end) : '待定'})`}
              </option>
            ))}
          </select>
          {err('phaseKey')}
        </div>
      </div>
      <span class="f">整改期限</span>
      <div class="row">
        <label>
          日期 <input type="date" name="dueDate" value={form.dueDate} class={invalid('dueAt')} />
        </label>
        <label>
          时间(可选,不填为当天 24 时前){' '}
          <input type="time" name="dueTime" value={form.dueTime} class={invalid('dueAt')} />
        </label>
      </div>
      {err('dueAt')}
      <fieldset class="card">
        <legend>整改单位(每个单位各生成一条整改任务)</legend>
        {err('unitIds')}
        <p>
          <input
            type="search"
            id="uf"
            placeholder="按名称或拼音首字母筛选,如 dj 或 村"
            aria-label="筛选单位"
          />
        </p>
        <div class="tree">
          {tree(units).map(({ unit, depth }) => (
            <div
              data-f={`${unit.name} ${pinyinInitials(unit.name)} ${unit.id}`}
              style={`padding-left:${depth * 1.4}rem`}
            >
              <label>
                <input type="checkbox" name="unitIds" value={unit.id} checked={chosen.has(unit.id)} />{' '}
                {unit.name}
              </label>
              <small>{KIND_LABELS[unit.kind]}</small>
            </div>
          ))}
        </div>
      </fieldset>
      <p>
        <button type="submit">登记并交办整改</button>
      </p>
      {FILTER_SCRIPT}
    </form>
  );
};
