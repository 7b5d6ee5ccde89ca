import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { NoticeRepository } from '../db/notice-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar, workingDaysLate } from '../domain/calendar/working-calendar.js';
import { DUTY_STATUS_LABELS } from '../domain/duty/duty-status.js';
import { MANUAL_LEVEL } from '../domain/duty/receipt.js';
import { levelLabel } from '../domain/escalation/ladder.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
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
      const notice: Notice = {
        id,
        planId: duty.planId,
        taskId: duty.taskId,
        dutyId: duty.id,
        unitId: duty.unitId,
        dutyTitle: duty.title,
        round: duty.round,
        level: MANUAL_LEVEL,
        levelLabel: levelLabel(MANUAL_LEVEL),
        offsetWorkingDays: 0,
        addressees: ['unit'],
        recipients: [`unit:${duty.unitId}`],
        dueAt: duty.dueAt,
        scheduledAt: nowIso,
        createdAt: nowIso,
        workingDaysLate: workingDaysLate(new Date(duty.dueAt), now, timeZone, calendar),
        calendarFallback: calendar.fallbackYearsUsed().length > 0,
        acks: {},
        text: input.text ?? null,
        pressedBy: principal.sub,
      };
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
