import { Hono } from 'hono';
import { ReportProgressSchema, SubmitDutySchema } from '../../../shared/schemas/duties.js';
import { CreateExtensionSchema } from '../../../shared/schemas/extensions.js';
import { RemindSchema } from '../../../shared/schemas/notices.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId, type WebContext } from '../context.js';
import { oncePerForm } from '../form-key.js';
import {
  type FieldErrors,
  type FormFields,
  fromZod,
  one,
  optional,
  readForm,
  refusalOf,
  versionOf,
  wholeOrText,
} from '../forms.js';
import { type Problem, problemFlash } from '../layout.js';
import { milestoneFormFrom, onScreen } from '../milestone-forms.js';
import { pageCsp } from '../page-headers.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';
import { loadDutyExtras } from './duty-extras-view.js';
import {
  DutyPage,
  EVIDENCE_ROWS,
  type EvidenceRow,
  type ExtensionValues,
  type Failed,
  type SubmitValues,
} from './duty-page-view.js';
import { DonePage } from './my-done-view.js';
import { loadDone, loadDutyPage, loadInbox } from './my-duties-load.js';
import { InboxPage } from './my-inbox-view.js';

/**
 * One duty's page, with a form that came back (its problems summarised at the top and said under
 * its fields) or a problem for the flash line: every form on the page answers through here.
 */
export async function showDutyPage(
  deps: AppDeps,
  c: WebContext,
  dutyId: string,
  failed?: Failed,
  problem?: Problem,
): Promise<Response> {
  const p = c.get('principal');
  const data = await loadDutyPage(deps, p, dutyId);
  const extras = await loadDutyExtras(deps, p, data);
  // The submit form's upload script sends files to the upload origin (S3 in AWS).
  if (data.canSubmit) c.header('content-security-policy', pageCsp(deps.web?.evidenceUploadOrigin));
  const chrome = chromeOf(c, {
    planId: data.duty.planId,
    active: p.unitId ? 'my' : undefined,
    // One duty's page reads what it shows; the menu's counts come with the list pages.
    counts: undefined,
    ...problemFlash(problem),
  });
  return c.html(
    <DutyPage
      data={data}
      chrome={chrome}
      csrfToken={c.get('csrfToken')}
      extras={extras}
      {...(failed ? { failed } : {})}
    />,
    problem?.status ?? (failed === undefined ? 200 : 400),
  );
}

/**
 * A unit's inbox (我的任务), one duty's page with the submit form, and acknowledging notices.
 * This file routes and parses forms; `my-duties-load.ts` reads through the services and asks the
 * policy, the two `*-view.tsx` files render.
 */
export function myDutyPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function showMine(c: WebContext, problem?: Problem) {
    const p = c.get('principal');
    const unitId = p.unitId;
    if (unitId === undefined) return c.redirect('/', 303);
    if (c.req.query('tab') === 'done') {
      const done = await loadDone(deps, p, unitId);
      return c.html(<DonePage done={done} chrome={chromeOf(c, { active: 'my', planId: done.navPlanId })} />);
    }
    const inbox = await loadInbox(deps, p, unitId);
    const chrome = chromeOf(c, { active: 'my', planId: inbox.navPlanId });
    return c.html(
      <InboxPage
        inbox={inbox}
        chrome={{ ...chrome, ...problemFlash(problem) }}
        csrfToken={c.get('csrfToken')}
      />,
      problem?.status ?? 200,
    );
  }

  const showDuty = (c: WebContext, dutyId: string, failed?: Failed, problem?: Problem) =>
    showDutyPage(deps, c, dutyId, failed, problem);

  app.get('/my', signedIn, async (c) => showMine(c));
  app.get('/duties/:dutyId', signedIn, async (c) => showDuty(c, pathId(c, 'dutyId', '任务')));

  app.post('/duties/:dutyId/progress', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const raw = one(form, 'percent').trim();
    const parsed = ReportProgressSchema.safeParse({
      percent: wholeOrText(raw),
      note: optional(one(form, 'note')),
      version: versionOf(one(form, 'version')),
    });
    if (!parsed.success) {
      const errors = fromZod(parsed.error);
      const text = errors.percent ?? errors.note ?? Object.values(errors)[0] ?? '进度有误';
      return showDuty(c, dutyId, undefined, { status: 400, text: `报告进度未成功:${text}` });
    }
    try {
      await deps.progress.report(c.get('principal'), dutyId, parsed.data, deps.clock());
    } catch (err) {
      const refusal = refusalOf(err);
      const text =
        'conflict' in refusal ? refusal.conflict : (Object.values(refusal.errors)[0] ?? '进度有误');
      return showDuty(c, dutyId, undefined, { status: 'conflict' in refusal ? 409 : 400, text });
    }
    return c.redirect(`/duties/${dutyId}?ok=progress#progress`, 303);
  });

  app.post('/duties/:dutyId/submit', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const fromList = one(form, 'back') === 'my';
    const values = submitValuesFrom(form);
    // Blank rows and removed ones are not evidence; the rows given keep their on-screen number for
    // error messages.
    const given = values.evidence
      .map((e, row) => ({ e, row }))
      .filter(({ e }) => !e.drop && (e.title.trim() !== '' || e.ref.trim() !== ''));
    const parsed = SubmitDutySchema.safeParse({
      note: optional(values.note),
      evidence: given.map(({ e }) => ({ title: e.title, ref: e.ref })),
      nothingToReport: values.nothingToReport,
      version: versionOf(one(form, 'version')),
    });
    let errors: FieldErrors | undefined;
    if (!parsed.success) {
      errors = {};
      for (const [field, message] of Object.entries(fromZod(parsed.error))) {
        const m = /^evidence\.(\d+)\.(.*)$/.exec(field);
        const row = m === null ? undefined : given[Number(m[1])]?.row;
        errors[row === undefined ? field : `evidence.${row}.${m?.[2] ?? ''}`] = message;
      }
    } else {
      try {
        const duty = await deps.duties.submit(p, dutyId, parsed.data, deps.clock());
        const ok = duty.submission?.nothingToReport ? 'zero' : 'submitted';
        return c.redirect(p.unitId === undefined ? `/duties/${duty.id}?ok=${ok}` : `/my?ok=${ok}`, 303);
      } catch (err) {
        // Someone acted first, or the duty waits for something (its co-units): say what, on the page.
        const refusal = refusalOf(err);
        if ('conflict' in refusal) {
          const problem: Problem = { status: 409, text: refusal.conflict };
          return fromList
            ? showMine(c, problem)
            : showDuty(c, dutyId, { form: 'submit', errors: {}, values }, problem);
        }
        errors = refusal.errors;
      }
    }
    if (fromList) return showMine(c, { status: 400, text: Object.values(errors).join(';') });
    return showDuty(c, dutyId, { form: 'submit', errors, values });
  });

  app.post('/duties/:dutyId/extension-requests', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const values: ExtensionValues = {
      reason: one(form, 'reason'),
      progress: one(form, 'progress'),
      proposedDueAt: one(form, 'proposedDueAt').trim(),
    };
    const parsed = CreateExtensionSchema.safeParse(values);
    let errors: FieldErrors = parsed.success ? {} : fromZod(parsed.error);
    // The schema takes any short string; the service reads the date. An empty one is said here.
    if (values.proposedDueAt === '') errors.proposedDueAt = '请选择建议延至的日期';
    if (parsed.success && Object.keys(errors).length === 0) {
      try {
        await deps.extensions.request(p, dutyId, parsed.data, deps.clock());
        return c.redirect(`/duties/${dutyId}?ok=extension-requested#extension`, 303);
      } catch (err) {
        const refusal = refusalOf(err);
        if ('conflict' in refusal) {
          return showDuty(
            c,
            dutyId,
            { form: 'extension', errors: {}, values },
            { status: 409, text: refusal.conflict },
          );
        }
        errors = refusal.errors;
      }
    }
    return showDuty(c, dutyId, { form: 'extension', errors, values });
  });

  app.post('/duties/:dutyId/receive', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    await deps.duties.receive(c.get('principal'), dutyId, deps.clock());
    return c.redirect(`/duties/${dutyId}?ok=received#receipt`, 303);
  });

  app.post('/duties/:dutyId/reminders', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const values = { text: one(form, 'text') };
    const parsed = RemindSchema.safeParse({ text: optional(values.text) });
    if (!parsed.success)
      return showDuty(c, dutyId, { form: 'remind', errors: fromZod(parsed.error), values });
    // Once per rendered form: a double click or a resent page is one 催办.
    return oncePerForm(deps, c, form, async () => {
      await deps.reminders.remind(c.get('principal'), dutyId, parsed.data, deps.clock());
      return `/duties/${dutyId}?ok=reminded#remind`;
    });
  });

  app.post('/duties/:dutyId/milestones', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const posted = milestoneFormFrom(form);
    const { values } = posted;
    if ('errors' in posted) return showDuty(c, dutyId, { form: 'milestones', errors: posted.errors, values });
    // Once per rendered form: a double click or a resent page sets (or proposes) them once.
    return oncePerForm(deps, c, form, async () => {
      try {
        const p = c.get('principal');
        await deps.progress.setMilestones(p, dutyId, posted.input, deps.clock());
        return `/duties/${dutyId}?ok=${p.role === 'office' ? 'milestones' : 'milestones-proposed'}#progress`;
      } catch (err) {
        const refusal = refusalOf(err);
        if ('conflict' in refusal) {
          const problem: Problem = { status: 409, text: refusal.conflict };
          return showDuty(c, dutyId, { form: 'milestones', errors: {}, values }, problem);
        }
        const errors = onScreen(refusal.errors, posted.given);
        return showDuty(c, dutyId, { form: 'milestones', errors, values });
      }
    });
  });

  app.post('/duties/:dutyId/milestones/approve', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    return oncePerForm(deps, c, form, async () => {
      try {
        const input = { version: versionOf(one(form, 'version')) };
        await deps.progress.approveMilestones(c.get('principal'), dutyId, input, deps.clock());
        return `/duties/${dutyId}?ok=milestones-approved#progress`;
      } catch (err) {
        const refusal = refusalOf(err);
        const text = 'conflict' in refusal ? refusal.conflict : Object.values(refusal.errors).join(';');
        return showDuty(c, dutyId, undefined, { status: 'conflict' in refusal ? 409 : 400, text });
      }
    });
  });

  app.post('/notices/:noticeId/ack', signedIn, checkForm, async (c) => {
    await deps.notices.ack(c.get('principal'), pathId(c, 'noticeId', '通知'), deps.clock());
    return c.redirect(c.get('principal').unitId === undefined ? '/' : '/my?ok=acked#notices', 303);
  });

  return app;
}

/** The most evidence rows a form may post: the schema's 50 items plus the blank rows. */
const MAX_EVIDENCE_ROWS = 50 + EVIDENCE_ROWS;

/** The submit form as posted: the note, and every evidence row (kept ones, removed or not, and new ones). */
function submitValuesFrom(form: FormFields): SubmitValues {
  const indexes = [...form.keys()].flatMap((name) => {
    const m = /^evidence\.(\d{1,3})\./.exec(name);
    return m === null ? [] : [Number(m[1])];
  });
  const rows = Math.min(Math.max(EVIDENCE_ROWS, ...indexes.map((i) => i + 1)), MAX_EVIDENCE_ROWS);
  const evidence = Array.from({ length: rows }, (_, i): EvidenceRow => {
    const size = Number(one(form, `evidence.${i}.size`));
    return {
      title: one(form, `evidence.${i}.title`),
      ref: one(form, `evidence.${i}.ref`),
      kept: one(form, `evidence.${i}.kept`) === '1',
      drop: one(form, `evidence.${i}.drop`) === '1',
      size: Number.isSafeInteger(size) && size > 0 ? size : undefined,
    };
  });
  return { note: one(form, 'note'), evidence, nothingToReport: one(form, 'nothingToReport') === '1' };
}
