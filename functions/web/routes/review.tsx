import { Hono } from 'hono';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import { decide } from '../../../shared/domain/access/policy.js';
import { ValidationError } from '../../../shared/errors.js';
import {
  AcceptDutySchema,
  ConfirmDutySchema,
  type Duty,
  ReturnDutySchema,
} from '../../../shared/schemas/duties.js';
import { DEFAULT_TIMEZONE } from '../../../shared/schemas/plans.js';
import type { Unit } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/deps.js';
import { collect } from '../collect.js';
import {
  chromeOf,
  newestPlanId,
  pathId,
  planForReaders,
  unitDirectory,
  type WebContext,
} from '../context.js';
import {
  ConfirmActions,
  Confirmations,
  type ConfirmValues,
  ReviewActions,
  ReviewHistory,
  RoleBadge,
  SubmissionBody,
} from '../duty-parts.js';
import { RetryAlert } from '../fields.js';
import { dateTime } from '../format.js';
import { type FieldErrors, fromZod, one, optional, readForm, refusalOf, versionOf } from '../forms.js';
import { Page, type Problem, problemFlash } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

interface FailedReturn {
  dutyId: string;
  errors: FieldErrors;
  values: { reason: string; newDueAt: string };
}

/** A sign-off level's confirm or return that came back with a problem, shown on that duty's card. */
interface FailedSignOff {
  dutyId: string;
  errors: FieldErrors;
  values: ConfirmValues;
}

/** Oldest submission first: it has waited longest. */
const oldestFirst = (a: Duty, b: Duty) =>
  (a.submission?.submittedAt ?? '').localeCompare(b.submission?.submittedAt ?? '');

/** A submitted duty waiting for a decision: what was reported, who confirmed it, earlier rounds, and `children` (the decision's forms). */
const SubmittedCard: FC<
  PropsWithChildren<{ duty: Duty; units: Map<string, Unit>; timeZone: string; now: Date; tag: Child }>
> = ({ duty, units, timeZone, now, tag, children }) => (
  <article class="card duty" id={`d-${duty.id}`} data-duty={duty.id}>
    <h3>
      <a href={`/duties/${duty.id}`}>{duty.title}</a>
    </h3>
    <p class="row">
      <strong>{units.get(duty.unitId)?.name ?? duty.unitId}</strong>
      <RoleBadge duty={duty} />
      <span>截止 {dateTime(duty.dueAt, timeZone, now)}</span>
      {duty.round > 1 && <span class="badge b-yellow">第 {duty.round} 轮(整改后重报)</span>}
      {tag}
    </p>
    <SubmissionBody duty={duty} timeZone={timeZone} now={now} />
    <Confirmations duty={duty} units={units} timeZone={timeZone} now={now} />
    <ReviewHistory duty={duty} timeZone={timeZone} now={now} />
    {children}
  </article>
);

/**
 * The review queue (审核队列): submitted duties with their evidence; accept or return each. And a
 * unit's sign-off queue (下级确认, `/review`): what its villages and schools submitted that waits for
 * its confirmation (村 → 乡镇 → 局); confirm with its own note or return it down.
 */
export function reviewPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function showQueue(c: WebContext, planId: string, failed?: FailedReturn, problem?: Problem) {
    const p = c.get('principal');
    const now = deps.clock();
    const {
      plan,
      units,
      more: queue,
    } = await planForReaders(deps, p, planId, '待审核供领导小组办公室和领导查看;单位请查看“我的任务”', () =>
      collect((page) => deps.duties.listForPlan(p, planId, { status: 'submitted' }, page, now)),
    );
    const tz = plan.timezone;
    const duties = [...queue.items].sort(oldestFirst);
    return c.html(
      <Page title="待审核" chrome={chromeOf(c, { active: 'review', planId, ...problemFlash(problem) })}>
        <h1>
          待审核 · {plan.title}({duties.length})
        </h1>
        {failed !== undefined && <RetryAlert>退回未成功,请按提示修改。</RetryAlert>}
        {duties.length === 0 && <p class="card">没有待审核的任务。</p>}
        {duties.map((duty) => (
          <SubmittedCard
            duty={duty}
            units={units}
            timeZone={tz}
            now={now}
            tag={duty.kind === 'rectification' && <span class="badge">督查整改</span>}
          >
            {decide(p, 'duty.review', { ownerUnitId: duty.unitId }).allowed && (
              <ReviewActions
                duty={duty}
                csrfToken={c.get('csrfToken')}
                errors={failed?.dutyId === duty.id ? failed.errors : undefined}
                values={failed?.dutyId === duty.id ? failed.values : undefined}
              />
            )}
          </SubmittedCard>
        ))}
        {queue.truncated && <p class="muted">只显示最早提交的 {duties.length} 条。</p>}
      </Page>,
      problem?.status ?? (failed === undefined ? 200 : 400),
    );
  }

  async function showSignOff(c: WebContext, failed?: FailedSignOff, problem?: Problem) {
    const p = c.get('principal');
    const me = p.unitId;
    if (me === undefined) return c.redirect('/', 303);
    const now = deps.clock();
    // The sign-off index: a few Queries, however many units are below and plans there are.
    const [units, navPlanId, queue] = await Promise.all([
      unitDirectory(deps, p),
      newestPlanId(deps, p),
      deps.duties.signOffQueue(p, now),
    ]);
    const hasBelow = [...units.values()].some((u) => u.parentId === me);
    const waiting = [...queue.waiting].sort(oldestFirst);
    const { passedOn } = queue;
    const plans = await deps.plans.getMany(p, [...new Set([...waiting, ...passedOn].map((d) => d.planId))]);
    const tzOf = (planId: string) => plans.get(planId)?.timezone ?? DEFAULT_TIMEZONE;
    const chrome = chromeOf(c, { active: 'confirm', planId: navPlanId });
    return c.html(
      <Page title="下级确认" chrome={{ ...chrome, ...problemFlash(problem) }}>
        <h1>
          下级确认 · {chrome.who}({waiting.length})
        </h1>
        <p class="muted">
          所辖单位提交的任务,需本单位逐级审核:确认后报送上一级(或办公室审核),有问题可退回下级整改。
        </p>
        {failed !== undefined && <RetryAlert>操作未成功,请按提示修改。</RetryAlert>}
        {!hasBelow && <p class="card">本单位没有下级单位,无需确认。</p>}
        {hasBelow && waiting.length === 0 && <p class="card">没有等待本单位确认的任务。</p>}
        {waiting.map((duty) => (
          <SubmittedCard
            duty={duty}
            units={units}
            timeZone={tzOf(duty.planId)}
            now={now}
            tag={<small>{plans.get(duty.planId)?.title}</small>}
          >
            <ConfirmActions
              duty={duty}
              csrfToken={c.get('csrfToken')}
              errors={failed?.dutyId === duty.id ? failed.errors : undefined}
              values={failed?.dutyId === duty.id ? failed.values : undefined}
            />
          </SubmittedCard>
        ))}
        {passedOn.length > 0 && (
          <>
            <h2>已确认上报,等待上级或办公室审核</h2>
            <ul>
              {passedOn.map((duty) => (
                <li>
                  <a href={`/duties/${duty.id}`}>{duty.title}</a>{' '}
                  <small>
                    {units.get(duty.unitId)?.name ?? duty.unitId}
                    {duty.awaitingConfirmationFrom !== null &&
                      ` · 待 ${units.get(duty.awaitingConfirmationFrom)?.name ?? duty.awaitingConfirmationFrom} 确认`}
                  </small>
                </li>
              ))}
            </ul>
          </>
        )}
      </Page>,
      problem?.status ?? (failed === undefined ? 200 : 400),
    );
  }

  app.get('/plans/:planId/review', signedIn, async (c) => showQueue(c, pathId(c, 'planId', '工作方案')));
  app.get('/review', signedIn, async (c) => showSignOff(c));

  /** A stale page (someone decided first) shows the queue again with what happened, not an error page. */
  async function backWithConflict(c: WebContext, dutyId: string, text: string) {
    if (c.get('principal').role === 'unit') return showSignOff(c, undefined, { status: 409, text });
    const duty = await deps.duties.get(c.get('principal'), dutyId, deps.clock());
    return showQueue(c, duty.planId, undefined, { status: 409, text });
  }

  app.post('/duties/:dutyId/confirm', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const values: ConfirmValues = { note: one(form, 'note'), reason: '', newDueAt: '' };
    const parsed = ConfirmDutySchema.safeParse({
      note: values.note,
      version: versionOf(one(form, 'version')),
    });
    let errors: FieldErrors;
    if (parsed.success) {
      try {
        await deps.duties.confirm(p, dutyId, parsed.data, deps.clock());
        return c.redirect('/review?ok=confirmed', 303);
      } catch (err) {
        const refusal = refusalOf(err);
        if ('conflict' in refusal) return backWithConflict(c, dutyId, refusal.conflict);
        errors = refusal.errors;
      }
    } else {
      // The duty is read through the service first: a unit not above it gets a 403, not a form.
      await deps.duties.get(p, dutyId, deps.clock());
      errors = fromZod(parsed.error);
    }
    return showSignOff(c, { dutyId, errors, values });
  });

  app.post('/duties/:dutyId/accept', signedIn, checkForm, async (c) => {
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const parsed = AcceptDutySchema.safeParse({
      note: optional(one(form, 'note')),
      version: versionOf(one(form, 'version')),
    });
    if (!parsed.success) throw new ValidationError('审核信息有误', []);
    try {
      const duty = await deps.duties.accept(c.get('principal'), dutyId, parsed.data, deps.clock());
      return c.redirect(`/plans/${duty.planId}/review?ok=accepted`, 303);
    } catch (err) {
      const refusal = refusalOf(err);
      if ('conflict' in refusal) return backWithConflict(c, dutyId, refusal.conflict);
      throw err;
    }
  });

  app.post('/duties/:dutyId/return', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const values = { reason: one(form, 'reason'), newDueAt: one(form, 'newDueAt') };
    const parsed = ReturnDutySchema.safeParse({
      reason: values.reason,
      newDueAt: optional(values.newDueAt),
      version: versionOf(one(form, 'version')),
    });
    let errors: FieldErrors;
    if (parsed.success) {
      try {
        const duty = await deps.duties.returnForRework(p, dutyId, parsed.data, deps.clock());
        if (p.role === 'unit') return c.redirect('/review?ok=returned-down', 303);
        return c.redirect(`/plans/${duty.planId}/review?ok=returned`, 303);
      } catch (err) {
        const refusal = refusalOf(err);
        if ('conflict' in refusal) return backWithConflict(c, dutyId, refusal.conflict);
        errors = refusal.errors;
      }
    } else {
      errors = fromZod(parsed.error);
    }
    // The duty is read through the service, so a unit probing another unit's duty gets a 403 here.
    const duty = await deps.duties.get(p, dutyId, deps.clock());
    if (p.role === 'unit') return showSignOff(c, { dutyId, errors, values: { note: '', ...values } });
    return showQueue(c, duty.planId, { dutyId, errors, values });
  });

  return app;
}
