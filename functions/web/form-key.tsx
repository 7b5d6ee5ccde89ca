import { randomUUID } from 'node:crypto';
import type { FC } from 'hono/jsx';
import { ConflictError } from '../../shared/errors.js';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
} from '../../shared/services/idempotency-service.js';
import type { AppDeps } from '../api/deps.js';
import type { WebContext } from './context.js';
import type { FormFields } from './forms.js';
import { CSRF_FIELD } from './session.js';

/** The hidden input carrying a create form's idempotency key (one per rendered form). */
export const FORM_KEY_FIELD = '_formKey';
const FORM_KEY = /^[A-Za-z0-9-]{8,64}$/;

/** A key for a form being rendered blank; a form shown again after a refusal keeps its own. */
export const newFormKey = (): string => randomUUID();

/** The key a posted form carries; a missing or odd one is replaced, so the form still works. */
export function formKeyOf(form: FormFields): string {
  const key = form.get(FORM_KEY_FIELD)?.[0] ?? '';
  return FORM_KEY.test(key) ? key : newFormKey();
}

export const FormKey: FC<{ value: string }> = ({ value }) => (
  <input type="hidden" name={FORM_KEY_FIELD} value={value} />
);

const WAIT_STEP_MS = 250;
const WAIT_STEPS = 20;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a page's create once per rendered form, through the same idempotency service as the API's
 * `Idempotency-Key`: a double click or a resubmitted page redirects where the first submission did
 * and creates nothing more. `create` answers a redirect location (kept), or a page showing a
 * refusal (not kept: the clerk fixes the form and sends it again with the same key). A second
 * submission that arrives while the first runs waits for its answer (a few seconds at most).
 */
export async function oncePerForm(
  deps: Pick<AppDeps, 'idempotency'>,
  c: WebContext,
  form: FormFields,
  create: () => Promise<string | Response>,
): Promise<Response> {
  const p = c.get('principal');
  const fields = [...form].filter(([name]) => name !== CSRF_FIELD && name !== FORM_KEY_FIELD);
  const call = {
    route: `page ${c.req.method} ${c.req.routePath}`,
    caller: `${p.role}:${p.sub}`,
    key: formKeyOf(form),
    payload: { path: c.req.path, fields },
  };
  let refusal: Response | undefined;
  const work = async () => {
    const answer = await create();
    if (typeof answer === 'string') return { value: answer, keep: true };
    refusal = answer;
    return { value: null, keep: false };
  };
  for (let step = 0; ; step++) {
    try {
      const { value } = await deps.idempotency.run<string | null>(call, work);
      if (value !== null) return c.redirect(value, 303);
      if (refusal === undefined) throw new Error('a refused form left no page to show');
      return refusal;
    } catch (err) {
      if (err instanceof IdempotencyInProgressError && step < WAIT_STEPS) {
        await pause(WAIT_STEP_MS);
        continue;
      }
      if (err instanceof IdempotencyKeyReusedError) {
        throw new ConflictError(
          'idempotency_key_reused',
          '这份表单已经提交过,之后内容又有改动;如需再新建一条,请重新打开此页填写',
        );
      }
      throw err;
    }
  }
}
