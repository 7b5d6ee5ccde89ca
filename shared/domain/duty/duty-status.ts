/** Where a duty stands. `open` covers both "not yet submitted" and "returned for rework". */
export const DUTY_STATUSES = ['open', 'submitted', 'accepted'] as const;
export type DutyStatus = (typeof DUTY_STATUSES)[number];

/** What can happen to a duty: the unit submits; the office accepts or returns it for rework (退回整改). */
export const DUTY_EVENTS = ['submit', 'accept', 'return'] as const;
export type DutyEvent = (typeof DUTY_EVENTS)[number];

/** Status names as a county office writes them on a 督办 list. */
export const DUTY_STATUS_LABELS: Record<DutyStatus, string> = {
  open: '待办',
  submitted: '已提交',
  accepted: '已办结',
};

/** Event names for messages and audit entries. */
export const DUTY_EVENT_LABELS: Record<DutyEvent, string> = {
  submit: '提交',
  accept: '办结',
  return: '退回',
};

/**
 * An allowed transition, or the reason it is refused. `returned` is true only for `return`, the
 * one transition that starts a new round of work: the caller counts the return and sets the new
 * deadline (限时整改) with the reason.
 */
export type DutyTransition = { ok: true; to: DutyStatus; returned: boolean } | { ok: false; message: string };

const NEXT: Record<DutyStatus, Partial<Record<DutyEvent, DutyStatus>>> = {
  open: { submit: 'submitted' },
  submitted: { accept: 'accepted', return: 'open' },
  accepted: {},
};

// The refusal names what the user tried and why it cannot be done, in the office's words.
const REFUSALS: Record<DutyStatus, Partial<Record<DutyEvent, string>>> = {
  open: {
    accept: '尚未提交，不能办结',
    return: '尚未提交，不能退回',
  },
  submitted: {
    submit: '不能再次提交',
  },
  accepted: {
    submit: '已经办结，不能再提交',
    accept: '不能再次办结',
    return: '已经办结，不能退回',
  },
};

/** Whether `value` is one of {@link DUTY_STATUSES}, for data read back from storage. */
export function isDutyStatus(value: string): value is DutyStatus {
  return (DUTY_STATUSES as readonly string[]).includes(value);
}

/**
 * The duty state machine: `submit` takes an open duty to submitted; `accept` takes a submitted
 * duty to accepted; `return` takes a submitted duty back to open for rework. Every other pair is
 * refused with a Chinese message naming the current status, such as
 * `任务当前状态为“已提交”，不能再次提交`.
 */
export function transition(status: DutyStatus, event: DutyEvent): DutyTransition {
  const to = NEXT[status]?.[event];
  if (to !== undefined) {
    return { ok: true, to, returned: event === 'return' };
  }
  const label = DUTY_STATUS_LABELS[status] ?? status;
  const reason = REFUSALS[status]?.[event] ?? `不能执行“${DUTY_EVENT_LABELS[event] ?? event}”操作`;
  return { ok: false, message: `任务当前状态为“${label}”，${reason}` };
}
