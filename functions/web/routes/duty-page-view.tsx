import type { FC } from 'hono/jsx';
import { workingDaysLate } from '../../../shared/domain/calendar/working-calendar.js';
import { dutyLight, lightSettingsOf } from '../../../shared/domain/duty/light.js';
import { levelLabel } from '../../../shared/domain/escalation/ladder.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import {
  ConfirmActions,
  Confirmations,
  EvidenceFacts,
  ExtensionHistory,
  evidenceFileLabel,
  Partners,
  ReturnedBanner,
  ReviewActions,
  ReviewHistory,
  RoleBadge,
  StatusBadge,
  SubmissionView,
  TitleMarks,
} from '../duty-parts.js';
import {
  ErrorSummary,
  EvidenceFileInput,
  EvidenceUploadScript,
  fieldHelpers,
  InlineText,
  type SummaryField,
  TextArea,
} from '../fields.js';
import { FormKey, newFormKey } from '../form-key.js';
import { dateTime, timeLeft } from '../format.js';
import { errorsUnder, type FieldErrors } from '../forms.js';
import { type Chrome, Csrf, FieldError, Page } from '../layout.js';
import { type MilestoneFailed, MilestoneForms } from '../milestone-forms.js';
import { ProgressSection } from '../progress-parts.js';
import {
  DutyExtraForms,
  DutyExtras,
  type DutyExtrasData,
  ExtraErrorSummary,
  type ExtraFailed,
} from './duty-extras-view.js';
import type { DutyPageData } from './my-duties-load.js';

/** Blank evidence rows on the submit form, after those kept from the last submission. */
export const EVIDENCE_ROWS = 3;

/** One evidence row of the submit form: typed, uploaded, or kept from the last submission (removable). */
export interface EvidenceRow {
  title: string;
  ref: string;
  /** Carried from the last submission: listed with its file name, kept unless `drop`. */
  kept: boolean;
  drop: boolean;
  size?: number | undefined;
}

export interface SubmitValues {
  note: string;
  evidence: EvidenceRow[];
  nothingToReport: boolean;
}

const blankRow = (): EvidenceRow => ({ title: '', ref: '', kept: false, drop: false });

/**
 * What the submit form starts from: for a duty submitted before (returned for rework), the last
 * submission's note and every evidence item, to be amended rather than typed again; then blank rows.
 */
export function submitStart(duty: Duty): SubmitValues {
  const last = duty.submission;
  const kept = (last?.evidence ?? []).map(
    (e): EvidenceRow => ({ title: e.title, ref: e.ref, kept: true, drop: false, size: e.size }),
  );
  return {
    note: last?.note ?? '',
    evidence: [...kept, ...Array.from({ length: EVIDENCE_ROWS }, blankRow)],
    nothingToReport: false,
  };
}

export interface ExtensionValues {
  reason: string;
  progress: string;
  proposedDueAt: string;
}

const emptyExtension = (): ExtensionValues => ({ reason: '', progress: '', proposedDueAt: '' });

/** Where each field of the submit form is, for the error summary's links. */
function submitField(field: string): SummaryField | undefined {
  if (field === 'note') return { label: '办理情况', id: 'note' };
  if (field === 'nothingToReport') return { label: '零报告', id: 'nothingToReport' };
  const m = /^evidence\.(\d+)\.(title|ref)$/.exec(field);
  if (m === null) return undefined;
  return { label: `佐证资料 ${Number(m[1]) + 1} ${m[2] === 'title' ? '名称' : '位置'}`, id: field };
}

const EXTENSION_FIELDS: Record<string, SummaryField> = {
  reason: { label: '延期理由', id: 'ext-reason' },
  progress: { label: '目前进展', id: 'ext-progress' },
  proposedDueAt: { label: '建议延至', id: 'ext-due' },
};
const extensionField = (field: string): SummaryField | undefined =>
  Object.hasOwn(EXTENSION_FIELDS, field) ? EXTENSION_FIELDS[field] : undefined;

/** A form that came back with problems: which one, what was typed, and the problems by field. */
export type Failed =
  | { form: 'submit'; errors: FieldErrors; values: SubmitValues }
  | { form: 'extension'; errors: FieldErrors; values: ExtensionValues }
  | { form: 'remind'; errors: FieldErrors; values: { text: string } }
  | MilestoneFailed
  | ExtraFailed;

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
  const light = dutyLight(duty, now, lightSettingsOf(plan, calendar, tz));
  const phase = plan?.phases.find((ph) => ph.key === duty.phaseKey);
  const values = failed?.form === 'submit' ? failed.values : submitStart(duty);
  const errors = failed?.form === 'submit' ? failed.errors : undefined;
  const ext = failed?.form === 'extension' ? failed.values : emptyExtension();
  const extErrors = failed?.form === 'extension' ? failed.errors : undefined;
  const { err: extErr, invalid: extInvalid } = fieldHelpers(extErrors);
  const { err } = fieldHelpers(errors);
  const extraFailed = failed?.form === 'instruction' || failed?.form === 'handoff' ? failed : undefined;
  return (
    <Page title={duty.title} chrome={chrome}>
      <h1 class="row">
        <TitleMarks duty={duty} light={light.light} reason={light.reason} />
        {duty.title}
      </h1>
      <ReturnedBanner duty={duty} timeZone={tz} now={now} />
      <ErrorSummary errors={errors} title="提交未成功,请修改以下问题后重新提交" fieldOf={submitField} />
      <ErrorSummary errors={extErrors} title="延期申请未提交,请修改以下问题" fieldOf={extensionField} />
      <ExtraErrorSummary failed={extraFailed} />
      {extras && <DutyExtras extras={extras} />}
      <div class="card">
        <p class="row">
          <StatusBadge duty={duty} />
          <RoleBadge duty={duty} />
          {duty.kind === 'report' && <span class="badge">定期报告</span>}
          {duty.kind === 'rectification' && <span class="badge">督查整改</span>}
          {duty.round > 1 && duty.status !== 'open' && <span class="badge b-yellow">第 {duty.round} 轮</span>}
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
        <Partners duty={duty} partners={data.partners} units={units} timeZone={tz} now={now} />
        {task !== undefined && task.description !== '' && (
          <p style="white-space:pre-wrap">
            <strong>工作要求:</strong>
            {task.description}
          </p>
        )}
      </div>
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
                  <input
                    type="checkbox"
                    id="nothingToReport"
                    name="nothingToReport"
                    value="1"
                    checked={values.nothingToReport}
                  />{' '}
                  零报告:本期没有需要报告的情况
                </label>
                {err('nothingToReport')}
              </p>
            )}
            {values.evidence.some((e) => e.kept) && (
              <>
                <span class="f">上次提交的佐证资料(保留;不需要的勾选“移除”)</span>
                <ul class="plain kept">
                  {values.evidence.map((e, i) =>
                    e.kept ? <KeptEvidence row={e} i={i} errors={errors} /> : null,
                  )}
                </ul>
              </>
            )}
            <span class="f">
              {values.evidence.some((e) => e.kept) ? '补充' : ''}
              佐证资料(可选:上传文件,或填写文件名称和存放位置、链接)
            </span>
            {values.evidence.map((e, i) =>
              e.kept ? null : (
                <div class="grid2">
                  <InlineText
                    id={`evidence.${i}.title`}
                    name={`evidence.${i}.title`}
                    value={e.title}
                    placeholder="名称,如 花名册(签字版)"
                    label={`佐证资料 ${i + 1} 名称`}
                    errors={errors}
                  />
                  <InlineText
                    id={`evidence.${i}.ref`}
                    name={`evidence.${i}.ref`}
                    value={e.ref}
                    placeholder="位置或链接"
                    label={`佐证资料 ${i + 1} 位置`}
                    errors={errors}
                  />
                  <EvidenceFileInput row={i} />
                </div>
              ),
            )}
            <p>
              <button type="submit">提交办结</button>
            </p>
            {EvidenceUploadScript}
          </form>
        </>
      )}
      {duty.status === 'open' && (
        <>
          <h2>序时进度</h2>
          <ProgressSection
            duty={duty}
            light={light}
            now={now}
            timeZone={tz}
            mayReport={data.mayReportProgress}
            csrfToken={csrfToken}
          />
          <MilestoneForms duty={duty} principal={chrome.principal} csrfToken={csrfToken} failed={failed} />
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
            <details class="fold" open={failed?.form === 'extension'}>
              <summary>申请延期</summary>
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
            </details>
          )}
        </>
      )}
      {extras && <DutyExtraForms extras={extras} csrfToken={csrfToken} failed={extraFailed} />}
    </Page>
  );
};

/** An evidence item kept from the last submission: its title (editable), file name and size, and 移除. */
const KeptEvidence: FC<{ row: EvidenceRow; i: number; errors: FieldErrors | undefined }> = ({
  row,
  i,
  errors,
}) => (
  <li class="row" data-kept={String(i)} id={`evidence.${i}.ref`}>
    <input type="hidden" name={`evidence.${i}.kept`} value="1" />
    <input type="hidden" name={`evidence.${i}.ref`} value={row.ref} />
    {row.size !== undefined && <input type="hidden" name={`evidence.${i}.size`} value={String(row.size)} />}
    <InlineText
      id={`evidence.${i}.title`}
      name={`evidence.${i}.title`}
      value={row.title}
      placeholder="名称"
      label={`佐证资料 ${i + 1} 名称`}
      errors={errors}
    />
    {evidenceFileLabel(row.ref) === null ? <small>{row.ref}</small> : <EvidenceFacts item={row} />}
    <label>
      <input type="checkbox" name={`evidence.${i}.drop`} value="1" checked={row.drop} /> 移除
    </label>
    <FieldError messages={errorsUnder(errors, `evidence.${i}.ref`)} />
  </li>
);
