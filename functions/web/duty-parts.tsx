import type { FC } from 'hono/jsx';
import { DUTY_STATUS_LABELS } from '../../shared/domain/duty/duty-status.js';
import type { Duty, Evidence } from '../../shared/schemas/duties.js';
import { dateTime } from './format.js';
import { errorsUnder, type FieldErrors } from './forms.js';
import { Csrf, FieldError } from './layout.js';

const STATUS_BADGE = { open: '', submitted: 'b-blue', accepted: 'b-green' } as const;

/** 待办 / 已提交 / 已办结, or 逾期未办 in red. */
export const StatusBadge: FC<{ duty: Duty }> = ({ duty }) => (
  <span class={`badge ${duty.overdue ? 'b-red' : STATUS_BADGE[duty.status]}`}>
    {duty.overdue ? '逾期未办' : DUTY_STATUS_LABELS[duty.status]}
  </span>
);

/** 牵头 (lead unit) or 配合 (co-unit). */
export const RoleBadge: FC<{ duty: Duty }> = ({ duty }) => (
  <span class="badge">{duty.role === 'lead' ? '牵头' : '配合'}</span>
);

/** Only web links become links; any other reference (a file path, a cabinet number) stays text. */
const EvidenceRef: FC<{ reference: string }> = ({ reference }) =>
  /^https?:\/\//i.test(reference) ? (
    <a href={reference} rel="noopener noreferrer" target="_blank">
      {reference}
    </a>
  ) : (
    <code>{reference}</code>
  );

/** The evidence (佐证资料) a unit gave: a title and where to find it. */
export const EvidenceList: FC<{ evidence: Evidence[] }> = ({ evidence }) =>
  evidence.length === 0 ? (
    <p class="muted">(未附佐证资料)</p>
  ) : (
    <ul class="evidence">
      {evidence.map((e) => (
        <li>
          {e.title}:<EvidenceRef reference={e.ref} />
        </li>
      ))}
    </ul>
  );

/** What the unit reported: the note, the evidence and when. */
export const SubmissionView: FC<{ duty: Duty; timeZone: string; now: Date }> = ({ duty, timeZone, now }) => {
  const s = duty.submission;
  if (s === null) return null;
  return (
    <div class="submission">
      <p class="row">
        <span>提交于 {dateTime(s.submittedAt, timeZone, now)}</span>
        {s.submittedAt > duty.dueAt && <span class="badge b-yellow">逾期提交</span>}
        {s.nothingToReport && <span class="badge">零报告</span>}
      </p>
      <p style="white-space:pre-wrap">{s.note}</p>
      <EvidenceList evidence={s.evidence} />
    </div>
  );
};

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

/** The latest return's reason, for a duty that is open again in a new round. */
export function lastReturn(duty: Duty): string | null {
  const last = duty.reviews.at(-1);
  return last?.decision === 'returned' ? last.note : null;
}

/** Accept in one click; return with a reason (and optionally a new deadline) in one form. */
export const ReviewActions: FC<{
  duty: Duty;
  csrfToken: string;
  errors?: FieldErrors | undefined;
  values?: { reason: string; newDueAt: string } | undefined;
}> = ({ duty, csrfToken, errors, values }) => (
  <div class="row actions">
    <form method="post" action={`/duties/${duty.id}/accept`}>
      <Csrf token={csrfToken} />
      <input type="hidden" name="version" value={String(duty.version)} />
      <button type="submit" class="ok">
        通过办结
      </button>
    </form>
    <form method="post" action={`/duties/${duty.id}/return`} class="row" novalidate>
      <Csrf token={csrfToken} />
      <input type="hidden" name="version" value={String(duty.version)} />
      <span>
        <input
          type="text"
          name="reason"
          value={values?.reason ?? ''}
          placeholder="退回原因(必填)"
          aria-label="退回原因"
          maxlength={2000}
          class={errorsUnder(errors, 'reason').length > 0 ? 'invalid' : undefined}
        />
        <FieldError messages={errorsUnder(errors, 'reason')} />
      </span>
      <label>
        整改期限(不填为 3 个工作日){' '}
        <input
          type="date"
          name="newDueAt"
          value={values?.newDueAt ?? ''}
          class={errorsUnder(errors, 'newDueAt').length > 0 ? 'invalid' : undefined}
        />
        <FieldError messages={errorsUnder(errors, 'newDueAt')} />
      </label>
      <button type="submit" class="light">
        退回整改
      </button>
    </form>
  </div>
);
