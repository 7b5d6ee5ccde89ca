import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { isValidIsoDate, zonedToInstant } from '../../shared/domain/time/zoned-time.js';
import { AppError, type FieldProblem, ValidationError } from '../../shared/errors.js';

/** A submitted form: each name with its values in order (checkbox groups have several). */
export type FormFields = Map<string, string[]>;

/** Field path (as zod and the services name it, e.g. `coUnitIds.2`) → a Chinese message. */
export type FieldErrors = Record<string, string>;

/** Reads an urlencoded or multipart form; files are ignored (evidence is given as references). */
export async function readForm(c: Context): Promise<FormFields> {
  const body = await c.req.parseBody({ all: true });
  const form: FormFields = new Map();
  for (const [name, value] of Object.entries(body)) {
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    form.set(name, values);
  }
  return form;
}

/** The first value of `name`, or '' when absent. */
export const one = (form: FormFields, name: string): string => form.get(name)?.[0] ?? '';

/** Every value of `name`. */
export const many = (form: FormFields, name: string): string[] => form.get(name) ?? [];

/** '' becomes undefined, so an empty optional input is "not given", as the schemas expect. */
export const optional = (value: string): string | undefined => (value.trim() === '' ? undefined : value);

/** Field problems (as the services report them) by field, the first message for each. */
export function fromProblems(problems: readonly FieldProblem[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const p of problems) errors[p.field] ??= p.message;
  return errors;
}

/**
 * Zod's issues as field errors. The messages are already Chinese (see shared/schemas/common.ts);
 * only zod's generic length messages ("数值过小:期望 string >=1 字符"), written for programmers,
 * are said the way a form says them.
 */
export function fromZod(error: ZodError): FieldErrors {
  return fromProblems(
    error.issues.map((issue) => {
      let message = issue.message;
      if (issue.code === 'too_small' && issue.origin === 'string') {
        message = Number(issue.minimum) <= 1 ? '此项必须填写' : `至少 ${issue.minimum} 个字`;
      } else if (issue.code === 'too_big' && issue.origin === 'string') {
        message = `最多 ${issue.maximum} 个字`;
      }
      return { field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)', message };
    }),
  );
}

/** A service's 400 as field errors, or undefined for any other error (which the caller rethrows). */
export function fromServiceError(err: unknown): FieldErrors | undefined {
  // A conflict about one field's value (a closed phase) belongs next to that field too.
  const field = err instanceof AppError && err.status === 409 ? conflictField(err.details) : undefined;
  if (err instanceof AppError && field !== undefined) return { [field]: err.message };
  if (!(err instanceof ValidationError)) return undefined;
  const details = err.details;
  const fields =
    typeof details === 'object' && details !== null && 'fields' in details ? details.fields : undefined;
  if (!Array.isArray(fields)) return { '(root)': err.message };
  const problems = fields.filter(
    (f): f is FieldProblem =>
      typeof f === 'object' && f !== null && typeof f.field === 'string' && typeof f.message === 'string',
  );
  return problems.length > 0 ? fromProblems(problems) : { '(root)': err.message };
}

function conflictField(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null || !('field' in details)) return undefined;
  return typeof details.field === 'string' ? details.field : undefined;
}

/** The messages for `name` and everything under it (`recurrence` covers `recurrence.weekdays`). */
export function errorsUnder(errors: FieldErrors | undefined, name: string): string[] {
  if (errors === undefined) return [];
  return Object.entries(errors)
    .filter(([field]) => field === name || field.startsWith(`${name}.`))
    .map(([, message]) => message);
}

/** A 409 (someone else changed the duty first) becomes a message on the page instead of an error page. */
export function conflictMessage(err: unknown): string | undefined {
  return err instanceof AppError && err.status === 409 ? err.message : undefined;
}

/**
 * What a service's refusal of a form means for the page: a 409 (someone acted first) to say on it,
 * or a 400's field problems to show by the fields. Anything else is thrown on.
 */
export function refusalOf(err: unknown): { conflict: string } | { errors: FieldErrors } {
  const conflict = conflictMessage(err);
  if (conflict !== undefined) return { conflict };
  const errors = fromServiceError(err);
  if (errors === undefined) throw err;
  return { errors };
}

/** A whole number as typed (up to 3 digits), or the text itself for the schema to name. */
export const wholeOrText = (raw: string): number | string => (/^\d{1,3}$/.test(raw) ? Number(raw) : raw);

/** The version a form carries back, so a decision made on a stale page is refused (409). */
export const versionOf = (value: string): number | undefined =>
  /^\d{1,9}$/.test(value) ? Number(value) : undefined;

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What a malformed optional time input is told (the only problem that marks the time field itself). */
export const TIME_FORMAT_PROBLEM = '时间格式应为 HH:MM';

/**
 * A due time from a date input and an optional time input, as the services read it: a date alone
 * is the end of that day in the plan's zone; with a time, that minute there. A malformed date is
 * passed on for the service to name; an empty date or a bad time is put in `errors[field]`.
 */
export function dueAtFrom(
  date: string,
  time: string,
  timeZone: string,
  errors: FieldErrors,
  field: string,
  emptyMessage: string,
): string | undefined {
  if (date === '') {
    errors[field] = emptyMessage;
    return undefined;
  }
  if (time === '' || !isValidIsoDate(date)) return date;
  if (!HH_MM.test(time)) {
    errors[field] = TIME_FORMAT_PROBLEM;
    return undefined;
  }
  return zonedToInstant(
    {
      year: Number(date.slice(0, 4)),
      month: Number(date.slice(5, 7)),
      day: Number(date.slice(8, 10)),
      hour: Number(time.slice(0, 2)),
      minute: Number(time.slice(3, 5)),
    },
    timeZone,
  ).toISOString();
}
