import { isOverdue } from '../domain/duty/due-time.js';
import type { Duty, DutyRecord } from '../schemas/duties.js';

/** A stored duty as the API shows it at `now`. */
export function toDutyView(record: DutyRecord, now: Date): Duty {
  return { ...record, overdue: record.status === 'open' && isOverdue(new Date(record.dueAt), now) };
}
