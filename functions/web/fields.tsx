import { raw } from 'hono/html';
import type { FC, PropsWithChildren } from 'hono/jsx';
import { EVIDENCE_CONTENT_TYPES, EVIDENCE_MAX_BYTES } from '../../shared/domain/evidence/limits.js';
import { currentPhase } from '../../shared/domain/plan/phases.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { shortDate } from './format.js';
import { errorsUnder, type FieldErrors, TIME_FORMAT_PROBLEM } from './forms.js';
import { FieldError } from './layout.js';
import { EVIDENCE_UPLOAD_JS } from './page-headers.js';

/** `invalid` (the field's red border) when `name` or anything under it has a problem. */
export const invalidClass = (errors: FieldErrors | undefined, name: string): string | undefined =>
  errorsUnder(errors, name).length > 0 ? 'invalid' : undefined;

/** A form's two helpers: the messages shown under a field, and the class of a field with a problem. */
export function fieldHelpers(errors: FieldErrors | undefined) {
  return {
    err: (name: string) => <FieldError messages={errorsUnder(errors, name)} />,
    invalid: (name: string) => invalidClass(errors, name),
  };
}

/** The alert above a form (or a list of forms) that came back with problems. */
export const RetryAlert: FC<PropsWithChildren> = ({ children }) => (
  <p class="flash err" role="alert">
    {children}
  </p>
);

/** Where a field of a form is on the page: its name in words, and the id the summary links to. */
export interface SummaryField {
  label: string;
  id: string;
}

/**
 * The problems of a form that came back, at the top of the page where it is seen at once: an alert
 * that takes the focus on load (no script), each problem linking to its field, which also says it
 * under itself. `fieldOf` places a field (undefined: a problem of the whole form, said without a link).
 */
export const ErrorSummary: FC<{
  errors: FieldErrors | undefined;
  title: string;
  fieldOf: (field: string) => SummaryField | undefined;
}> = ({ errors, title, fieldOf }) => {
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0) return null;
  return (
    <div class="flash err summary" role="alert" tabindex={-1} autofocus id="error-summary">
      <strong>
        {title}(共 {entries.length} 处)
      </strong>
      <ul>
        {entries.map(([field, message]) => {
          const place = fieldOf(field);
          return (
            <li>
              {place === undefined ? (
                message
              ) : (
                <a href={`#${place.id}`}>
                  {place.label}:{message}
                </a>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
};

interface TextProps {
  name: string;
  value: string;
  maxlength?: number;
  errors: FieldErrors | undefined;
}

/** A one-line text input inside a row of controls, named by its aria-label, its problems under it. */
export const InlineText: FC<TextProps & { placeholder: string; label: string; id?: string }> = ({
  name,
  value,
  placeholder,
  label,
  maxlength,
  errors,
  id,
}) => (
  <span>
    <input
      type="text"
      id={id}
      name={name}
      value={value}
      placeholder={placeholder}
      aria-label={label}
      maxlength={maxlength}
      class={invalidClass(errors, name)}
    />
    <FieldError messages={errorsUnder(errors, name)} />
  </span>
);

/** A labelled one-line text field of a card form (its id is its name). */
export const TextLine: FC<TextProps & { label: string; placeholder?: string }> = ({
  name,
  value,
  label,
  placeholder,
  maxlength,
  errors,
}) => (
  <>
    <label class="f" for={name}>
      {label}
    </label>
    <input
      type="text"
      id={name}
      name={name}
      value={value}
      maxlength={maxlength}
      placeholder={placeholder}
      class={invalidClass(errors, name)}
    />
    <FieldError messages={errorsUnder(errors, name)} />
  </>
);

/** A labelled text area of a card form. */
export const TextArea: FC<TextProps & { id: string; label: string }> = ({
  id,
  name,
  value,
  label,
  maxlength,
  errors,
}) => (
  <>
    <label class="f" for={id}>
      {label}
    </label>
    <textarea id={id} name={name} maxlength={maxlength} class={invalidClass(errors, name)}>
      {value}
    </textarea>
    <FieldError messages={errorsUnder(errors, name)} />
  </>
);

/**
 * A due date and an optional time (`dueDate`, `dueTime`): the date is marked by any problem of
 * `dueAt`, the optional time only when the time itself is malformed.
 */
export const DueInputs: FC<{
  dateLabel: string;
  timeLabel: string;
  date: string;
  time: string;
  errors: FieldErrors | undefined;
}> = ({ dateLabel, timeLabel, date, time, errors }) => (
  <>
    <label>
      {dateLabel} <input type="date" name="dueDate" value={date} class={invalidClass(errors, 'dueAt')} />
    </label>
    <label>
      {timeLabel}{' '}
      <input
        type="time"
        name="dueTime"
        value={time}
        class={errors?.dueAt === TIME_FORMAT_PROBLEM ? 'invalid' : undefined}
      />
    </label>
  </>
);

/** The plan's phase in force now, else its first: what a new task or finding belongs to unless changed. */
export const defaultPhaseKey = (plan: Plan, now: Date): string =>
  currentPhase(plan.phases, now, plan.timezone)?.key ?? plan.phases[0]?.key ?? '';

/** 所属阶段: the plan's phases with their dates. */
export const PhaseSelect: FC<{ plan: Plan; value: string; errors: FieldErrors | undefined }> = ({
  plan,
  value,
  errors,
}) => (
  <>
    <label class="f" for="phaseKey">
      所属阶段
    </label>
    <select id="phaseKey" name="phaseKey" class={invalidClass(errors, 'phaseKey')}>
      {plan.phases.map((ph) => (
        <option value={ph.key} selected={ph.key === value}>
          {`${ph.name}(${shortDate(ph.start)}–${ph.end ? shortDate(ph.end) : '待定'})`}
        </option>
      ))}
    </select>
    <FieldError messages={errorsUnder(errors, 'phaseKey')} />
  </>
);

const EVIDENCE_SPECS = Object.values(EVIDENCE_CONTENT_TYPES);

/** What the file input of an evidence row takes, in words and as its `accept` list. */
export const EVIDENCE_UPLOAD_LIMITS = `单个文件不超过 ${EVIDENCE_MAX_BYTES / 1024 / 1024} MiB;可上传 ${[
  ...new Set(EVIDENCE_SPECS.map((spec) => spec.label)),
].join('、')}`;
const ACCEPT = EVIDENCE_SPECS.flatMap((spec) => spec.extensions.map((ext) => `.${ext}`)).join(',');

/**
 * An evidence row's file input, its limits and where its outcome (已上传, or why not) is said.
 * Hidden until `EvidenceUploadScript` shows it: without the script the row is typed by hand. The
 * input has no name, so the form never posts a file.
 */
export const EvidenceFileInput: FC<{ row: number }> = ({ row }) => (
  <p class="row" data-up={String(row)} style="display:none;grid-column:1/-1;margin:0 0 .4rem">
    <input type="file" accept={ACCEPT} aria-label={`佐证资料 ${row + 1} 上传文件`} />
    <small>{EVIDENCE_UPLOAD_LIMITS}</small>
    <span role="status" aria-live="polite" />
  </p>
);

/** The upload script of the evidence rows (allowed by its hash in the CSP), once at the end of the form. */
export const EvidenceUploadScript = raw(`<script>${EVIDENCE_UPLOAD_JS}</script>`);
