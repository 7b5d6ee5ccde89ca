import type { FC } from 'hono/jsx';
import type { Principal } from '../../shared/auth/principal.js';
import { decide } from '../../shared/domain/access/policy.js';
import { MAX_MILESTONES, milestoneText } from '../../shared/domain/duty/milestones.js';
import { type Duty, type SetMilestonesInput, SetMilestonesSchema } from '../../shared/schemas/duties.js';
import { ErrorSummary, fieldHelpers, InlineText, type SummaryField } from './fields.js';
import { FormKey, newFormKey } from './form-key.js';
import {
  type FieldErrors,
  type FormFields,
  fromZod,
  one,
  optional,
  versionOf,
  wholeOrText,
} from './forms.js';
import { Csrf } from './layout.js';
import type { Failed } from './routes/duty-page-view.js';

/** Blank milestone rows after those already set (and never fewer rows than this in all). */
const BLANK_ROWS = 2;
const MIN_ROWS = 4;

/** One row of the milestone form as typed: a date, a planned percentage, a step's name. */
export interface MilestoneRow {
  date: string;
  percent: string;
  name: string;
}

/** The milestone form came back with problems: what was typed, and the problems by on-screen row. */
export interface MilestoneFailed {
  form: 'milestones';
  errors: FieldErrors;
  values: MilestoneRow[];
}

/** Who may do what with a duty's milestones: the office sets and approves, the owning unit proposes. */
export function milestoneRight(p: Principal | undefined, duty: Duty): 'set' | 'propose' | null {
  if (p === undefined || duty.status !== 'open') return null;
  const owner = { ownerUnitId: duty.unitId };
  // The service's own split: the office's word takes effect, the owning unit's waits for approval.
  if (p.role === 'office') return decide(p, 'duty.review', owner).allowed ? 'set' : null;
  return decide(p, 'duty.submit', owner).allowed ? 'propose' : null;
}

const withBlanks = (rows: MilestoneRow[]): MilestoneRow[] => [
  ...rows,
  ...Array.from({ length: Math.max(BLANK_ROWS, MIN_ROWS - rows.length) }, () => ({
    date: '',
    percent: '',
    name: '',
  })),
];

/** The form's rows to start from: the proposal the reader would act on, else what is in effect. */
function startRows(duty: Duty, right: 'set' | 'propose'): MilestoneRow[] {
  const shown =
    right === 'propose' && duty.milestoneProposal != null
      ? duty.milestoneProposal.milestones
      : (duty.milestones ?? []);
  return withBlanks(shown.map((m) => ({ date: m.date, percent: String(m.percent), name: m.name ?? '' })));
}

const FIELD_LABELS: Record<string, string> = { date: '日期', percent: '计划进度', name: '步骤名称' };

/** Where each field of the milestone form is, for the error summary's links. */
function milestoneField(field: string): SummaryField | undefined {
  const m = /^milestones\.(\d+)\.(date|percent|name)$/.exec(field);
  if (m === null) return undefined;
  return { label: `第 ${Number(m[1]) + 1} 行${FIELD_LABELS[m[2] ?? ''] ?? ''}`, id: field };
}

/**
 * In the 序时进度 section: the office's form to set milestones (and 批准 for a pending proposal),
 * or the owning unit's form to propose them; nothing for anyone else.
 */
export const MilestoneForms: FC<{
  duty: Duty;
  principal: Principal | undefined;
  csrfToken: string;
  failed?: Failed | undefined;
}> = ({ duty, principal, csrfToken, failed }) => {
  const right = milestoneRight(principal, duty);
  if (right === null) return null;
  const mine = failed?.form === 'milestones' ? failed : undefined;
  const rows = mine?.values ?? startRows(duty, right);
  const errors = mine?.errors;
  const { err, invalid } = fieldHelpers(errors);
  const title = right === 'set' ? '设置里程碑' : '提出里程碑(待办公室批准)';
  return (
    <section class="card" id="milestones" data-milestone-form={right}>
      {right === 'set' && duty.milestoneProposal != null && (
        <form method="post" action={`/duties/${duty.id}/milestones/approve`} class="row">
          <Csrf token={csrfToken} />
          <FormKey value={newFormKey()} />
          <input type="hidden" name="version" value={String(duty.version)} />
          <span>责任单位提出:{duty.milestoneProposal.milestones.map(milestoneText).join(';')}</span>
          <button type="submit">批准</button>
        </form>
      )}
      <ErrorSummary errors={errors} title="里程碑未保存,请修改以下问题" fieldOf={milestoneField} />
      <form method="post" action={`/duties/${duty.id}/milestones`} novalidate data-form="milestones">
        <Csrf token={csrfToken} />
        <FormKey value={newFormKey()} />
        <input type="hidden" name="version" value={String(duty.version)} />
        <strong>{title}</strong>
        <p class="muted">
          每行一个里程碑:日期(当天结束时)和计划进度;也可只写步骤名称不填进度(按步骤平均)。空行不计。
        </p>
        {err('milestones')}
        {err('version')}
        {rows.map((row, i) => (
          <div class="row" data-milestone-row={String(i)}>
            <span>
              <input
                type="date"
                id={`milestones.${i}.date`}
                name={`milestones.${i}.date`}
                value={row.date}
                aria-label={`第 ${i + 1} 行日期`}
                class={invalid(`milestones.${i}.date`)}
              />
              {err(`milestones.${i}.date`)}
            </span>
            <span>
              <input
                type="number"
                id={`milestones.${i}.percent`}
                name={`milestones.${i}.percent`}
                min="0"
                max="100"
                step="1"
                value={row.percent}
                placeholder="计划进度 %"
                aria-label={`第 ${i + 1} 行计划进度(%)`}
                class={invalid(`milestones.${i}.percent`)}
              />
              {err(`milestones.${i}.percent`)}
            </span>
            <InlineText
              id={`milestones.${i}.name`}
              name={`milestones.${i}.name`}
              value={row.name}
              maxlength={100}
              placeholder="步骤名称(可选)"
              label={`第 ${i + 1} 行步骤名称`}
              errors={errors}
            />
          </div>
        ))}
        <p>
          <button type="submit">{right === 'set' ? '保存里程碑' : '提出里程碑'}</button>
        </p>
      </form>
    </section>
  );
};

/**
 * The milestone form as posted: every row as typed (blank rows kept, so a reshown form keeps its
 * layout), and the input of the non-blank rows — or the problems, each under its on-screen row.
 */
export function milestoneFormFrom(form: FormFields): {
  values: MilestoneRow[];
  /** The on-screen row of each milestone given, in order (to place a service's problems). */
  given: { at: number }[];
} & ({ input: SetMilestonesInput } | { errors: FieldErrors }) {
  const indexes = [...form.keys()].flatMap((name) => {
    const m = /^milestones\.(\d{1,3})\./.exec(name);
    return m === null ? [] : [Number(m[1])];
  });
  const count = Math.min(Math.max(0, ...indexes.map((i) => i + 1)), MAX_MILESTONES + MIN_ROWS);
  const values = Array.from(
    { length: count },
    (_, i): MilestoneRow => ({
      date: one(form, `milestones.${i}.date`).trim(),
      percent: one(form, `milestones.${i}.percent`).trim(),
      name: one(form, `milestones.${i}.name`),
    }),
  );
  const given = values
    .map((row, at) => ({ row, at }))
    .filter(({ row }) => row.date !== '' || row.percent !== '' || row.name.trim() !== '');
  const parsed = SetMilestonesSchema.safeParse({
    milestones: given.map(({ row }) => ({
      date: row.date,
      percent: row.percent === '' ? undefined : wholeOrText(row.percent),
      name: optional(row.name),
    })),
    version: versionOf(one(form, 'version')),
  });
  if (parsed.success) return { values, given, input: parsed.data };
  const errors = onScreen(fromZod(parsed.error), given);
  if (given.length === 0) errors.milestones = '请至少填写一行里程碑';
  return { values, given, errors };
}

/** Problems named by the index among given rows, renamed by the row they are on screen. */
export function onScreen(errors: FieldErrors, given: readonly { at: number }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const m = /^milestones\.(\d+)\.(.*)$/.exec(field);
    const at = m === null ? undefined : given[Number(m[1])]?.at;
    out[at === undefined ? field : `milestones.${at}.${m?.[2] ?? ''}`] = message;
  }
  return out;
}
