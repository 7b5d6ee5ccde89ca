import { Hono } from 'hono';
import { ValidationError } from '../../../shared/errors.js';
import { HandOffSchema } from '../../../shared/schemas/handoffs.js';
import { CreateInstructionSchema } from '../../../shared/schemas/instructions.js';
import type { AppDeps } from '../../api/deps.js';
import { pathId } from '../context.js';
import { formKeyOf, oncePerForm } from '../form-key.js';
import { fromZod, one, optional, readForm } from '../forms.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

/** A form's problems as the one 400 the error page shows (the fields named, in Chinese). */
const refused = (errors: Record<string, string>) =>
  new ValidationError(
    Object.values(errors).join(';'),
    Object.entries(errors).map(([field, message]) => ({ field, message })),
  );

/** The duty page's 批示 and 转办 forms: each press once per rendered form, then back to the duty. */
export function dutyExtraPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  app.post('/duties/:dutyId/instructions', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const parsed = CreateInstructionSchema.safeParse({
      text: one(form, 'text'),
      signedBy: optional(one(form, 'signedBy')),
      signedOn: optional(one(form, 'signedOn')),
    });
    if (!parsed.success) throw refused(fromZod(parsed.error));
    // The form's key fixes the instruction's id too: a resent form finishes the first press.
    return oncePerForm(deps, c, form, async () => {
      await deps.instructions.onDuty(c.get('principal'), dutyId, parsed.data, deps.clock(), formKeyOf(form));
      return `/duties/${dutyId}?ok=instructed#instructions`;
    });
  });

  app.post('/duties/:dutyId/handoffs', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const parsed = HandOffSchema.safeParse({
      unitIds: form.get('unitIds') ?? [],
      note: optional(one(form, 'note')),
    });
    if (!parsed.success) throw refused(fromZod(parsed.error));
    return oncePerForm(deps, c, form, async () => {
      const result = await deps.handoffs.handOff(c.get('principal'), dutyId, parsed.data, deps.clock());
      return `/duties/${dutyId}?ok=handed-off&n=${result.duty.handedTo?.length ?? 0}#handed-to`;
    });
  });

  return app;
}
