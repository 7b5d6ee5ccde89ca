import type { FC } from 'hono/jsx';
import { workingDaysLate } from '../../../shared/domain/calendar/working-calendar.js';
import { levelLabel } from '../../../shared/domain/escalation/ladder.js';
import { dutyLight } from '../../../shared/web/traffic-light.js';
import { TrafficLight } from '../charts.js';
import {
  ConfirmActions,
  Confirmations,
  ExtensionHistory,
  ReviewActions,
  ReviewHistory,
  RoleBadge,
  StatusBadge,
  SubmissionView,
} from '../duty-parts.js';
import { EvidenceFileInput, EvidenceUploadScript, fieldHelpers, InlineText, TextArea } from '../fields.js';
import { FormKey, newFormKey } from '../form-key.js';
import { dateTime, timeLeft } from '../format.js';
import type { FieldErrors } from '../forms.js';
import { type Chrome, Csrf, Page } from '../layout.js';
import { ProgressSection } from '../progress-parts.js';
import { DutyExtraForms, DutyExtras, type DutyExtrasData } from './duty-extras-view.js';
import type { DutyPageData } from './my-duties-load.js';

/** Evidence rows on the submit form. */
export const EVIDENCE_ROWS = 3;

export interface SubmitValues {
  note: string;
  evidence: { title: string; ref: string }[];
  nothingToReport: boolean;
}

const emptySubmit = (): SubmitValues => ({
  note: '',
  evidence: Array.from({ length: EVIDENCE_ROWS }, () => ({ title: '', ref: '' })),
  nothingToReport: false,
});

export interface ExtensionValues {
  reason: string;
  progress: string;
  proposedDueAt: string;
}

const emptyExtension = (): ExtensionValues => ({ reason: '', progress: '', proposedDueAt: '' });

/** A form that came back with problems: which one, what was typed, and the problems by field. */
export type Failed =
  | { form: 'submit'; errors: FieldErrors; values: SubmitValues }
  | { form: 'extension'; errors: FieldErrors; values: ExtensionValues }
  | { form: 'remind'; errors: FieldErrors; values: { text: string } };

/** One duty: its facts, submission, reviews, extension requests, and the forms the reader may use. */
export const DutyPage: FC<{
  data: DutyPageData;
  chrome: Chrome;
  csrfToken: string;
  failed?: Failed;
  /** 领导批示, 转办 and the print links (issue 17). */
  extras?: DutyExtrasData;
}> = ({ data, chrome, csrfToken, failed, extras }) => {
  const { duty, now, plan, units, task, requests, calendar, mayRequest } = data;
  const tz = data.timeZone;
  const phase = plan?.phases.find((ph) => ph.key === duty.phaseKey);
  const values = failed?.form === 'submit' ? failed.values : emptySubmit();
  const errors = failed?.form === 'submit' ? failed.errors : undefined;
  const ext = failed?.form === 'extension' ? failed.values : emptyExtension();
  const extErrors = failed?.form === 'extension' ? failed.errors : undefined;
  const { err: extErr, invalid: extInvalid } = fieldHelpers(extErrors);
  const { err } = fieldHelpers(errors);
  return (
    <Page title={duty.title} chrome={chrome}>
      <h1 class="row">
        <TrafficLight light={dutyLight(duty, now)} />
        {duty.title}
      </h1>
      {extras && <DutyExtras extras={extras} />}
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
          {duty.period && (
            <>
              <br />
              期次:{duty.period.label}
            </>
          )}
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
      {duty.status === 'open' && (
        <>
          <h2>序时进度</h2>
          <ProgressSection
            duty={duty}
            now={now}
            timeZone={tz}
            calendar={calendar}
            mayReport={data.mayReportProgress}
            csrfToken={csrfToken}
          />
        </>
      )}
      {duty.receipt !== null && (
        <>
          <h2 id="receipt">签收</h2>
          <div class="card">
            {duty.receipt.at === null ? (
              <p>
                <span class="badge b-yellow">待签收</span> 请于 {dateTime(duty.receipt.dueAt, tz, now)} 前签收
                {duty.status === 'open' ? '' : '(提交即视为签收)'}
                {duty.receiptNoticedAt !== null && <span class="badge b-red">已超时未签收</span>}
              </p>
            ) : (
              <p>
                <span class="badge b-green">已签收</span> {dateTime(duty.receipt.at, tz, now)}
                {duty.receipt.by !== null && <> · {duty.receipt.by}</>}
                {duty.receipt.workingMinutes !== null && <> · 用时 {duty.receipt.workingMinutes} 工作分钟</>}
                {duty.receipt.at > duty.receipt.dueAt && <span class="badge b-red">超时签收</span>}
              </p>
            )}
            {data.canReceive && (
              <form method="post" action={`/duties/${duty.id}/receive`}>
                <Csrf token={csrfToken} />
                <button type="submit">签收</button>
              </form>
            )}
          </div>
        </>
      )}
      {data.canRemind && (
        <>
          <h2 id="remind">催办</h2>
          <form method="post" action={`/duties/${duty.id}/reminders`} class="card" novalidate>
            <Csrf token={csrfToken} />
            <FormKey value={newFormKey()} />
            <InlineText
              name="text"
              value={failed?.form === 'remind' ? failed.values.text : ''}
              placeholder="可附一句话,如:请于今天下班前报送"
              label="催办附言(可选,最多 200 字)"
              errors={failed?.form === 'remind' ? failed.errors : undefined}
            />
            <p>
              <button type="submit" class="light">
                催办
              </button>
            </p>
          </form>
        </>
      )}
      {duty.submission !== null && (
        <>
          <h2>{duty.status === 'open' ? '上次提交' : '提交情况'}</h2>
          <div class="card">
            <SubmissionView duty={duty} timeZone={tz} now={now} />
            <Confirmations duty={duty} units={units} timeZone={tz} now={now} />
          </div>
        </>
      )}
      {data.canConfirm && (
        <>
          <h2>本单位确认</h2>
          <ConfirmActions duty={duty} csrfToken={csrfToken} />
        </>
      )}
      {duty.reviews.length > 0 && (
        <>
          <h2>审核记录</h2>
          <ReviewHistory duty={duty} timeZone={tz} now={now} />
        </>
      )}
      {data.canReview && (
        <>
          <h2>审核</h2>
          <ReviewActions duty={duty} csrfToken={csrfToken} />
        </>
      )}
      {(requests.length > 0 || (mayRequest && duty.status === 'open')) && (
        <>
          <h2 id="extension">延期申请</h2>
          <ExtensionHistory requests={requests} timeZone={tz} now={now} />
          {duty.pendingExtensionId !== null && data.canDecideExtension && (
            <p>
              <a href={`/plans/${duty.planId}/extensions#x-${duty.pendingExtensionId}`}>去审批 →</a>
            </p>
          )}
          {mayRequest && duty.status === 'open' && duty.overdue && (
            <p class="muted">已过截止时间,不能再申请延期,请尽快办理。</p>
          )}
          {data.canRequest && (
            <form
              method="post"
              action={`/duties/${duty.id}/extension-requests`}
              class="card"
              novalidate
              data-form="extension"
            >
              <Csrf token={csrfToken} />
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
      {data.notYetOpen !== null && (
        <>
          <h2>提交办结</h2>
          <p class="card muted">{data.notYetOpen}</p>
        </>
      )}
      {data.canSubmit && (
        <>
          <h2>提交办结</h2>
          <form
            method="post"
            action={`/duties/${duty.id}/submit`}
            class="card"
            novalidate
            data-uploads={`/duties/${duty.id}/evidence-uploads`}
          >
            <Csrf token={csrfToken} />
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
                  <input type="checkbox" name="nothingToReport" value="1" checked={values.nothingToReport} />{' '}
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
      {extras && <DutyExtraForms extras={extras} csrfToken={csrfToken} />}
    </Page>
  );
};
