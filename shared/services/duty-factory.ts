import { createHash } from 'node:crypto';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { occurrencePeriod } from '../domain/duty/occurrence-period.js';
import { startReceipt } from '../domain/duty/receipt.js';
import { type EscalationPolicy, startLadder } from '../domain/escalation/ladder.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { Plan } from '../schemas/plans.js';
import type { Task } from '../schemas/tasks.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * The id of a recurring task's duty for one unit and one occurrence: fixed by those three, so a
 * top-up that runs twice (a retry, two sweeps at once) creates each duty once.
 */
export function occurrenceDutyId(taskId: string, unitId: string, occurrenceKey: string): string {
  const digest = createHash('sha256').update(`${taskId}|${unitId}|${occurrenceKey}`).digest();
  let id = '';
  for (let i = 0; i < 20; i++) id += ALPHABET.charAt((digest[i] ?? 0) % 32);
  return `duty-${id}`;
}

/** The escalation policy a task's duties keep for life: the task's own, else the plan's at creation. */
export const policyFor = (plan: Plan, task: Task): EscalationPolicy => task.escalation ?? plan.escalation;

/** A new open duty of `task` for one unit, with its ladder started. */
export function newDuty(args: {
  id: string;
  plan: Plan;
  task: Task;
  unitId: string;
  dueAt: string;
  occurrenceKey: string | null;
  now: Date;
  calendar: WorkingCalendar;
}): DutyRecord {
  const { plan, task, unitId, dueAt, occurrenceKey, now, calendar } = args;
  const createdAt = now.toISOString();
  const escalation = policyFor(plan, task);
  const ladder = startLadder(escalation, { dueAt: new Date(dueAt), startedAt: now }, plan.timezone, calendar);
  // An occurrence names its period in words, and is not taken before that period opens.
  const period =
    occurrenceKey === null || task.recurrence === null
      ? null
      : occurrencePeriod(task.recurrence, occurrenceKey, { dueAt: new Date(dueAt), timeZone: plan.timezone });
  return {
    id: args.id,
    planId: plan.id,
    taskId: task.id,
    unitId,
    role: unitId === task.leadUnitId ? 'lead' : 'co',
    // A task's units never change: the lead's submit knows from here whether it must wait for any.
    ...(unitId === task.leadUnitId ? { coUnits: task.coUnitIds.length } : {}),
    kind: task.kind,
    occurrenceKey,
    period,
    title: period === null ? task.title : `${task.title}(${period.label})`,
    phaseKey: task.phaseKey,
    dueAt,
    status: 'open',
    round: 1,
    roundStartedAt: createdAt,
    escalation,
    ...ladder,
    returns: 0,
    submission: null,
    reviews: [],
    acceptedAt: null,
    signOffLevels: task.signOffLevels,
    confirmations: [],
    awaitingConfirmationFrom: null,
    pendingExtensionId: null,
    extensions: 0,
    // 签收: a plan that requires it puts every new duty in 待签收 until its unit signs.
    receipt: plan.receiptRequired
      ? startReceipt(1, now, plan.receiptWorkingHours ?? null, plan.timezone, calendar)
      : null,
    receiptNoticedAt: null,
    // The light asks each period's progress report of the duty (序时进度, "应报未报").
    ...(task.progressReports == null ? {} : { progressReports: task.progressReports }),
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
}
