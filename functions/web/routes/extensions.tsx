import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { endOfLocalDay, localDateOf } from '../../../shared/domain/time/zoned-time.js';
import {
  ApproveExtensionSchema,
  type ExtensionRequest,
  RefuseExtensionSchema,
} from '../../../shared/schemas/extensions.js';
import type { AppDeps } from '../../api/deps.js';
import { collect } from '../collect.js';
import { chromeOf, pathId, planForReaders, type WebContext } from '../context.js';
import { ExtensionReasons, RoleBadge, StatusBadge } from '../duty-parts.js';
import { DueInputs, InlineText, RetryAlert } from '../fields.js';
import { dateTime, localTime } from '../format.js';
import {
  dueAtFrom,
  errorsUnder,
  type FieldErrors,
  fromZod,
  one,
  optional,
  readForm,
  refusalOf,
} from '../forms.js';
import { Csrf, FieldError, Page, type Problem, problemFlash } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

interface DecisionValues {
  dueDate: string;
  dueTime: string;
  note: string;
  reason: string;
}

/** A decision that came back with problems, shown on that request's card. */
interface FailedDecision {
  requestId: string;
  errors: FieldErrors;
  values: DecisionValues;
}

/** The approve form starts from the unit's proposal: its date, and its time unless it is the end of the day. */
function proposalValues(request: ExtensionRequest, timeZone: string): DecisionValues {
  const date = localDateOf(new Date(request.proposedDueAt), timeZone);
  const endOfDay = endOfLocalDay(date, timeZone).toISOString() === request.proposedDueAt;
  return {
    dueDate: date,
    dueTime: endOfDay ? '' : localTime(request.proposedDueAt, timeZone),
    note: '',
    reason: '',
  };
}

/**
 * 延期审批: a plan's pending extension requests (延期申请) for the office and leaders, each with
 * approve (with a due time, prefilled with the proposal) and refuse (with a reason).
 */
export function extensionPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function showPending(c: WebContext, planId: string, failed?: FailedDecision, problem?: Problem) {
    const p = c.get('principal');
    const now = deps.clock();
    const {
      plan,
      units,
      more: pending,
    } = await planForReaders(
      deps,
      p,
      planId,
      '延期审批供领导小组办公室和领导查看;单位请在任务页面申请延期',
      () => collect((page) => deps.extensions.listPending(p, planId, page), 500),
    );
    const tz = plan.timezone;
    // The requests' duties in batches of 100, not one GetItem each.
    const duties = await deps.duties.getMany(
      p,
      pending.items.map((r) => r.dutyId),
      now,
    );
    const canDecide = decide(p, 'extension.decide').allowed;
    return c.html(
      <Page title="延期审批" chrome={chromeOf(c, { active: 'extensions', planId, ...problemFlash(problem) })}>
        <h1>
          延期审批 · {plan.title}({pending.items.length})
        </h1>
        {failed !== undefined && <RetryAlert>审批未成功,请按提示修改。</RetryAlert>}
        {pending.items.length === 0 && <p class="card">没有待审批的延期申请。</p>}
        {pending.items.map((r) => {
          const duty = duties.get(r.dutyId);
          const mine = failed?.requestId === r.id ? failed : undefined;
          return (
            <article class="card duty" id={`x-${r.id}`} data-request={r.id}>
              <h3>
                <a href={`/duties/${r.dutyId}`}>{duty?.title ?? r.dutyId}</a>
              </h3>
              <p class="row">
                <strong>{units.get(r.unitId)?.name ?? r.unitId}</strong>
                {duty !== undefined && <RoleBadge duty={duty} />}
                {duty !== undefined && <StatusBadge duty={duty} />}
                {duty !== undefined && duty.extensions > 0 && (
                  <span class="badge">已延期 {duty.extensions} 次</span>
                )}
                <small>申请于 {dateTime(r.requestedAt, tz, now)}</small>
              </p>
              <p>
                原截止 {dateTime(r.dueAtWhenRequested, tz, now)} → 申请延至{' '}
                <strong>{dateTime(r.proposedDueAt, tz, now)}</strong>
              </p>
              <ExtensionReasons request={r} />
              {duty !== undefined && duty.status !== 'open' && (
                <p class="muted">
                  任务已{duty.status === 'submitted' ? '提交' : '办结'},无需延期;可不予延期以结束此申请。
                </p>
              )}
              {canDecide && (
                <DecisionForms
                  request={r}
                  csrfToken={c.get('csrfToken')}
                  values={mine?.values ?? proposalValues(r, tz)}
                  errors={mine?.errors}
                />
              )}
            </article>
          );
        })}
        {pending.truncated && <p class="muted">只显示最早的 {pending.items.length} 份申请。</p>}
      </Page>,
      problem?.status ?? (failed === undefined ? 200 : 400),
    );
  }

  app.get('/plans/:planId/extensions', signedIn, async (c) =>
    showPending(c, pathId(c, 'planId', '工作方案')),
  );

  /** The duty (read through the service, so the policy sees who asks) and its plan's time zone. */
  async function dutyAndZone(c: WebContext, dutyId: string) {
    const p = c.get('principal');
    const duty = await deps.duties.get(p, dutyId, deps.clock());
    const plan = await deps.plans.get(p, duty.planId);
    return { duty, timeZone: plan.timezone };
  }

  /** Someone decided first: the list again, saying what happened. */
  const conflictOn = (c: WebContext, planId: string, text: string) =>
    showPending(c, planId, undefined, { status: 409, text });

  app.post('/duties/:dutyId/extension-requests/:requestId/approve', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const dutyId = pathId(c, 'dutyId', '任务');
    const requestId = pathId(c, 'requestId', '延期申请');
    const form = await readForm(c);
    const values: DecisionValues = {
      dueDate: one(form, 'dueDate').trim(),
      dueTime: one(form, 'dueTime').trim(),
      note: one(form, 'note'),
      reason: '',
    };
    const { duty, timeZone } = await dutyAndZone(c, dutyId);
    const errors: FieldErrors = {};
    const dueAt = dueAtFrom(
      values.dueDate,
      values.dueTime,
      timeZone,
      errors,
      'dueAt',
      '请填写批准延至的日期',
    );
    const parsed = ApproveExtensionSchema.safeParse({ dueAt, note: optional(values.note) });
    if (!parsed.success) Object.assign(errors, { ...fromZod(parsed.error), ...errors });
    if (parsed.success && Object.keys(errors).length === 0) {
      try {
        await deps.extensions.approve(p, dutyId, requestId, parsed.data, deps.clock());
        return c.redirect(`/plans/${duty.planId}/extensions?ok=extension-approved`, 303);
      } catch (err) {
        const refusal = refusalOf(err);
        if ('conflict' in refusal) return conflictOn(c, duty.planId, refusal.conflict);
        Object.assign(errors, refusal.errors);
      }
    }
    return showPending(c, duty.planId, { requestId, errors, values });
  });

  app.post('/duties/:dutyId/extension-requests/:requestId/refuse', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const dutyId = pathId(c, 'dutyId', '任务');
    const requestId = pathId(c, 'requestId', '延期申请');
    const form = await readForm(c);
    const { duty, timeZone } = await dutyAndZone(c, dutyId);
    const reason = one(form, 'reason');
    const parsed = RefuseExtensionSchema.safeParse({ reason });
    let errors: FieldErrors;
    if (parsed.success) {
      try {
        await deps.extensions.refuse(p, dutyId, requestId, parsed.data.reason, deps.clock());
        return c.redirect(`/plans/${duty.planId}/extensions?ok=extension-refused`, 303);
      } catch (err) {
        const refusal = refusalOf(err);
        if ('conflict' in refusal) return conflictOn(c, duty.planId, refusal.conflict);
        errors = refusal.errors;
      }
    } else {
      errors = fromZod(parsed.error);
    }
    // The approve form keeps the proposal; only the refusal's reason was typed.
    const request = await deps.extensions.list(p, dutyId).then((all) => all.find((r) => r.id === requestId));
    const base =
      request === undefined
        ? { dueDate: '', dueTime: '', note: '', reason: '' }
        : proposalValues(request, timeZone);
    return showPending(c, duty.planId, { requestId, errors, values: { ...base, reason } });
  });

  return app;
}

/** Approve with a due time (the proposal unless changed) and an optional note; or refuse with a reason. */
const DecisionForms: FC<{
  request: ExtensionRequest;
  csrfToken: string;
  values: DecisionValues;
  errors: FieldErrors | undefined;
}> = ({ request, csrfToken, values, errors }) => {
  const base = `/duties/${request.dutyId}/extension-requests/${request.id}`;
  return (
    <div class="row actions">
      <FieldError messages={errorsUnder(errors, '(root)')} />
      <form method="post" action={`${base}/approve`} class="row" novalidate>
        <Csrf token={csrfToken} />
        <DueInputs
          dateLabel="批准延至"
          timeLabel="时间(不填为当天 24 时前)"
          date={values.dueDate}
          time={values.dueTime}
          errors={errors}
        />
        <FieldError messages={errorsUnder(errors, 'dueAt')} />
        <InlineText
          name="note"
          value={values.note}
          placeholder="审批意见(可选)"
          label="审批意见"
          maxlength={2000}
          errors={errors}
        />
        <button type="submit" class="ok">
          批准延期
        </button>
      </form>
      <form method="post" action={`${base}/refuse`} class="row" novalidate>
        <Csrf token={csrfToken} />
        <InlineText
          name="reason"
          value={values.reason}
          placeholder="不予延期的理由(必填)"
          label="不予延期的理由"
          maxlength={2000}
          errors={errors}
        />
        <button type="submit" class="light">
          不予延期
        </button>
      </form>
    </div>
  );
};
