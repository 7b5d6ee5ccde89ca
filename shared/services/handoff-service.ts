import type { Principal } from '../auth/principal.js';
import { auditEvent, changedFields } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import { parseDueAt } from '../domain/duty/due-time.js';
import { DUTY_STATUS_LABELS } from '../domain/duty/duty-status.js';
import {
  ConflictError,
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  PhaseClosedError,
  ValidationError,
} from '../errors.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { HandOffInput, HandOffResult } from '../schemas/handoffs.js';
import { authorize } from './access.js';
import { newDuty, occurrenceDutyId } from './duty-factory.js';
import { toDutyView } from './duty-view.js';
import { ownerContexts } from './unit-tree.js';

export interface HandoffService {
  /**
   * 转办: the unit holding an open duty passes it down to units below it. Each gets its own duty
   * of the same task, on the same ladder (the task's policy, the parent's period), due no later
   * than the parent; its submission climbs to the holder for confirmation (逐级确认), and the
   * holder submits its own only once every one has submitted (the co-unit consolidation, one
   * level down). A unit already handed the duty is not handed it again: naming one is a 409 that
   * names it (a retry replays by its idempotency key), and the children's ids are fixed by task,
   * unit and parent, so a race writes each once.
   */
  handOff(principal: Principal, dutyId: string, input: HandOffInput, now: Date): Promise<HandOffResult>;
}

const ATTEMPTS = 3;

/** The occurrence key a child's id is fixed by: its parent duty (so two parents never collide). */
const handoffKey = (parentDutyId: string) => `handoff:${parentDutyId}`;

export function handoffService(deps: {
  duties: Pick<DutyRepository, 'get'>;
  plans: Pick<PlanRepository, 'get' | 'getTask' | 'createHandedDuties'>;
  units: UnitRepository;
  calendars: CalendarRepository;
}): HandoffService {
  const { duties, plans, units, calendars } = deps;

  const notOpen = (duty: DutyRecord) =>
    new ConflictError('duty_not_open', `任务当前状态为“${DUTY_STATUS_LABELS[duty.status]}”,不能转办`, {
      status: duty.status,
    });

  return {
    async handOff(principal, dutyId, input, now) {
      let duty = await duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      authorize(principal, 'duty.handoff', { ownerUnitId: duty.unitId });
      if (duty.status !== 'open') throw notOpen(duty);
      const holder = duty.unitId;
      const [plan, task, found, chainOf, overrides] = await Promise.all([
        plans.get(duty.planId),
        plans.getTask(duty.planId, duty.taskId),
        units.getMany(input.unitIds),
        ownerContexts(units, principal, input.unitIds, { upToPrincipal: true }),
        calendars.list(),
      ]);
      if (plan === undefined) throw new NotFoundError('工作方案', duty.planId);
      if (task === undefined) throw new NotFoundError('任务', duty.taskId);

      // Every unit named must be below the holder (403), exist and be active (400), all said at once.
      const problems: FieldProblem[] = [];
      const foreign: string[] = [];
      const levelsBelow = new Map<string, number>();
      for (const [i, unitId] of input.unitIds.entries()) {
        const field = `unitIds.${i}`;
        const unit = found.get(unitId);
        const depth = chainOf(unitId).ownerAncestors.indexOf(holder);
        if (unit === undefined) problems.push({ field, message: `单位不存在:${unitId}` });
        else if (depth < 0) foreign.push(unit.name);
        else if (!unit.active) problems.push({ field, message: `单位已停用:${unit.name}` });
        else levelsBelow.set(unitId, depth + 1);
      }
      let dueAt = duty.dueAt;
      if (input.dueAt !== undefined) {
        const parsed = parseDueAt(input.dueAt, plan.timezone);
        if (!parsed.ok) problems.push({ field: 'dueAt', message: parsed.message });
        else if (parsed.dueAt.getTime() > Date.parse(duty.dueAt)) {
          problems.push({ field: 'dueAt', message: '下级单位的截止时间不能晚于本单位的截止时间' });
        } else dueAt = parsed.dueAt.toISOString();
      }
      if (foreign.length > 0) {
        throw new ForbiddenError(`只能转办给本单位的下级单位:${foreign.join('、')}不在本单位之下`);
      }
      if (problems.length > 0) throw new ValidationError('转办信息有误', problems);
      if (plan.phaseClosures[duty.phaseKey] !== undefined) throw new PhaseClosedError(duty.phaseKey);

      const calendar = createWorkingCalendar(overrides);
      const nowIso = now.toISOString();
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const handed = duty.handedTo ?? [];
        const repeated = input.unitIds.filter((u) => handed.some((h) => h.unitId === u));
        if (repeated.length > 0) {
          // Handed before (an earlier round, another clerk): said by name, and nothing is written.
          const named = repeated.map((u) => found.get(u)?.name ?? u);
          throw new ConflictError('already_handed_off', `已转办给${named.join('、')},不能重复转办`, {
            unitIds: repeated,
          });
        }
        const parent: DutyRecord = duty;
        const children: DutyRecord[] = input.unitIds.map((unitId) => {
          const { coUnits: _none, ...base } = newDuty({
            id: occurrenceDutyId(task.id, unitId, handoffKey(parent.id)),
            plan,
            task,
            unitId,
            dueAt,
            occurrenceKey: parent.occurrenceKey,
            now,
            calendar,
          });
          return {
            ...base,
            role: 'co',
            title: parent.title,
            // Its submission climbs to the holder, who confirms it; then the office reviews it.
            signOffLevels: levelsBelow.get(unitId) ?? 1,
            handedOffFrom: {
              dutyId: parent.id,
              unitId: holder,
              at: nowIso,
              by: principal.sub,
              note: input.note ?? '',
            },
          };
        });
        const next: DutyRecord = {
          ...parent,
          handedTo: [...handed, ...children.map((c) => ({ unitId: c.unitId, dutyId: c.id, at: nowIso }))],
          updatedAt: nowIso,
          version: parent.version + 1,
        };
        const entity = { type: 'duty' as const, id: parent.id, planId: parent.planId };
        const audits = [
          auditEvent(principal, 'duty.handoff', entity, changedFields(parent, next), now),
          // The children's assignment (交办), read back as the first line of each one's history.
          auditEvent(
            principal,
            'task.handoff',
            { type: 'task', id: task.id, planId: task.planId },
            {
              before: null,
              after: {
                fromDutyId: parent.id,
                fromUnitId: holder,
                note: input.note ?? '',
                dueAt,
                policy: parent.escalation,
                dutyIds: children.map((c) => c.id),
              },
            },
            now,
          ),
        ];
        const names = new Map(children.map((c) => [c.unitId, found.get(c.unitId)?.name ?? c.unitId]));
        if (await plans.createHandedDuties({ next, read: parent }, children, audits, names)) {
          return {
            duty: toDutyView(next, now),
            children: children.map((c) => toDutyView(c, now)),
            created: children.length,
          };
        }
        // Someone moved first (a retry, a submit, another 转办): read again and decide again.
        const current = await duties.get(dutyId);
        if (current === undefined) throw new NotFoundError('任务', dutyId);
        if (current.status !== 'open') throw notOpen(current);
        if (current.version === parent.version) {
          // Not the parent: the phase closed meanwhile, or a child already stands there.
          const latest = await plans.get(duty.planId);
          if (latest?.phaseClosures[duty.phaseKey] !== undefined) throw new PhaseClosedError(duty.phaseKey);
        }
        duty = current;
      }
      throw new ConflictError('version_conflict', '任务已被他人修改,请刷新后重试');
    },
  };
}
