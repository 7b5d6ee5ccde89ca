import type { FC } from 'hono/jsx';
import type { Principal } from '../../../shared/auth/principal.js';
import { decide } from '../../../shared/domain/access/policy.js';
import { DUTY_STATUS_LABELS } from '../../../shared/domain/duty/duty-status.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { Instruction, TaskOrigin } from '../../../shared/schemas/instructions.js';
import type { Unit } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/deps.js';
import { ancestorsIn } from '../duty-parts.js';
import { ErrorSummary, type SummaryField, TextArea } from '../fields.js';
import { FormKey, newFormKey } from '../form-key.js';
import { dateTime } from '../format.js';
import { errorsUnder, type FieldErrors } from '../forms.js';
import { Csrf, FieldError } from '../layout.js';

/** What the 批示 form carried back when it was refused. */
export interface InstructionValues {
  text: string;
  signedBy: string;
  signedOn: string;
}

/** What the 转办 form carried back when it was refused. */
export interface HandOffValues {
  unitIds: string[];
  note: string;
}

/** A refused 批示 or 转办 form: its problems by field, and what was typed. */
export type ExtraFailed =
  | { form: 'instruction'; errors: FieldErrors; values: InstructionValues }
  | { form: 'handoff'; errors: FieldErrors; values: HandOffValues };

const INSTRUCTION_FIELDS: Record<string, SummaryField> = {
  text: { label: '批示内容', id: 'instruct-text' },
  signedBy: { label: '批示人', id: 'instruct-by' },
  signedOn: { label: '批示日期', id: 'instruct-on' },
};
const HANDOFF_FIELDS: Record<string, SummaryField> = {
  unitIds: { label: '下级单位', id: 'handoff-units' },
  note: { label: '转办要求', id: 'handoff-note' },
  dueAt: { label: '截止时间', id: 'handoff-units' },
};
/** `unitIds.2` is a problem of the unit boxes as a whole: one field on the page. */
const fieldIn = (fields: Record<string, SummaryField>) => (field: string) => {
  const top = field.split('.')[0] ?? field;
  return Object.hasOwn(fields, top) ? fields[top] : undefined;
};

/** The problems of a refused 批示 or 转办 form at the top of the duty's page, focused (as the submit form's). */
export const ExtraErrorSummary: FC<{ failed: ExtraFailed | undefined }> = ({ failed }) =>
  failed === undefined ? null : failed.form === 'instruction' ? (
    <ErrorSummary
      errors={failed.errors}
      title="批示未发出,请修改以下问题"
      fieldOf={fieldIn(INSTRUCTION_FIELDS)}
    />
  ) : (
    <ErrorSummary errors={failed.errors} title="未能转办,请修改以下问题" fieldOf={fieldIn(HANDOFF_FIELDS)} />
  );

/** What a duty's page shows of 领导批示, 转办 and the printable forms, and which forms it offers. */
export interface DutyExtrasData {
  duty: Duty;
  timeZone: string;
  now: Date;
  units: Map<string, Unit>;
  origin: TaskOrigin | null;
  instructions: Instruction[];
  /** The duties this one was passed down to, as they stand now. */
  handedTo: Duty[];
  canInstruct: boolean;
  /** The units directly below the holder it may still pass the duty to (empty: no 转办 form). */
  handOffTo: Unit[];
  /** The holder has units below and has passed the duty to every one of them (已全部转办). */
  allHandedOff: boolean;
  /** Readers of every duty (office, leaders) print the 督办单. */
  canPrintTask: boolean;
}

/** Reads what the extras show: the instructions (one Query) and the children passed down (by id). */
export async function loadDutyExtras(
  deps: AppDeps,
  p: Principal,
  data: {
    duty: Duty;
    timeZone: string;
    now: Date;
    units: Map<string, Unit>;
    task?:
      | { fromInstruction?: TaskOrigin | null | undefined; instructionCount?: number | undefined }
      | undefined;
  },
): Promise<DutyExtrasData> {
  const { duty, units } = data;
  const handedIds = (duty.handedTo ?? []).map((h) => h.dutyId);
  const [instructions, handed] = await Promise.all([
    // A task counts its instructions: without any, nothing to read.
    (data.task?.instructionCount ?? 0) === 0
      ? []
      : deps.instructions.forDuty(p, duty.id, { duty, ownerAncestors: ancestorsIn(units, duty.unitId) }),
    handedIds.length === 0 ? new Map<string, Duty>() : deps.duties.getMany(p, handedIds, data.now),
  ]);
  const holds = duty.status === 'open' && decide(p, 'duty.handoff', { ownerUnitId: duty.unitId }).allowed;
  // A returned duty keeps what it passed down: offer only the units not yet handed it.
  const below = holds ? [...units.values()].filter((u) => u.parentId === duty.unitId && u.active) : [];
  const handOffTo = below.filter((u) => !(duty.handedTo ?? []).some((h) => h.unitId === u.id));
  return {
    ...data,
    origin: data.task?.fromInstruction ?? null,
    instructions,
    handedTo: handedIds.flatMap((id) => {
      const d = handed.get(id);
      return d === undefined ? [] : [d];
    }),
    canInstruct: decide(p, 'instruction.write').allowed,
    handOffTo,
    allHandedOff: below.length > 0 && handOffTo.length === 0,
    canPrintTask: decide(p, 'duty.read').allowed,
  };
}

/** At the top of a duty's page: the leaders' 批示, what was passed down and the print links; the two forms further down. */
export const DutyExtras: FC<{ extras: DutyExtrasData }> = ({ extras }) => {
  const { duty, timeZone: tz, now, units, origin, instructions, handedTo } = extras;
  const name = (id: string) => units.get(id)?.name ?? id;
  return (
    <>
      {(origin !== null || instructions.length > 0) && (
        <section class="card" id="instructions" aria-label="领导批示">
          <h2>领导批示</h2>
          {origin !== null && (
            <p style="white-space:pre-wrap">
              <strong>立项批示</strong> {origin.signedBy}({origin.signedOn}):{origin.text}
            </p>
          )}
          {instructions.map((i) => (
            <p style="white-space:pre-wrap" data-instruction={i.id}>
              <strong>{i.signedBy}</strong>({i.signedOn}){i.dutyId === null ? '〔整项任务〕' : ''}:{i.text}
            </p>
          ))}
        </section>
      )}
      {duty.handedOffFrom && (
        <p class="card">
          本任务由{name(duty.handedOffFrom.unitId)}转办,提交后由其确认汇总。
          {duty.handedOffFrom.note !== '' && (
            <span style="white-space:pre-wrap">转办要求:{duty.handedOffFrom.note}</span>
          )}
        </p>
      )}
      {handedTo.length > 0 && (
        <section class="card" id="handed-to" aria-label="已转办">
          <h2>
            转办下级({handedTo.filter((d) => d.status !== 'open').length}/{handedTo.length} 已报送)
          </h2>
          <p class="muted">已转办给下列下级单位,全部提交后方可汇总提交。</p>
          <ul>
            {handedTo.map((d) => (
              <li>
                <a href={`/duties/${d.id}`}>{name(d.unitId)}</a>:{DUTY_STATUS_LABELS[d.status]}
                {d.overdue ? '(已逾期)' : ''} · 截止 {dateTime(d.dueAt, tz, now)}
                {d.submission !== null && ` · ${d.submission.note}`}
              </li>
            ))}
          </ul>
        </section>
      )}
      <p class="row" data-print-links="">
        {extras.canPrintTask && <a href={`/print/plans/${duty.planId}/tasks/${duty.taskId}`}>打印督办单</a>}
        {duty.overdue && <a href={`/print/duties/${duty.id}/reminder`}>打印催办单</a>}
        {duty.status === 'accepted' && <a href={`/print/duties/${duty.id}/completion`}>打印办结单</a>}
      </p>
    </>
  );
};

/** The 批示 and 转办 forms, for those who may use them (placed after the duty's own actions). */
export const DutyExtraForms: FC<{
  extras: DutyExtrasData;
  csrfToken: string;
  failed?: ExtraFailed | undefined;
}> = ({ extras, csrfToken, failed }) => {
  const { duty } = extras;
  const handoff = failed?.form === 'handoff' ? failed : undefined;
  const instruction = failed?.form === 'instruction' ? failed : undefined;
  const chosen = new Set(handoff?.values.unitIds ?? []);
  const unitErrors = [...errorsUnder(handoff?.errors, 'unitIds'), ...errorsUnder(handoff?.errors, 'dueAt')];
  const said = (name: string) => errorsUnder(instruction?.errors, name);
  return (
    <>
      {extras.handOffTo.length > 0 && (
        <>
          <h2 id="handoff">转办给下级单位</h2>
          <form method="post" action={`/duties/${duty.id}/handoffs`} class="card">
            <Csrf token={csrfToken} />
            <FormKey value={newFormKey()} />
            <fieldset id="handoff-units" class={unitErrors.length > 0 ? 'invalid' : undefined}>
              <legend>选择下级单位(各自办理,本单位确认后汇总提交)</legend>
              {extras.handOffTo.map((u) => (
                <label class="row">
                  <input type="checkbox" name="unitIds" value={u.id} checked={chosen.has(u.id)} /> {u.name}
                </label>
              ))}
            </fieldset>
            <FieldError messages={unitErrors} />
            <TextArea
              id="handoff-note"
              name="note"
              value={handoff?.values.note ?? ''}
              label="转办要求(可选)"
              maxlength={2000}
              errors={handoff?.errors}
            />
            <button type="submit">转办</button>
          </form>
        </>
      )}
      {extras.allHandedOff && (
        <>
          <h2 id="handoff">转办给下级单位</h2>
          <p class="card" data-all-handed-off="">
            已全部转办:本单位的下级单位均已转办(见上方“转办下级”),无需再次转办。
          </p>
        </>
      )}
      {extras.canInstruct && (
        <>
          <h2 id="instruct">批示</h2>
          <form method="post" action={`/duties/${duty.id}/instructions`} class="card">
            <Csrf token={csrfToken} />
            <FormKey value={newFormKey()} />
            <TextArea
              id="instruct-text"
              name="text"
              value={instruction?.values.text ?? ''}
              label="批示内容"
              maxlength={1000}
              errors={instruction?.errors}
            />
            <label class="f" for="instruct-by">
              批示人(可选,如“王县长”)
            </label>
            <input
              id="instruct-by"
              name="signedBy"
              maxlength={40}
              value={instruction?.values.signedBy ?? ''}
              class={said('signedBy').length > 0 ? 'invalid' : undefined}
            />
            <FieldError messages={said('signedBy')} />
            <label class="f" for="instruct-on">
              批示日期(可选,默认今天)
            </label>
            <input
              id="instruct-on"
              name="signedOn"
              type="date"
              value={instruction?.values.signedOn ?? ''}
              class={said('signedOn').length > 0 ? 'invalid' : undefined}
            />
            <FieldError messages={said('signedOn')} />
            <button type="submit">发出批示</button>
          </form>
        </>
      )}
    </>
  );
};
