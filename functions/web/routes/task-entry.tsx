import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { currentPhase } from '../../../shared/domain/plan/phases.js';
import { isValidIsoDate, zonedToInstant } from '../../../shared/domain/time/zoned-time.js';
import { ForbiddenError, NotFoundError } from '../../../shared/errors.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { type CreateTaskInput, CreateTaskSchema } from '../../../shared/schemas/tasks.js';
import type { Unit, UnitKind } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/app.js';
import { chromeOf, pathId, planDirectory, unitDirectory, type WebContext } from '../context.js';
import { shortDate } from '../format.js';
import {
  errorsUnder,
  type FieldErrors,
  fromServiceError,
  fromZod,
  many,
  one,
  optional,
  readForm,
} from '../forms.js';
import { Csrf, FieldError, Page } from '../layout.js';
import { UNIT_FILTER_JS } from '../page-headers.js';
import { pinyinInitials } from '../pinyin.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const KIND_LABELS: Record<UnitKind, string> = {
  bureau: '局',
  section: '股室',
  township: '乡镇',
  village: '村',
  school: '学校',
  other: '其他',
};
const KIND_ORDER: UnitKind[] = ['bureau', 'other', 'section', 'township', 'village', 'school'];
const WEEKDAY_NAMES = ['一', '二', '三', '四', '五', '六', '日'];
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

interface TaskForm {
  title: string;
  description: string;
  phaseKey: string;
  kind: string;
  dueDate: string;
  dueTime: string;
  repeat: boolean;
  weekdays: string[];
  repeatTime: string;
  holidayShift: boolean;
  leadUnitId: string;
  coUnitIds: string[];
  bulk: boolean;
}

const blankForm = (plan: Plan, now: Date): TaskForm => ({
  title: '',
  description: '',
  phaseKey: currentPhase(plan.phases, now, plan.timezone)?.key ?? plan.phases[0]?.key ?? '',
  kind: 'task',
  dueDate: '',
  dueTime: '',
  repeat: false,
  weekdays: ['5'],
  repeatTime: '12:00',
  holidayShift: true,
  leadUnitId: '',
  coUnitIds: [],
  bulk: false,
});

/** Units in tree order (parents before children, siblings by kind then name), with their depth. */
function treeOrder(units: Unit[]): { unit: Unit; depth: number }[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, Unit[]>();
  for (const u of units) {
    const parent = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const order = (a: Unit, b: Unit) =>
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name, 'zh-CN');
  const out: { unit: Unit; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const u of (children.get(parent) ?? []).sort(order)) {
      out.push({ unit: u, depth });
      if (depth < 10) walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The due time as the service reads it: a date alone is the end of that day in the plan's zone. */
function dueAtOf(form: TaskForm, plan: Plan, errors: FieldErrors): string | undefined {
  if (form.repeat) return undefined;
  if (form.dueDate === '') {
    errors.dueAt = '请填写截止日期(或选择每周重复)';
    return undefined;
  }
  if (form.dueTime === '') return form.dueDate;
  if (!isValidIsoDate(form.dueDate)) return form.dueDate;
  if (!HH_MM.test(form.dueTime)) {
    errors.dueAt = '时间格式应为 HH:MM';
    return undefined;
  }
  const instant = zonedToInstant(
    {
      year: Number(form.dueDate.slice(0, 4)),
      month: Number(form.dueDate.slice(5, 7)),
      day: Number(form.dueDate.slice(8, 10)),
      hour: Number(form.dueTime.slice(0, 2)),
      minute: Number(form.dueTime.slice(3, 5)),
      second: 0,
      millisecond: 0,
    },
    plan.timezone,
  );
  return instant.toISOString();
}

/** Task entry (任务录入): one task for a lead unit and co-units, or the same task for each unit. */
export function taskEntryPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function load(c: WebContext) {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    if (!decide(p, 'task.create').allowed) throw new ForbiddenError('只有领导小组办公室可以录入任务');
    const [plans, units] = await Promise.all([planDirectory(deps, p), unitDirectory(deps, p)]);
    const plan = plans.get(planId);
    if (plan === undefined) throw new NotFoundError('工作方案', planId);
    return { plan, units: [...units.values()].filter((u) => u.active) };
  }

  async function show(c: WebContext, plan: Plan, units: Unit[], form: TaskForm, errors?: FieldErrors) {
    return c.html(
      <Page title="任务录入" chrome={await chromeOf(c, deps, { active: 'tasks', planId: plan.id })}>
        <h1>任务录入 · {plan.title}</h1>
        <TaskFormView plan={plan} units={units} form={form} errors={errors} csrfToken={c.get('csrfToken')} />
      </Page>,
      errors === undefined ? 200 : 400,
    );
  }

  app.get('/plans/:planId/tasks/new', signedIn, async (c) => {
    const { plan, units } = await load(c);
    return show(c, plan, units, blankForm(plan, deps.clock()));
  });

  app.post('/plans/:planId/tasks', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const { plan, units } = await load(c);
    const f = await readForm(c);
    const form: TaskForm = {
      title: one(f, 'title'),
      description: one(f, 'description'),
      phaseKey: one(f, 'phaseKey'),
      kind: one(f, 'kind') || 'task',
      dueDate: one(f, 'dueDate'),
      dueTime: one(f, 'dueTime'),
      repeat: one(f, 'repeat') === 'weekly',
      weekdays: many(f, 'weekdays'),
      repeatTime: one(f, 'repeatTime'),
      holidayShift: one(f, 'holidayShift') === '1',
      leadUnitId: one(f, 'leadUnitId'),
      coUnitIds: many(f, 'coUnitIds'),
      bulk: one(f, 'bulk') === '1',
    };
    const errors: FieldErrors = {};
    const targets = [...new Set([form.leadUnitId, ...form.coUnitIds].filter((id) => id !== ''))];
    if (form.bulk ? targets.length === 0 : form.leadUnitId === '') {
      errors.leadUnitId = form.bulk ? '请至少选择一个单位' : '请选择牵头单位';
    }
    const dueAt = dueAtOf(form, plan, errors);
    const base = {
      title: form.title,
      description: optional(form.description),
      phaseKey: form.phaseKey,
      kind: form.kind,
      dueAt,
      recurrence: form.repeat
        ? {
            freq: 'weekly',
            weekdays: form.weekdays.map(Number),
            time: form.repeatTime,
            ...(form.holidayShift ? { holidayRule: 'previous-working-day' } : {}),
          }
        : undefined,
    };
    // Bulk: the same task once per unit, each its own lead; otherwise one task with its co-units.
    const candidates = form.bulk
      ? targets.map((id) => ({ ...base, leadUnitId: id, coUnitIds: [] }))
      : [{ ...base, leadUnitId: form.leadUnitId, coUnitIds: form.coUnitIds }];
    const inputs: CreateTaskInput[] = [];
    for (const candidate of candidates.length > 0
      ? candidates
      : [{ ...base, leadUnitId: '', coUnitIds: [] }]) {
      const parsed = CreateTaskSchema.safeParse(candidate);
      if (parsed.success) inputs.push(parsed.data);
      else {
        Object.assign(errors, { ...fromZod(parsed.error), ...errors });
        break;
      }
    }
    if (Object.keys(errors).length > 0) return show(c, plan, units, form, errors);

    let duties = 0;
    for (const [i, input] of inputs.entries()) {
      try {
        duties += (await deps.plans.createTask(p, plan.id, input, deps.clock())).duties.length;
      } catch (err) {
        const fields = fromServiceError(err);
        if (fields === undefined) throw err;
        if (i > 0) fields['(root)'] = `已为前 ${i} 个单位创建任务;以下问题使其余单位未能创建`;
        return show(c, plan, units, form, fields);
      }
    }
    const query = form.bulk ? `ok=tasks&n=${inputs.length}` : `ok=task&n=${duties}`;
    return c.redirect(`/plans/${plan.id}/tasks/new?${query}`, 303);
  });

  return app;
}

const FILTER_SCRIPT = raw(`<script>${UNIT_FILTER_JS}</script>`);

const invalid = (errors: FieldErrors | undefined, name: string) =>
  errorsUnder(errors, name).length > 0 ? 'invalid' : undefined;

const TaskFormView: FC<{
  plan: Plan;
  units: Unit[];
  form: TaskForm;
  errors: FieldErrors | undefined;
  csrfToken: string;
}> = ({ plan, units, form, errors, csrfToken }) => {
  const co = new Set(form.coUnitIds);
  const err = (name: string) => <FieldError messages={errorsUnder(errors, name)} />;
  return (
    <form method="post" action={`/plans/${plan.id}/tasks`} class="card" novalidate>
      <Csrf token={csrfToken} />
      {err('(root)')}
      {errors !== undefined && (
        <p class="flash err" role="alert">
          请按提示修改后重新提交。
        </p>
      )}
      <label class="f" for="title">
        任务名称
      </label>
      <input
        type="text"
        id="title"
        name="title"
        value={form.title}
        maxlength={200}
        class={invalid(errors, 'title')}
      />
      {err('title')}
      <label class="f" for="description">
        工作要求(可选)
      </label>
      <textarea id="description" name="description" class={invalid(errors, 'description')}>
        {form.description}
      </textarea>
      {err('description')}
      <div class="grid2">
        <div>
          <label class="f" for="phaseKey">
            所属阶段
          </label>
          <select id="phaseKey" name="phaseKey" class={invalid(errors, 'phaseKey')}>
            {plan.phases.map((ph) => (
              <option value={ph.key} selected={ph.key === form.phaseKey}>
                {`${ph.name}(${shortDate(ph.start)}–${ph.end ? shortDate(ph.end) : '待定'})`}
              </option>
            ))}
          </select>
          {err('phaseKey')}
        </div>
        <div>
          <span class="f">任务类型</span>
          <label>
            <input type="radio" name="kind" value="task" checked={form.kind !== 'report'} /> 一般任务
          </label>{' '}
          <label>
            <input type="radio" name="kind" value="report" checked={form.kind === 'report'} />{' '}
            定期报告(可零报告)
          </label>
          {err('kind')}
        </div>
      </div>
      <fieldset class="card">
        <legend>截止时间</legend>
        <div class="row">
          <label>
            日期 <input type="date" name="dueDate" value={form.dueDate} class={invalid(errors, 'dueAt')} />
          </label>
          <label>
            时间(可选,不填为当天 24 时前){' '}
            <input type="time" name="dueTime" value={form.dueTime} class={invalid(errors, 'dueAt')} />
          </label>
        </div>
        {err('dueAt')}
        <p>
          <label>
            <input type="checkbox" name="repeat" value="weekly" checked={form.repeat} />{' '}
            每周重复(周期任务,不用上面的日期)
          </label>
        </p>
        <div class="row">
          <span>每周</span>
          {WEEKDAY_NAMES.map((name, i) => (
            <label>
              <input
                type="checkbox"
                name="weekdays"
                value={String(i + 1)}
                checked={form.weekdays.includes(String(i + 1))}
              />
              周{name}
            </label>
          ))}
          <label>
            <input
              type="time"
              name="repeatTime"
              value={form.repeatTime}
              class={invalid(errors, 'recurrence.time')}
            />{' '}
            前
          </label>
          <label>
            <input type="checkbox" name="holidayShift" value="1" checked={form.holidayShift} />{' '}
            遇节假日提前到前一个工作日
          </label>
        </div>
        {err('recurrence')}
      </fieldset>
      <fieldset class="card">
        <legend>责任单位</legend>
        <p class="muted">
          选一个“牵头”单位,再勾选“配合”单位:每个单位各生成一条任务。勾选“分别交办”则为每个所选单位各建一条同样的任务(各自牵头)。
        </p>
        <label>
          <input type="checkbox" name="bulk" value="1" checked={form.bulk} /> 分别交办(批量)
        </label>
        {err('leadUnitId')}
        {err('coUnitIds')}
        <p>
          <input
            type="search"
            id="uf"
            placeholder="按名称或拼音首字母筛选,如 xc 或 乡"
            aria-label="筛选单位"
          />
        </p>
        <div class="tree">
          {treeOrder(units).map(({ unit, depth }) => (
            <div
              data-f={`${unit.name} ${pinyinInitials(unit.name)} ${unit.id}`}
              style={`padding-left:${depth * 1.4}rem`}
            >
              <label>
                <input type="radio" name="leadUnitId" value={unit.id} checked={unit.id === form.leadUnitId} />{' '}
                牵头
              </label>
              <label>
                <input type="checkbox" name="coUnitIds" value={unit.id} checked={co.has(unit.id)} /> 配合
              </label>
              <span>{unit.name}</span>
              <small>{KIND_LABELS[unit.kind]}</small>
            </div>
          ))}
        </div>
      </fieldset>
      <p>
        <button type="submit">创建并交办</button>
      </p>
      {FILTER_SCRIPT}
    </form>
  );
};
