import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { NoticeRepository } from '../db/notice-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import {
  createWorkingCalendar,
  type WorkingCalendar,
  workingDaysLate,
} from '../domain/calendar/working-calendar.js';
import { DUTY_STATUS_LABELS } from '../domain/duty/duty-status.js';
import { MANUAL_LEVEL } from '../domain/duty/receipt.js';
import { levelLabel } from '../domain/escalation/ladder.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { Notice, RemindInput } from '../schemas/notices.js';
import { DEFAULT_TIMEZONE } from '../schemas/plans.js';
import { authorize } from './access.js';
import { escalationEventIdFor } from './sweep-service.js';
import { ownerContext } from './unit-tree.js';

export interface ReminderService {
  /**
   * 催办 by hand: a `manual` notice to the duty's unit, written like the sweep's (same writer, so
   * whatever delivers the sweep's notices delivers it), with who pressed it and an optional line
   * of text. Each press is one notice; a retried press is made idempotent by the route's
   * Idempotency-Key.
   */
  remind(principal: Principal, dutyId: string, input: RemindInput, now: Date): Promise<Notice>;
}

/**
 * A notice about one duty outside the ladder, as a person's press writes it (催办, 领导批示): its
 * unit's inbox and the given recipients, how late the duty is now, and who pressed it.
 */
export function pressedNotice(args: {
  id: string;
  duty: DutyRecord;
  level: string;
  addressees: Notice['addressees'];
  recipients: string[];
  /** When it is written (and scheduled): a retry keeps the first press's instant. */
  at: string;
  now: Date;
  timeZone: string;
  calendar: WorkingCalendar;
  text: string | null;
  pressedBy: string;
}): Notice {
  const { duty, now, timeZone, calendar } = args;
  return {
    id: args.id,
    planId: duty.planId,
    taskId: duty.taskId,
    dutyId: duty.id,
    unitId: duty.unitId,
    dutyTitle: duty.title,
    round: duty.round,
    level: args.level,
    levelLabel: levelLabel(args.level),
    offsetWorkingDays: 0,
    addressees: args.addressees,
    recipients: args.recipients,
    dueAt: duty.dueAt,
    scheduledAt: args.at,
    createdAt: args.at,
    workingDaysLate:
      duty.status === 'open' ? workingDaysLate(new Date(duty.dueAt), now, timeZone, calendar) : 0,
    calendarFallback: calendar.fallbackYearsUsed().length > 0,
    acks: {},
    text: args.text,
    pressedBy: args.pressedBy,
  };
}

export function reminderService(deps: {
  duties: Pick<DutyRepository, 'get'>;
  plans: Pick<PlanRepository, 'get'>;
  units: UnitRepository;
  calendars: CalendarRepository;
  notices: Pick<NoticeRepository, 'writeNotice'>;
}): ReminderService {
  const { duties, plans, units, calendars, notices } = deps;
  return {
    async remind(principal, dutyId, input, now) {
      const duty = await duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      authorize(principal, 'duty.remind', await ownerContext(units, principal, duty.unitId));
      if (duty.status !== 'open') {
        throw new ConflictError(
          'duty_not_open',
          `任务当前状态为“${DUTY_STATUS_LABELS[duty.status]}”,不需要催办`,
          { status: duty.status },
        );
      }
      const [plan, overrides] = await Promise.all([plans.get(duty.planId), calendars.list()]);
      const timeZone = plan?.timezone ?? DEFAULT_TIMEZONE;
      const calendar = createWorkingCalendar(overrides);
      const nowIso = now.toISOString();
      const id = newId('remind', now);
      const notice = pressedNotice({
        id,
        duty,
        level: MANUAL_LEVEL,
        addressees: ['unit'],
        recipients: [`unit:${duty.unitId}`],
        at: nowIso,
        now,
        timeZone,
        calendar,
        text: input.text ?? null,
        pressedBy: principal.sub,
      });
      const audit = auditEvent(
        principal,
        'duty.remind',
        { type: 'duty', id: duty.id, planId: duty.planId },
        { before: {}, after: { noticeId: id, text: notice.text } },
        now,
        { id: escalationEventIdFor(id) },
      );
      await notices.writeNotice({ notice, audit });
      return notice;
    },
  };
}
