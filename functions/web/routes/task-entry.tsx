import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { ForbiddenError } from '../../../shared/errors.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { type CreateTaskInput, CreateTaskSchema } from '../../../shared/schemas/tasks.js';
import type { Unit } from '../../../shared/schemas/units.js';
import { assignEach } from '../../../shared/services/assign-each.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId, unitDirectory, type WebContext } from '../context.js';
import {
  DueInputs,
  defaultPhaseKey,
  ErrorSummary,
  fieldHelpers,
  PhaseSelect,
  type SummaryField,
  TextArea,
  TextLine,
} from '../fields.js';
import { FormKey, formKeyOf, newFormKey, oncePerForm } from '../form-key.js';
import {
  dueAtFrom,
  type FieldErrors,
  fromServiceError,
  fromZod,
  many,
  one,
  optional,
  readForm,
} from '../forms.js';
import { Csrf, Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';
import { type PlanFormProps, UnitFilterScript, UnitPicker } from '../unit-tree.js';
import { ImportForm } from './task-import.js';

const WEEKDAY_NAMES = ['一', '二', '三', '四', '五', '六', '日'];

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
  /** Days before its week that a report may be filed (the rule's leadDays), as typed. */
  leadDays: string;
  leadUnitId: string;
  coUnitIds: string[];
  bulk: boolean;
  /** One per rendered form: a double submission creates the task once. */
  formKey: string;
}

const blankForm = (plan: Plan, now: Date): TaskForm => ({
  title: '',
  description: '',
  phaseKey: defaultPhaseKey(plan, now),
  kind: 'task',
  dueDate: '',
  dueTime: '',
  repeat: false,
  weekdays: ['5'],
  repeatTime: '12:00',
  holidayShift: true,
  leadDays: '0',
  leadUnitId: '',
  coUnitIds: [],
  bulk: false,
  formKey: newFormKey(),
});

/** The due time as the service reads it: a date alone is the end of that day in the plan's zone. */
function dueAtOf(form: TaskForm, plan: Plan, errors: FieldErrors): string | undefined {
  if (form.repeat) return undefined;
  return dueAtFrom(
    form.dueDate,
    form.dueTime,
    plan.timezone,
    errors,
    'dueAt',
    '请填写截止日期(或选择每周重复)',
  );
}

/** A task id as the redirect after a creation carries it. */
const CREATED_ID = /^[a-z0-9-]{1,140}$/;

/** Task entry (任务录入): one task for a lead unit and co-units, or the same task for each unit. */
export function taskEntryPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function load(c: WebContext) {
    const p = c.get('principal');
    const planId = pathId(c, 'planId', '工作方案');
    if (!decide(p, 'task.create').allowed) throw new ForbiddenError('只有领导小组办公室可以录入任务');
    const [plan, units] = await Promise.all([deps.plans.get(p, planId), unitDirectory(deps, p)]);
    return { plan, units: [...units.values()].filter((u) => u.active) };
  }

  async function show(c: WebContext, plan: Plan, units: Unit[], form: TaskForm, errors?: FieldErrors) {
    // After a creation the page says where the new work is: the task itself, or the ledger.
    const created = c.req.query('task') ?? '';
    const ok = c.req.query('ok');
    return c.html(
      <Page title="任务录入" chrome={chromeOf(c, { active: 'tasks', planId: plan.id })}>
        <h1>任务录入 · {plan.title}</h1>
        {errors === undefined && ok === 'task' && CREATED_ID.test(created) && (
          <p>
            <a href={`/plans/${plan.id}/ledger/${created}`}>查看刚交办的任务和各单位办理情况</a>
          </p>
        )}
        {errors === undefined && ok === 'tasks' && (
          <p>
            <a href={`/plans/${plan.id}/ledger`}>在任务台账中查看刚交办的任务</a>
          </p>
        )}
        <TaskFormView plan={plan} units={units} form={form} errors={errors} csrfToken={c.get('csrfToken')} />
        <ImportForm planId={plan.id} csrfToken={c.get('csrfToken')} />
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
      leadDays: one(f, 'leadDays').trim(),
      leadUnitId: one(f, 'leadUnitId'),
      coUnitIds: many(f, 'coUnitIds'),
      bulk: one(f, 'bulk') === '1',
      formKey: formKeyOf(f),
    };
    const errors: FieldErrors = {};
    const targets = [...new Set([form.leadUnitId, ...form.coUnitIds].filter((id) => id !== ''))];
    if (form.bulk ? targets.length === 0 : form.leadUnitId === '') {
      errors.leadUnitId = form.bulk ? '请至少选择一个单位' : '请选择牵头单位';
    }
    const dueAt = dueAtOf(form, plan, errors);
    // A whole number goes to the schema, which checks its range; anything else is said here.
    const leadDays =
      form.leadDays === '' ? undefined : /^\d{1,3}$/.test(form.leadDays) ? Number(form.leadDays) : null;
    if (form.repeat && leadDays === null) errors['recurrence.leadDays'] = '提前报送天数应为 0 至 30 的整数';
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
            ...(typeof leadDays === 'number' ? { leadDays } : {}),
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

    return oncePerForm(deps, c, f, async () => {
      if (form.bulk) {
        // One operation with task ids fixed by this form's key: a retry creates only what is missing.
        const { leadUnitId: _lead, coUnitIds: _co, ...each } = inputs[0] as CreateTaskInput;
        try {
          const done = await assignEach(deps.plans, p, plan.id, each, targets, form.formKey, deps.clock());
          return `/plans/${plan.id}/tasks/new?ok=tasks&n=${done.tasks.length}`;
        } catch (err) {
          const fields = fromServiceError(err);
          if (fields === undefined) throw err;
          return show(c, plan, units, form, fields);
        }
      }
      let duties = 0;
      let taskId = '';
      for (const [i, input] of inputs.entries()) {
        try {
          const task = await deps.plans.createTask(p, plan.id, input, deps.clock());
          duties += task.duties.length;
          taskId = task.id;
        } catch (err) {
          const fields = fromServiceError(err);
          if (fields === undefined) throw err;
          if (i > 0) fields['(root)'] = `已为前 ${i} 个单位创建任务;以下问题使其余单位未能创建`;
          return show(c, plan, units, form, fields);
        }
      }
      const query = form.bulk ? `ok=tasks&n=${inputs.length}` : `ok=task&n=${duties}&task=${taskId}`;
      return `/plans/${plan.id}/tasks/new?${query}`;
    });
  });

  return app;
}

/** Where each field of the task form is, for the error summary's links. */
function taskField(field: string): SummaryField | undefined {
  const head = field.split('.')[0] ?? field;
  const places: Record<string, SummaryField> = {
    title: { label: '任务名称', id: 'title' },
    description: { label: '工作要求', id: 'description' },
    phaseKey: { label: '所属阶段', id: 'phaseKey' },
    kind: { label: '任务类型', id: 'title' },
    dueAt: { label: '截止时间', id: 'due' },
    recurrence: { label: '每周重复', id: 'due' },
    leadUnitId: { label: '牵头单位', id: 'units' },
    coUnitIds: { label: '配合单位', id: 'units' },
  };
  return Object.hasOwn(places, head) ? places[head] : undefined;
}

const TaskFormView: FC<PlanFormProps<TaskForm>> = ({ plan, units, form, errors, csrfToken }) => {
  const co = new Set(form.coUnitIds);
  const { err, invalid } = fieldHelpers(errors);
  return (
    <form method="post" action={`/plans/${plan.id}/tasks`} class="card" novalidate>
      <Csrf token={csrfToken} />
      <FormKey value={form.formKey} />
      {err('(root)')}
      <ErrorSummary errors={errors} title="未能创建,请按提示修改后重新提交" fieldOf={taskField} />
      <TextLine name="title" label="任务名称" value={form.title} maxlength={200} errors={errors} />
      <TextArea
        id="description"
        name="description"
        label="工作要求(可选)"
        value={form.description}
        errors={errors}
      />
      <div class="grid2">
        <div>
          <PhaseSelect plan={plan} value={form.phaseKey} errors={errors} />
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
      <fieldset class="card" id="due">
        <legend>截止时间</legend>
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
            <input type="time" name="repeatTime" value={form.repeatTime} class={invalid('recurrence.time')} />{' '}
            前
          </label>
          <label>
            <input type="checkbox" name="holidayShift" value="1" checked={form.holidayShift} />{' '}
            遇节假日提前到前一个工作日
          </label>
          <label>
            本周开始前最多提前{' '}
            <input
              type="number"
              name="leadDays"
              min="0"
              max="30"
              value={form.leadDays}
              class={invalid('recurrence.leadDays')}
              style="width:4em"
            />{' '}
            天报送
          </label>
        </div>
        {err('recurrence.leadDays')}
        {err('recurrence')}
      </fieldset>
      <fieldset class="card" id="units">
        <legend>责任单位</legend>
        <p class="muted">
          选一个“牵头”单位,再勾选“配合”单位:每个单位各生成一条任务。勾选“分别交办”则为每个所选单位各建一条同样的任务(各自牵头)。
        </p>
        <label>
          <input type="checkbox" name="bulk" value="1" checked={form.bulk} /> 分别交办(批量)
        </label>
        {err('leadUnitId')}
        {err('coUnitIds')}
        <UnitPicker
          units={units}
          placeholder="按名称或拼音首字母筛选,如 xc 或 乡"
          row={(unit) => (
            <>
              <label>
                <input type="radio" name="leadUnitId" value={unit.id} checked={unit.id === form.leadUnitId} />{' '}
                牵头
              </label>
              <label>
                <input type="checkbox" name="coUnitIds" value={unit.id} checked={co.has(unit.id)} /> 配合
              </label>
              <span>{unit.name}</span>
            </>
          )}
        />
      </fieldset>
      <p>
        <button type="submit">创建并交办</button>
      </p>
      {UnitFilterScript}
    </form>
  );
};
