import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { decide, recipientOf } from '../../../shared/domain/access/policy.js';
import { workingDaysLate } from '../../../shared/domain/calendar/working-calendar.js';
import type { DutyStatus } from '../../../shared/domain/duty/duty-status.js';
import { levelLabel } from '../../../shared/domain/escalation/ladder.js';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import { SubmitDutySchema } from '../../../shared/schemas/duties.js';
import { CreateExtensionSchema } from '../../../shared/schemas/extensions.js';
import type { Notice } from '../../../shared/schemas/notices.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { DEFAULT_TIMEZONE } from '../../../shared/schemas/plans.js';
import { dutyLight } from '../../../shared/web/traffic-light.js';
import type { AppDeps } from '../../api/deps.js';
import { TrafficLight } from '../charts.js';
import { collect } from '../collect.js';
import {
  chromeOf,
  pathId,
  planDirectory,
  unitDirectory,
  type WebContext,
  workingCalendar,
} from '../context.js';
import {
  ancestorsIn,
  ConfirmActions,
  Confirmations,
  descendantsIn,
  ExtensionHistory,
  lastReturn,
  ReviewActions,
  ReviewHistory,
  RoleBadge,
  StatusBadge,
  SubmissionView,
} from '../duty-parts.js';
import { EvidenceFileInput, EvidenceUploadScript, fieldHelpers, InlineText, TextArea } from '../fields.js';
import { dateTime, timeLeft } from '../format.js';
import { type FieldErrors, fromZod, one, optional, readForm, refusalOf, versionOf } from '../forms.js';
import { Csrf, Page, type Problem, problemFlash } from '../layout.js';
import { pageCsp } from '../page-headers.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const EVIDENCE_ROWS = 3;

interface SubmitValues {
  note: string;
  evidence: { title: string; ref: string }[];
  nothingToReport: boolean;
}

const emptySubmit = (): SubmitValues => ({
  note: '',
  evidence: Array.from({ length: EVIDENCE_ROWS }, () => ({ title: '', ref: '' })),
  nothingToReport: false,
});

interface ExtensionValues {
  reason: string;
  progress: string;
  proposedDueAt: string;
}

const emptyExtension = (): ExtensionValues => ({ reason: '', progress: '', proposedDueAt: '' });

/** A form that came back with problems: which one, what was typed, and the problems by field. */
type Failed =
  | { form: 'submit'; errors: FieldErrors; values: SubmitValues }
  | { form: 'extension'; errors: FieldErrors; values: ExtensionValues };

/** Overdue first (longest overdue on top), then by due time. */
const byUrgency = (a: Duty, b: Duty) =>
  Number(b.overdue) - Number(a.overdue) || a.dueAt.localeCompare(b.dueAt);

/** A unit's inbox (我的任务), one duty's page with the submit form, and acknowledging notices. */
export function myDutyPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function showMine(c: WebContext, problem?: Problem) {
    const p = c.get('principal');
    const unitId = p.unitId;
    if (unitId === undefined) return c.redirect('/', 303);
    const now = deps.clock();
    const plans = await planDirectory(deps, p);
    // Per plan: the unit listing filters by status only within a plan (its key is plan, then status).
    const mine = async (status: DutyStatus, max: number) => {
      const found = await Promise.all(
        [...plans.keys()].map((planId) =>
          collect((page) => deps.duties.listForUnit(p, unitId, { planId, status }, page, now), max),
        ),
      );
      return { items: found.flatMap((f) => f.items), truncated: found.some((f) => f.truncated) };
    };
    const [open, submitted, notices, units] = await Promise.all([
      mine('open', 500),
      mine('submitted', 200),
      deps.notices.list(p, {}, { limit: 50 }),
      unitDirectory(deps, p),
    ]);
    const tzOf = (planId: string) => plans.get(planId)?.timezone ?? DEFAULT_TIMEZONE;
    const duties = [...open.items].sort(byUrgency);
    const late = duties.filter((d) => d.overdue);
    const yearOf = (instant: Date, tz: string) => Number(localDateOf(instant, tz).slice(0, 4));
    const calendar = await workingCalendar(deps, p, [
      ...[...plans.values()].map((plan) => yearOf(now, plan.timezone)),
      ...late.map((d) => yearOf(new Date(d.dueAt), tzOf(d.planId))),
    ]);
    const me = recipientOf(p);
    const unacked = notices.items.filter((n) => n.acks[me] === undefined).length;
    const hasBelow = descendantsIn(units, unitId).length > 0;
    const chrome = chromeOf(c, { active: 'my', planId: plans.keys().next().value });
    return c.html(
      <Page title="我的任务" chrome={{ ...chrome, ...problemFlash(problem) }}>
        <h1>我的任务 · {chrome.who}</h1>
        <div class="card row">
          <span>待办 {duties.length} 条</span>
          <span class={`badge ${late.length > 0 ? 'b-red' : ''}`}>逾期 {late.length}</span>
          <span class="badge b-blue">待审核 {submitted.items.length}</span>
          <a href="#notices">
            未签收通知 <span class={`badge ${unacked > 0 ? 'b-yellow' : ''}`}>{unacked}</span>
          </a>
          {hasBelow && <a href="/review">下级单位报送,待本单位确认 →</a>}
        </div>
        <h2>待办任务</h2>
        {duties.length === 0 && <p class="card">没有待办任务。</p>}
        {duties.map((duty) => {
          const tz = tzOf(duty.planId);
          const reason = lastReturn(duty);
          return (
            <article
              class={`card duty ${duty.overdue ? 'overdue' : dutyLight(duty, now) === 'yellow' ? 'near' : ''}`}
              data-duty={duty.id}
            >
              <h3 class="row">
                <TrafficLight light={dutyLight(duty, now)} />
                <a href={`/duties/${duty.id}`}>{duty.title}</a>
              </h3>
              <p class="row">
                <span>截止 {dateTime(duty.dueAt, tz, now)}</span>
                {duty.overdue ? (
                  <span class="badge b-red">
                    逾期 {workingDaysLate(new Date(duty.dueAt), now, tz, calendar)} 个工作日
                  </span>
                ) : (
                  <span class="muted">{timeLeft(duty.dueAt, now)}</span>
                )}
                <RoleBadge duty={duty} />
                {duty.kind === 'report' && <span class="badge">定期报告</span>}
                {duty.kind === 'rectification' && <span class="badge">督查整改</span>}
                {duty.pendingExtensionId !== null && <span class="badge b-blue">延期审批中</span>}
                {duty.lastNoticeLevel !== null && (
                  <span class="badge b-yellow">已收{levelLabel(duty.lastNoticeLevel)}</span>
                )}
                <small>{plans.get(duty.planId)?.title}</small>
              </p>
              {reason !== null && (
                <p class="err-msg">
                  退回整改(第 {duty.round} 轮):{reason}
                </p>
              )}
              <div class="row">
                <a href={`/duties/${duty.id}`}>办理 / 提交办结 →</a>
                {duty.kind === 'report' && (
                  <form method="post" action={`/duties/${duty.id}/submit`}>
                    <Csrf token={c.get('csrfToken')} />
                    <input type="hidden" name="version" value={String(duty.version)} />
                    <input type="hidden" name="nothingToReport" value="1" />
                    <input type="hidden" name="back" value="my" />
                    <button type="submit" class="light">
                      零报告(本期无情况)
                    </button>
                  </form>
                )}
              </div>
            </article>
          );
        })}
        {open.truncated && <p class="muted">只显示最紧急的 {duties.length} 条。</p>}
        <h2>已提交,待审核</h2>
        {submitted.items.length === 0 ? (
          <p class="muted">无</p>
        ) : (
          <ul>
            {submitted.items.map((duty) => (
              <li>
                <a href={`/duties/${duty.id}`}>{duty.title}</a>{' '}
                <small>
                  提交于 {dateTime(duty.submission?.submittedAt ?? duty.updatedAt, tzOf(duty.planId), now)}
                </small>
              </li>
            ))}
          </ul>
        )}
        <h2 id="notices">督办通知</h2>
        {notices.items.length === 0 && <p class="muted">没有通知。</p>}
        {notices.items.map((n) => (
          <NoticeCard
            notice={n}
            acked={n.acks[me] !== undefined}
            about={n.unitId === unitId ? null : (units.get(n.unitId)?.name ?? n.unitId)}
            plan={plans.get(n.planId)}
            now={now}
            csrfToken={c.get('csrfToken')}
          />
        ))}
      </Page>,
      problem?.status ?? 200,
    );
  }

  async function showDuty(c: WebContext, dutyId: string, failed?: Failed, problem?: Problem) {
    const p = c.get('principal');
    const now = deps.clock();
    const duty = await deps.duties.get(p, dutyId, now);
    const [plans, units, tasks, requests] = await Promise.all([
      planDirectory(deps, p),
      unitDirectory(deps, p),
      collect((page) => deps.plans.listTasks(p, duty.planId, page), 1000),
      deps.extensions.list(p, duty.id),
    ]);
    const plan = plans.get(duty.planId);
    const tz = plan?.timezone ?? DEFAULT_TIMEZONE;
    const task = tasks.items.find((t) => t.id === duty.taskId);
    const phase = plan?.phases.find((ph) => ph.key === duty.phaseKey);
    const canSubmit =
      duty.status === 'open' && decide(p, 'duty.submit', { ownerUnitId: duty.unitId }).allowed;
    const canReview =
      duty.status === 'submitted' && decide(p, 'duty.review', { ownerUnitId: duty.unitId }).allowed;
    // A sign-off level sees the two forms only on its turn; the service checks the same again.
    const canConfirm =
      duty.status === 'submitted' &&
      p.unitId !== undefined &&
      duty.awaitingConfirmationFrom === p.unitId &&
      decide(p, 'duty.confirm', { ownerUnitId: duty.unitId, ownerAncestors: ancestorsIn(units, duty.unitId) })
        .allowed;
    const mayRequest = decide(p, 'extension.request', { ownerUnitId: duty.unitId }).allowed;
    // 延期申请: before the due time, while open, one pending request at a time.
    const canRequest =
      mayRequest && duty.status === 'open' && !duty.overdue && duty.pendingExtensionId === null;
    const calendar = await workingCalendar(
      deps,
      p,
      [now, new Date(duty.dueAt)].map((d) => Number(localDateOf(d, tz).slice(0, 4))),
    );
    const values = failed?.form === 'submit' ? failed.values : emptySubmit();
    const errors = failed?.form === 'submit' ? failed.errors : undefined;
    const ext = failed?.form === 'extension' ? failed.values : emptyExtension();
    const extErrors = failed?.form === 'extension' ? failed.errors : undefined;
    const { err: extErr, invalid: extInvalid } = fieldHelpers(extErrors);
    const { err } = fieldHelpers(errors);
    // The submit form's upload script sends files to the upload origin (S3 in AWS).
    if (canSubmit) c.header('content-security-policy', pageCsp(deps.web?.evidenceUploadOrigin));
    return c.html(
      <Page
        title={duty.title}
        chrome={chromeOf(c, {
          planId: duty.planId,
          active: p.unitId ? 'my' : undefined,
          ...problemFlash(problem),
        })}
      >
        <h1 class="row">
          <TrafficLight light={dutyLight(duty, now)} />
          {duty.title}
        </h1>
        <div class="card">
          <p class="row">
            <StatusBadge duty={duty} />
            <RoleBadge duty={duty} />
            {duty.kind === 'report' && <span class="badge">定期报告</span>}
            {duty.kind === 'rectification' && <span class="badge">督查整改</span>}
            {duty.round > 1 && <span class="badge b-yellow">第 {duty.round} 轮</span>}
            {duty.extensions > 0 && <span class="badge">已延期 {duty.extensions} 次</span>}
          </p>
          <p>
            责任单位:{units.get(duty.unitId)?.name ?? duty.unitId}
            <br />
            工作方案:{plan?.title ?? duty.planId} · {phase?.name ?? duty.phaseKey}
            <br />
            截止时间:{dateTime(duty.dueAt, tz, now)}{' '}
            {duty.overdue ? (
              <span class="badge b-red">
                逾期 {workingDaysLate(new Date(duty.dueAt), now, tz, calendar)} 个工作日
              </span>
            ) : duty.status === 'open' ? (
              <span class="muted">{timeLeft(duty.dueAt, now)}</span>
            ) : null}
            {duty.lastNoticeLevel !== null && (
              <>
                <br />
                已发督办:{levelLabel(duty.lastNoticeLevel)}
              </>
            )}
          </p>
          {task !== undefined && task.description !== '' && (
            <p style="white-space:pre-wrap">
              <strong>工作要求:</strong>
              {task.description}
            </p>
          )}
        </div>
        {duty.submission !== null && (
          <>
            <h2>{duty.status === 'open' ? '上次提交' : '提交情况'}</h2>
            <div class="card">
              <SubmissionView duty={duty} timeZone={tz} now={now} />
              <Confirmations duty={duty} units={units} timeZone={tz} now={now} />
            </div>
          </>
        )}
        {canConfirm && (
          <>
            <h2>本单位确认</h2>
            <ConfirmActions duty={duty} csrfToken={c.get('csrfToken')} />
          </>
        )}
        {duty.reviews.length > 0 && (
          <>
            <h2>审核记录</h2>
            <ReviewHistory duty={duty} timeZone={tz} now={now} />
          </>
        )}
        {canReview && (
          <>
            <h2>审核</h2>
            <ReviewActions duty={duty} csrfToken={c.get('csrfToken')} />
          </>
        )}
        {(requests.length > 0 || (mayRequest && duty.status === 'open')) && (
          <>
            <h2 id="extension">延期申请</h2>
            <ExtensionHistory requests={requests} timeZone={tz} now={now} />
            {duty.pendingExtensionId !== null && decide(p, 'extension.decide').allowed && (
              <p>
                <a href={`/plans/${duty.planId}/extensions#x-${duty.pendingExtensionId}`}>去审批 →</a>
              </p>
            )}
            {mayRequest && duty.status === 'open' && duty.overdue && (
              <p class="muted">已过截止时间,不能再申请延期,请尽快办理。</p>
            )}
            {canRequest && (
              <form
                method="post"
                action={`/duties/${duty.id}/extension-requests`}
                class="card"
                novalidate
                data-form="extension"
              >
                <Csrf token={c.get('csrfToken')} />
                <p class="muted">
                  须在截止时间之前申请,写明理由、目前进展和建议的新截止日期,由办公室或领导审批。
                </p>
                {extErr('(root)')}
                <TextArea
                  id="ext-reason"
                  name="reason"
                  label="延期理由"
                  value={ext.reason}
                  maxlength={2000}
                  errors={extErrors}
                />
                <TextArea
                  id="ext-progress"
                  name="progress"
                  label="目前进展"
                  value={ext.progress}
                  maxlength={2000}
                  errors={extErrors}
                />
                <label class="f" for="ext-due">
                  建议延至(当天 24 时前)
                </label>
                <input
                  type="date"
                  id="ext-due"
                  name="proposedDueAt"
                  value={ext.proposedDueAt}
                  class={extInvalid('proposedDueAt')}
                />
                {extErr('proposedDueAt')}
                <p>
                  <button type="submit" class="light">
                    提交延期申请
                  </button>
                </p>
              </form>
            )}
          </>
        )}
        {canSubmit && (
          <>
            <h2>提交办结</h2>
            <form
              method="post"
              action={`/duties/${duty.id}/submit`}
              class="card"
              novalidate
              data-uploads={`/duties/${duty.id}/evidence-uploads`}
            >
              <Csrf token={c.get('csrfToken')} />
              <input type="hidden" name="version" value={String(duty.version)} />
              <input type="hidden" name="back" value="duty" />
              {err('(root)')}
              {err('version')}
              <TextArea
                id="note"
                name="note"
                label="办理情况"
                value={values.note}
                maxlength={5000}
                errors={errors}
              />
              {duty.kind === 'report' && (
                <p>
                  <label>
                    <input
                      type="checkbox"
                      name="nothingToReport"
                      value="1"
                      checked={values.nothingToReport}
                    />{' '}
                    零报告:本期没有需要报告的情况
                  </label>
                  {err('nothingToReport')}
                </p>
              )}
              <span class="f">佐证资料(可选:上传文件,或填写文件名称和存放位置、链接)</span>
              {values.evidence.map((e, i) => (
                <div class="grid2">
                  <InlineText
                    name={`evidence.${i}.title`}
                    value={e.title}
                    placeholder="名称,如 花名册(签字版)"
                    label={`佐证资料 ${i + 1} 名称`}
                    errors={errors}
                  />
                  <InlineText
                    name={`evidence.${i}.ref`}
                    value={e.ref}
                    placeholder="位置或链接"
                    label={`佐证资料 ${i + 1} 位置`}
                    errors={errors}
                  />
                  <EvidenceFileInput row={i} />
                </div>
              ))}
              <p>
                <button type="submit">提交办结</button>
              </p>
              {EvidenceUploadScript}
            </form>
          </>
        )}
      </Page>,
      problem?.status ?? (failed === undefined ? 200 : 400),
    );
  }

  app.get('/my', signedIn, async (c) => showMine(c));
  app.get('/duties/:dutyId', signedIn, async (c) => showDuty(c, pathId(c, 'dutyId', '任务')));

  app.post('/duties/:dutyId/submit', signedIn, checkForm, async (c) => {
    const p = c.get('principal');
    const dutyId = pathId(c, 'dutyId', '任务');
    const form = await readForm(c);
    const fromList = one(form, 'back') === 'my';
    const values: SubmitValues = {
      note: one(form, 'note'),
      evidence: Array.from({ length: EVIDENCE_ROWS }, (_, i) => ({
        title: one(form, `evidence.${i}.title`),
        ref: one(form, `evidence.${i}.ref`),
      })),
      nothingToReport: one(form, 'nothingToReport') === '1',
    };
    // Blank rows are not evidence; the rows given keep their on-screen number for error messages.
    const given = values.evidence
      .map((e, row) => ({ e, row }))
      .filter(({ e }) => e.title.trim() !== '' || e.ref.trim() !== '');
    const parsed = SubmitDutySchema.safeParse({
      note: optional(values.note),
      evidence: given.map(({ e }) => e),
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

  app.post('/notices/:noticeId/ack', signedIn, checkForm, async (c) => {
    await deps.notices.ack(c.get('principal'), pathId(c, 'noticeId', '通知'), deps.clock());
    return c.redirect(c.get('principal').unitId === undefined ? '/' : '/my?ok=acked#notices', 303);
  });

  return app;
}

const NoticeCard: FC<{
  notice: Notice;
  acked: boolean;
  about: string | null;
  plan: Plan | undefined;
  now: Date;
  csrfToken: string;
}> = ({ notice, acked, about, plan, now, csrfToken }) => {
  const tz = plan?.timezone ?? DEFAULT_TIMEZONE;
  return (
    <div class="card row" data-notice={notice.id}>
      <span
        class={`badge ${notice.offsetWorkingDays > 0 ? 'b-red' : notice.offsetWorkingDays === 0 ? 'b-yellow' : ''}`}
      >
        {notice.levelLabel || levelLabel(notice.level)}
      </span>
      <span>
        {about === null ? <a href={`/duties/${notice.dutyId}`}>{notice.dutyTitle}</a> : notice.dutyTitle}
        {about !== null && <small>(所辖 {about})</small>}
      </span>
      <small>
        {dateTime(notice.createdAt, tz, now)}
        {notice.workingDaysLate > 0 && ` · 已逾期 ${notice.workingDaysLate} 个工作日`}
      </small>
      {acked ? (
        <span class="badge b-green">已签收</span>
      ) : (
        <form method="post" action={`/notices/${notice.id}/ack`}>
          <Csrf token={csrfToken} />
          <button type="submit" class="light">
            签收
          </button>
        </form>
      )}
    </div>
  );
};
