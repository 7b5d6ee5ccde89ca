import type { FC, PropsWithChildren } from 'hono/jsx';
import { DUTY_STATUS_LABELS } from '../../shared/domain/duty/duty-status.js';
import { PROGRESS_LIGHT_LABELS, type ProgressLight } from '../../shared/domain/duty/light.js';
import { awaitingReceipt } from '../../shared/domain/duty/receipt.js';
import { classifyEvidenceRef, extensionOf, typeOfExtension } from '../../shared/domain/evidence/file-key.js';
import { EVIDENCE_CONTENT_TYPES } from '../../shared/domain/evidence/limits.js';
import type { Duty, SubmittedEvidence } from '../../shared/schemas/duties.js';
import type { ExtensionRequest } from '../../shared/schemas/extensions.js';
import type { Unit } from '../../shared/schemas/units.js';
import type { DutyPartner } from '../../shared/services/duty-service.js';
import { evidenceFileName } from '../../shared/services/evidence-service.js';
import { TrafficLight } from './charts.js';
import { InlineText, invalidClass } from './fields.js';
import { dateTime, fileSize } from './format.js';
import { errorsUnder, type FieldErrors } from './forms.js';
import { Csrf, FieldError } from './layout.js';

const STATUS_BADGE = { open: '', submitted: 'b-blue', accepted: 'b-green' } as const;

/** 待办 / 已提交 / 已办结, or in red 逾期未办 or 退回整改 (open again after a return). */
export const StatusBadge: FC<{ duty: Duty }> = ({ duty }) => (
  <>
    <span class={`badge ${duty.overdue || returnedBy(duty) !== null ? 'b-red' : STATUS_BADGE[duty.status]}`}>
      {duty.overdue ? '逾期未办' : returnedBy(duty) !== null ? '退回整改' : DUTY_STATUS_LABELS[duty.status]}
    </span>
    {awaitingReceipt(duty) && <span class="badge b-yellow">待签收</span>}
  </>
);

/**
 * A duty's part in its task in words: 牵头 (lead unit), 配合 (co-unit), or 转办 (passed down by the
 * unit above, which confirms and consolidates it: no co-unit of the lead).
 */
export function roleWord(duty: Pick<Duty, 'role' | 'handedOffFrom'>): '牵头' | '配合' | '转办' {
  if (duty.handedOffFrom) return '转办';
  return duty.role === 'lead' ? '牵头' : '配合';
}

/** 牵头, 配合 or 转办 (see roleWord). */
export const RoleBadge: FC<{ duty: Duty }> = ({ duty }) => (
  <span class="badge" title={duty.handedOffFrom ? '上级单位转办给本单位的任务' : undefined}>
    {roleWord(duty)}
  </span>
);

/**
 * The lead and its co-units see each other: a co-unit's page says who leads; the lead's lists each
 * co-unit, whether it has reported and what it wrote (the lead submits once all have).
 */
export const Partners: FC<{
  duty: Duty;
  partners: readonly DutyPartner[];
  units: Map<string, Unit>;
  timeZone: string;
  now: Date;
}> = ({ duty, partners, units, timeZone, now }) => {
  const name = (unitId: string) => units.get(unitId)?.name ?? unitId;
  if (duty.role !== 'lead') {
    const lead = partners.find((p) => p.role === 'lead');
    return lead === undefined ? null : (
      <p data-partners="lead">
        牵头单位:<strong>{name(lead.unitId)}</strong>
        <small>(本单位为配合单位,办理情况报牵头单位汇总)</small>
      </p>
    );
  }
  if (partners.length === 0) return null;
  const reported = partners.filter((p) => p.status !== 'open').length;
  return (
    <div data-partners="co">
      <p>
        配合单位({reported}/{partners.length} 已报送):
      </p>
      <ul class="plain">
        {partners.map((p) => (
          <li class="row" data-partner={p.unitId}>
            <strong>{name(p.unitId)}</strong>
            {p.status === 'open' ? (
              <span class="badge b-yellow">尚未报送</span>
            ) : (
              <span class="badge b-green">已报送</span>
            )}
            {p.submittedAt !== null && <small>{dateTime(p.submittedAt, timeZone, now)}</small>}
            {p.note !== null && <span style="white-space:pre-wrap">{p.note}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
};

/** The page that opens one of a duty's uploaded files (it answers with a short-lived download URL). */
export const evidenceHref = (dutyId: string, fileKey: string): string =>
  `/duties/${dutyId}/evidence/${evidenceFileName(fileKey)}`;

/**
 * A file uploaded for this duty becomes a download link (下载 PDF); a web link opens in a new tab
 * without telling the site where it came from; any other reference (a cabinet number, a foreign
 * key) stays text.
 */
const EvidenceRef: FC<{ reference: string; dutyId: string }> = ({ reference, dutyId }) => {
  if (classifyEvidenceRef(reference, dutyId) === 'own-file') {
    const type = typeOfExtension(extensionOf(reference) ?? '');
    return (
      <a href={evidenceHref(dutyId, reference)} data-evidence-file>
        下载{type === undefined ? '文件' : ` ${EVIDENCE_CONTENT_TYPES[type].label}`}
      </a>
    );
  }
  if (/^https?:\/\//i.test(reference)) {
    return (
      <a href={reference} rel="noopener noreferrer" target="_blank">
        {reference}
      </a>
    );
  }
  // A file kept elsewhere is named by its file name (EvidenceFacts, its path in the tooltip).
  return evidenceFileLabel(reference) === null ? <span>{reference}</span> : null;
};

/** An uploaded file's random id in front of its name (`f-<20 chars>-`), which means nothing to a reader. */
const FILE_ID_PREFIX = /^f-[0-9a-z]{20}-/;

/**
 * The file name a reader recognises in an evidence reference: the last part of a file path
 * (without an upload's random id), or null for a link or an archive number, which are shown as given.
 */
export function evidenceFileLabel(ref: string): string | null {
  if (/^https?:\/\//i.test(ref) || !ref.includes('/')) return null;
  return ref.slice(ref.lastIndexOf('/') + 1).replace(FILE_ID_PREFIX, '');
}

/** The file name and size of an evidence item, in small print after its title (nothing for a link). */
export const EvidenceFacts: FC<{ item: Pick<SubmittedEvidence, 'ref' | 'size'> }> = ({ item }) => {
  const name = evidenceFileLabel(item.ref);
  if (name === null) return null;
  // An upload's storage key means nothing to a reader; a path kept elsewhere says where to look.
  return (
    <small title={classifyEvidenceRef(item.ref, '') === 'external' ? item.ref : undefined}>
      {name}
      {item.size !== undefined && ` · ${fileSize(item.size)}`}
    </small>
  );
};

/** The evidence (佐证资料) a unit gave for a duty: its title, the file's name and size, and how to open it. */
export const EvidenceList: FC<{ evidence: SubmittedEvidence[]; dutyId: string }> = ({ evidence, dutyId }) =>
  evidence.length === 0 ? (
    <p class="muted">(未附佐证资料)</p>
  ) : (
    <ul class="evidence">
      {evidence.map((e) => (
        <li class="row">
          <strong>{e.title}</strong>
          <EvidenceFacts item={e} />
          <EvidenceRef reference={e.ref} dutyId={dutyId} />
        </li>
      ))}
    </ul>
  );

/** What the unit reported: when, the note and the evidence (nothing before it submits). */
export const SubmissionBody: FC<{ duty: Duty; timeZone: string; now: Date }> = ({ duty, timeZone, now }) => {
  const s = duty.submission;
  if (s === null) return null;
  return (
    <>
      <p class="row">
        <span>提交于 {dateTime(s.submittedAt, timeZone, now)}</span>
        {s.submittedAt > duty.dueAt && <span class="badge b-yellow">逾期提交</span>}
        {s.nothingToReport && <span class="badge">零报告</span>}
      </p>
      <p style="white-space:pre-wrap">{s.note}</p>
      <EvidenceList evidence={s.evidence} dutyId={duty.id} />
    </>
  );
};

/** The submission as a block of its own (the duty's page). */
export const SubmissionView: FC<{ duty: Duty; timeZone: string; now: Date }> = (props) =>
  props.duty.submission === null ? null : (
    <div class="submission">
      <SubmissionBody {...props} />
    </div>
  );

/** Earlier decisions, newest last: a returned duty shows why it came back. */
export const ReviewHistory: FC<{ duty: Duty; timeZone: string; now: Date }> = ({ duty, timeZone, now }) =>
  duty.reviews.length === 0 ? null : (
    <ul class="muted">
      {duty.reviews.map((r) => (
        <li>
          {`第 ${r.round} 轮 · ${dateTime(r.at, timeZone, now)} · ${r.decision === 'accepted' ? '审核通过' : '退回整改'}`}
          {r.note !== null && `:${r.note}`}
          {r.newDueAt !== null && `(整改期限 ${dateTime(r.newDueAt, timeZone, now)})`}
        </li>
      ))}
    </ul>
  );

/** The return (退回整改) that made this duty open again, or null when it is not open after a return. */
export function returnedBy(duty: Duty): Duty['reviews'][number] | null {
  const last = duty.reviews.at(-1);
  return duty.status === 'open' && last?.decision === 'returned' ? last : null;
}

/**
 * What stands before a duty's title: its light; on a returned duty first 退回整改 in red, then the
 * light with its words (a green dot alone beside returned work reads as "all well").
 */
export const TitleMarks: FC<{ duty: Duty; light: ProgressLight; reason?: string | undefined }> = ({
  duty,
  light,
  reason,
}) =>
  returnedBy(duty) === null ? (
    <TrafficLight light={light} reason={reason} />
  ) : (
    <>
      <span class="badge b-red">退回整改</span>
      <TrafficLight light={light} reason={reason} />
      <small class="muted" data-light-words="">
        {PROGRESS_LIGHT_LABELS[light]}
      </small>
    </>
  );

/** The latest return's reason, for a duty that is open again in a new round. */
export function lastReturn(duty: Duty): string | null {
  return returnedBy(duty)?.note ?? null;
}

/** 退回整改 in red at the top of a returned duty's page: the round, why, and the new deadline. */
export const ReturnedBanner: FC<{ duty: Duty; timeZone: string; now: Date }> = ({ duty, timeZone, now }) => {
  const review = returnedBy(duty);
  if (review === null) return null;
  return (
    <div class="card returned" data-returned>
      <p class="row">
        <span class="badge b-red">退回整改</span>
        <strong>第 {duty.round} 轮</strong>
        <small>退回于 {dateTime(review.at, timeZone, now)}</small>
      </p>
      <p style="white-space:pre-wrap">
        <strong>退回原因:</strong>
        {review.note ?? '(未写原因)'}
      </p>
      <p>
        <strong>整改期限:</strong>
        {dateTime(duty.dueAt, timeZone, now)}
      </p>
      <p class="muted">下方表单已带入上次提交的办理情况和佐证资料,请修改补充后重新提交。</p>
    </div>
  );
};

/** A one-row form posted to `/duties/:id/<action>`, carrying the version the page showed. */
const DutyRowForm: FC<PropsWithChildren<{ duty: Duty; action: string; csrfToken: string }>> = ({
  duty,
  action,
  csrfToken,
  children,
}) => (
  <form method="post" action={`/duties/${duty.id}/${action}`} class="row" novalidate>
    <Csrf token={csrfToken} />
    <input type="hidden" name="version" value={String(duty.version)} />
    {children}
  </form>
);

/** Return for rework: a reason and optionally a new deadline, in one form (the office or a sign-off level). */
const ReturnForm: FC<{
  duty: Duty;
  csrfToken: string;
  label: string;
  errors?: FieldErrors | undefined;
  values?: { reason: string; newDueAt: string } | undefined;
}> = ({ duty, csrfToken, label, errors, values }) => (
  <DutyRowForm duty={duty} action="return" csrfToken={csrfToken}>
    <label class="reason">
      退回原因(必填,写明要补什么、改什么)
      <textarea
        name="reason"
        rows={4}
        maxlength={2000}
        placeholder="如:缺少学校盖章的确认表,请补充后重新提交"
        class={invalidClass(errors, 'reason')}
      >
        {values?.reason ?? ''}
      </textarea>
      <FieldError messages={errorsUnder(errors, 'reason')} />
    </label>
    <label>
      整改期限(不填为 3 个工作日){' '}
      <input
        type="date"
        name="newDueAt"
        value={values?.newDueAt ?? ''}
        class={invalidClass(errors, 'newDueAt')}
      />
      <FieldError messages={errorsUnder(errors, 'newDueAt')} />
    </label>
    <button type="submit" class="light">
      {label}
    </button>
  </DutyRowForm>
);

/**
 * Accept in one click; return with a reason (and optionally a new deadline) in one form. While a
 * sign-off chain has not reached the office, only returning is possible.
 */
export const ReviewActions: FC<{
  duty: Duty;
  csrfToken: string;
  errors?: FieldErrors | undefined;
  values?: { reason: string; newDueAt: string } | undefined;
}> = ({ duty, csrfToken, errors, values }) => (
  <div class="row actions">
    {duty.awaitingConfirmationFrom === null && (
      // Asked once more before it acts (no script): 办结 cannot be undone by the reviewer.
      <details class="fold accept">
        <summary>通过办结</summary>
        <form method="post" action={`/duties/${duty.id}/accept`} class="card">
          <Csrf token={csrfToken} />
          <input type="hidden" name="version" value={String(duty.version)} />
          <p>通过后任务即办结,单位将看到“已办结”。确认材料齐全?</p>
          <button type="submit" class="ok">
            确认通过办结
          </button>
        </form>
      </details>
    )}
    <ReturnForm duty={duty} csrfToken={csrfToken} label="退回整改" errors={errors} values={values} />
  </div>
);

/** What a sign-off level typed into one of its two forms, kept when the form comes back with a problem. */
export interface ConfirmValues {
  note: string;
  reason: string;
  newDueAt: string;
}

/** A sign-off level (乡镇 over its 村): confirm with its own note and pass it up, or return it down. */
export const ConfirmActions: FC<{
  duty: Duty;
  csrfToken: string;
  errors?: FieldErrors | undefined;
  values?: ConfirmValues | undefined;
}> = ({ duty, csrfToken, errors, values }) => (
  <div class="row actions">
    <DutyRowForm duty={duty} action="confirm" csrfToken={csrfToken}>
      <InlineText
        name="note"
        value={values?.note ?? ''}
        placeholder="确认意见(必填),如 经核实情况属实"
        label="确认意见"
        maxlength={2000}
        errors={errors}
      />
      <button type="submit" class="ok">
        确认并上报
      </button>
    </DutyRowForm>
    <ReturnForm
      duty={duty}
      csrfToken={csrfToken}
      label="退回下级"
      errors={errors}
      values={values === undefined ? undefined : { reason: values.reason, newDueAt: values.newDueAt }}
    />
  </div>
);

/** The levels that have confirmed this round (村 → 乡镇 → 局), and the one it waits for. */
export const Confirmations: FC<{ duty: Duty; units: Map<string, Unit>; timeZone: string; now: Date }> = ({
  duty,
  units,
  timeZone,
  now,
}) =>
  duty.confirmations.length === 0 && duty.awaitingConfirmationFrom === null ? null : (
    <ul class="muted">
      {duty.confirmations.map((c) => (
        <li>
          {`${units.get(c.unitId)?.name ?? c.unitId} 已确认 · ${dateTime(c.at, timeZone, now)}:${c.note}`}
        </li>
      ))}
      {duty.status === 'submitted' && duty.awaitingConfirmationFrom !== null && (
        <li>
          <span class="badge b-yellow">
            待 {units.get(duty.awaitingConfirmationFrom)?.name ?? duty.awaitingConfirmationFrom} 确认
          </span>
        </li>
      )}
    </ul>
  );

const EXTENSION_STATUS = {
  pending: ['待审批', 'b-yellow'],
  approved: ['已批准', 'b-green'],
  refused: ['不予延期', 'b-red'],
} as const;

/** Why a unit asks for more time, and how far it has got. */
export const ExtensionReasons: FC<{ request: ExtensionRequest }> = ({ request }) => (
  <p style="white-space:pre-wrap">
    理由:{request.reason}
    <br />
    进展:{request.progress}
  </p>
);

/** A duty's extension requests (延期申请) and the decisions on them, oldest first. */
export const ExtensionHistory: FC<{ requests: ExtensionRequest[]; timeZone: string; now: Date }> = ({
  requests,
  timeZone,
  now,
}) => (
  <ul class="plain">
    {requests.map((r) => {
      const [label, badge] = EXTENSION_STATUS[r.status];
      return (
        <li class="card" data-request={r.id}>
          <p class="row">
            <span class={`badge ${badge}`}>{label}</span>
            <span>
              申请于 {dateTime(r.requestedAt, timeZone, now)},原截止{' '}
              {dateTime(r.dueAtWhenRequested, timeZone, now)}
              ,申请延至 {dateTime(r.proposedDueAt, timeZone, now)}
            </span>
          </p>
          <ExtensionReasons request={r} />
          {r.decidedAt !== null && (
            <p class="muted">
              {r.status === 'approved'
                ? `${dateTime(r.decidedAt, timeZone, now)} 批准,新的截止时间 ${dateTime(r.approvedDueAt ?? r.proposedDueAt, timeZone, now)}`
                : `${dateTime(r.decidedAt, timeZone, now)} 不予延期`}
              {r.decisionNote !== null && `:${r.decisionNote}`}
            </p>
          )}
        </li>
      );
    })}
  </ul>
);

/** `unitId`'s parent, grandparent … from the directory, nearest first (the tree is shallow). */
export function ancestorsIn(units: Map<string, Unit>, unitId: string): string[] {
  const chain: string[] = [];
  let current = units.get(unitId)?.parentId ?? null;
  while (current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = units.get(current)?.parentId ?? null;
  }
  return chain;
}

/** Every unit below `unitId` in the directory (children, grandchildren …). */
export function descendantsIn(units: Map<string, Unit>, unitId: string): string[] {
  const below = [...units.values()].filter((u) => ancestorsIn(units, u.id).includes(unitId));
  return below.map((u) => u.id);
}
