import type { FC, PropsWithChildren } from 'hono/jsx';
import { currentPhase } from '../../shared/domain/plan/phases.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { shortDate } from './format.js';
import { errorsUnder, type FieldErrors } from './forms.js';
import { FieldError } from './layout.js';

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

interface TextProps {
  name: string;
  value: string;
  maxlength?: number;
  errors: FieldErrors | undefined;
}

/** A one-line text input inside a row of controls, named by its aria-label, its problems under it. */
export const InlineText: FC<TextProps & { placeholder: string; label: string }> = ({
  name,
  value,
  placeholder,
  label,
  maxlength,
  errors,
}) => (
  <span>
    <input
      type="text"
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

/** A due date and an optional time (`dueDate`, `dueTime`), both marked by the problems of `dueAt`. */
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
      {timeLabel} <input type="time" name="dueTime" value={time} class={invalidClass(errors, 'dueAt')} />
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
