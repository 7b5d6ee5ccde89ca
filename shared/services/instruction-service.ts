import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { InstructionRepository } from '../db/instruction-repository.js';
import type { NoticeRepository } from '../db/notice-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import { INSTRUCTION_LEVEL } from '../domain/escalation/ladder.js';
import { localDateOf } from '../domain/time/zoned-time.js';
import { NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { CreateInstructionInput, Instruction } from '../schemas/instructions.js';
import { DEFAULT_TIMEZONE, type Plan } from '../schemas/plans.js';
import { authorize } from './access.js';
import { pressedNotice } from './reminder-service.js';
import { escalationEventIdFor } from './sweep-service.js';
import { ownerContext } from './unit-tree.js';

export interface InstructionService {
  /**
   * 领导批示 on one duty: stored with its audit event (the duty's history), and written as one
   * `instruction` notice to the duty's unit (and, from a leader, to the office) through the single
   * notice writer, so the delivery outbox pushes it. `key` (the request's Idempotency-Key, or a
   * page's form key) fixes the instruction's id: a retry — even after a crash half-way — writes
   * nothing twice and finishes what is missing.
   */
  onDuty(
    principal: Principal,
    dutyId: string,
    input: CreateInstructionInput,
    now: Date,
    key?: string,
  ): Promise<Instruction>;
  /**
   * 领导批示 on a whole task: as `onDuty`, with one notice to each unit holding a duty of the task
   * that is not yet done (its earliest such duty); from a leader, the lead unit's notice goes to
   * the office too.
   */
  onTask(
    principal: Principal,
    planId: string,
    taskId: string,
    input: CreateInstructionInput,
    now: Date,
    key?: string,
  ): Promise<Instruction>;
  /**
   * What a duty's readers see: the instructions on its task and on the duty itself, oldest first.
   * A page that has read the duty and knows its owner's ancestors gives them (`known`): the policy
   * decides on those, and only the instructions are read.
   */
  forDuty(
    principal: Principal,
    dutyId: string,
    known?: { duty: Pick<DutyRecord, 'id' | 'taskId' | 'unitId'>; ownerAncestors: string[] },
  ): Promise<Instruction[]>;
  /** Every instruction on the task and its duties (those who read every duty: office, leaders). */
  forTask(principal: Principal, planId: string, taskId: string): Promise<Instruction[]>;
}

/** An id fixed by who pressed, on what, and the press's key; fresh when there is no key. */
function instructionId(principal: Principal, target: string, key: string | undefined, now: Date): string {
  if (key === undefined) return newId('instr', now);
  const digest = createHash('sha256').update(`${principal.role}:${principal.sub}|${target}|${key}`).digest();
  return `instr-${digest.toString('hex').slice(0, 24)}`;
}

const noticeIdOf = (instruction: Pick<Instruction, 'id'>, dutyId: string) => `${instruction.id}-${dutyId}`;
const dutyIdOfNotice = (instruction: Pick<Instruction, 'id'>, noticeId: string) =>
  noticeId.slice(instruction.id.length + 1);

/** Of a task's duties, the one per unit an instruction goes to: the earliest not yet accepted. */
function oneOpenDutyPerUnit(duties: readonly DutyRecord[]): DutyRecord[] {
  const chosen = new Map<string, DutyRecord>();
  for (const d of [...duties].sort((a, b) => a.dueAt.localeCompare(b.dueAt))) {
    if (d.status === 'accepted' || chosen.has(d.unitId)) continue;
    chosen.set(d.unitId, d);
  }
  return [...chosen.values()];
}

export function instructionService(deps: {
  instructions: InstructionRepository;
  duties: Pick<DutyRepository, 'get' | 'getMany' | 'ofTask'>;
  plans: Pick<PlanRepository, 'get' | 'getTask'>;
  units: UnitRepository;
  calendars: CalendarRepository;
  notices: Pick<NoticeRepository, 'writeNotice'>;
}): InstructionService {
  const { instructions, duties, plans, units, calendars, notices } = deps;

  async function mustPlan(planId: string): Promise<Plan> {
    const plan = await plans.get(planId);
    if (plan === undefined) throw new NotFoundError('工作方案', planId);
    return plan;
  }

  /**
   * Stores the instruction (or finds the one a retry stored) and writes each of its notices, each
   * once by its fixed id: the instruction first, so a notice never points at nothing.
   */
  async function store(
    principal: Principal,
    draft: Instruction,
    targets: readonly DutyRecord[],
    plan: Plan,
    now: Date,
  ): Promise<Instruction> {
    const onDuty = draft.dutyId !== null;
    const audit = auditEvent(
      principal,
      onDuty ? 'duty.instruct' : 'task.instruct',
      { type: onDuty ? 'duty' : 'task', id: draft.dutyId ?? draft.taskId, planId: draft.planId },
      {
        before: null,
        after: {
          instructionId: draft.id,
          text: draft.text,
          signedBy: draft.signedBy,
          signedOn: draft.signedOn,
        },
      },
      now,
    );
    let instruction = draft;
    let recipients = targets;
    if (!(await instructions.create(draft, audit))) {
      // A retry of the same press: the first one's instruction and duties, whatever it got done.
      const stored = await instructions.get(draft.taskId, draft.id);
      if (stored === undefined) throw new Error(`instruction ${draft.id} refused its Put but is not stored`);
      instruction = stored;
      const found = await duties.getMany(stored.noticeIds.map((n) => dutyIdOfNotice(stored, n)));
      recipients = [...found.values()];
    }
    const calendar = createWorkingCalendar(await calendars.list());
    const timeZone = plan.timezone ?? DEFAULT_TIMEZONE;
    const fromLeader = instruction.authorRole === 'leader';
    await Promise.all(
      recipients.map((duty) => {
        const id = noticeIdOf(instruction, duty.id);
        // A whole task's instruction from a leader tells the office once, with the lead unit's notice.
        const toOffice = fromLeader && (instruction.dutyId !== null || duty.role === 'lead');
        const notice = pressedNotice({
          id,
          duty,
          level: INSTRUCTION_LEVEL,
          addressees: toOffice ? ['unit', 'office'] : ['unit'],
          recipients: toOffice ? [`unit:${duty.unitId}`, 'role:office'] : [`unit:${duty.unitId}`],
          at: instruction.at,
          now,
          timeZone,
          calendar,
          text: `${instruction.signedBy}(${instruction.signedOn}):${instruction.text}`,
          pressedBy: instruction.by,
        });
        const noticeAudit = auditEvent(
          principal,
          'duty.instruction-notice',
          { type: 'duty', id: duty.id, planId: duty.planId },
          { before: {}, after: { noticeId: id, instructionId: instruction.id } },
          now,
          { id: escalationEventIdFor(id) },
        );
        return notices.writeNotice({ notice, audit: noticeAudit });
      }),
    );
    return instruction;
  }

  function draftOf(
    principal: Principal,
    plan: Plan,
    target: { taskId: string; dutyId: string | null },
    input: CreateInstructionInput,
    id: string,
    targets: readonly DutyRecord[],
    now: Date,
  ): Instruction {
    const draft: Instruction = {
      id,
      planId: plan.id,
      taskId: target.taskId,
      dutyId: target.dutyId,
      text: input.text,
      signedBy: input.signedBy ?? principal.sub,
      signedOn: input.signedOn ?? localDateOf(now, plan.timezone),
      authorRole: principal.role === 'leader' ? 'leader' : 'office',
      by: principal.sub,
      at: now.toISOString(),
      noticeIds: [],
    };
    return { ...draft, noticeIds: targets.map((d) => noticeIdOf(draft, d.id)) };
  }

  return {
    async onDuty(principal, dutyId, input, now, key) {
      authorize(principal, 'instruction.write');
      const duty = await duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      const plan = await mustPlan(duty.planId);
      const id = instructionId(principal, `duty:${dutyId}`, key, now);
      const draft = draftOf(principal, plan, { taskId: duty.taskId, dutyId }, input, id, [duty], now);
      return store(principal, draft, [duty], plan, now);
    },

    async onTask(principal, planId, taskId, input, now, key) {
      authorize(principal, 'instruction.write');
      const [plan, task] = await Promise.all([mustPlan(planId), plans.getTask(planId, taskId)]);
      if (task === undefined) throw new NotFoundError('任务', taskId);
      const targets = oneOpenDutyPerUnit((await duties.ofTask(taskId)).filter((d) => d.planId === planId));
      const id = instructionId(principal, `task:${planId}/${taskId}`, key, now);
      const draft = draftOf(principal, plan, { taskId, dutyId: null }, input, id, targets, now);
      return store(principal, draft, targets, plan, now);
    },

    async forDuty(principal, dutyId, known) {
      if (known !== undefined && known.duty.id === dutyId) {
        const { duty, ownerAncestors } = known;
        authorize(principal, 'duty.read', { ownerUnitId: duty.unitId, ownerAncestors });
        return instructions.listForTask(duty.taskId, dutyId);
      }
      const duty = await duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      authorize(principal, 'duty.read', await ownerContext(units, principal, duty.unitId));
      return instructions.listForTask(duty.taskId, dutyId);
    },

    async forTask(principal, planId, taskId) {
      authorize(principal, 'duty.read');
      const task = await plans.getTask(planId, taskId);
      if (task === undefined) throw new NotFoundError('任务', taskId);
      return instructions.listForTask(taskId);
    },
  };
}
