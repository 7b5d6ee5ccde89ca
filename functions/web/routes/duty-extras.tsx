import { Hono } from 'hono';
import { HandOffSchema } from '../../../shared/schemas/handoffs.js';
import { CreateInstructionSchema } from '../../../shared/schemas/instructions.js';
import type { AppDeps } from '../../api/deps.js';
import { pathId, type WebContext } from '../context.js';
import { formKeyOf, oncePerForm } from '../form-key.js';
import { fromZod, one, optional, readForm, refusalOf } from '../forms.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';
import type { ExtraFailed } from './duty-extras-view.js';
import { showDutyPage } from './my-duties.js';

/**
 * The duty page's 批示 and 转办 forms: each press once per rendered form, then back to the duty. A
 * refused form comes back on the duty's page as the submit form does: its problems at the top
 * (focused) and under its fields, what was typed kept.
 */
export function dutyExtraPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  /** The page again with the form's problems; a conflict (someone acted first) on the flash line. */
  const refusedForm = async (c: WebContext, dutyId: string, failed: ExtraFailed, err?: unknown) => {
    if (err === undefined) return showDutyPage(deps, c, dutyId, failed);
    const refusal = refusalOf(err);
    return 'conflict' in refusal
      ? showDutyPage(deps, c, dutyId, { ...failed, errors: {} }, { status: 409, text: refusal.conflict })
      : showDutyPage(deps, c, dutyId, { ...failed, errors: refusal.errors });
  };

  app.post('/duties/:dutyId/instructions', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const values = {
      text: one(form, 'text'),
      signedBy: one(form, 'signedBy'),
      signedOn: one(form, 'signedOn'),
    };
    const failed = (errors: Record<string, string>): ExtraFailed => ({ form: 'instruction', errors, values });
    const parsed = CreateInstructionSchema.safeParse({
      text: values.text,
      signedBy: optional(values.signedBy),
      signedOn: optional(values.signedOn),
    });
    if (!parsed.success) return refusedForm(c, dutyId, failed(fromZod(parsed.error)));
    // The form's key fixes the instruction's id too: a resent form finishes the first press.
    return oncePerForm(deps, c, form, async () => {
      try {
        const p = c.get('principal');
        await deps.instructions.onDuty(p, dutyId, parsed.data, deps.clock(), formKeyOf(form));
      } catch (err) {
        return refusedForm(c, dutyId, failed({}), err);
      }
      return `/duties/${dutyId}?ok=instructed#instructions`;
    });
  });

  app.post('/duties/:dutyId/handoffs', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const values = { unitIds: form.get('unitIds') ?? [], note: one(form, 'note') };
    const failed = (errors: Record<string, string>): ExtraFailed => ({ form: 'handoff', errors, values });
    const parsed = HandOffSchema.safeParse({ unitIds: values.unitIds, note: optional(values.note) });
    if (!parsed.success) {
      const errors = fromZod(parsed.error);
      // None ticked: say what to do, not the schema's words about an array.
      if (values.unitIds.length === 0) errors.unitIds = '请至少选择一个下级单位';
      return refusedForm(c, dutyId, failed(errors));
    }
    return oncePerForm(deps, c, form, async () => {
      try {
        const result = await deps.handoffs.handOff(c.get('principal'), dutyId, parsed.data, deps.clock());
        return `/duties/${dutyId}?ok=handed-off&n=${result.duty.handedTo?.length ?? 0}#handed-to`;
      } catch (err) {
        return refusedForm(c, dutyId, failed({}), err);
      }
    });
  });

  return app;
}
