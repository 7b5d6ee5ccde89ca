import type { Principal } from '../../auth/principal.js';

/**
 * Every permission check of the product, in one place. Routes name an action and, where the
 * answer depends on whose data it is, the unit that owns it; they never test roles themselves.
 *
 * office: everything. leader: reads everything. unit: reads plans, tasks and the unit directory,
 * and reads and submits only its own duties.
 */
export type Action =
  | 'unit.create'
  | 'unit.read'
  | 'plan.create'
  | 'plan.read'
  | 'task.create'
  | 'task.read'
  | 'duty.read'
  | 'duty.submit';

export type Decision = { allowed: true } | { allowed: false; message: string };

const ALLOW: Decision = { allowed: true };
const deny = (message: string): Decision => ({ allowed: false, message });

/** Decides whether `principal` may perform `action`; `ownerUnitId` is the unit owning the data, if any. */
export function decide(principal: Principal, action: Action, ownerUnitId?: string): Decision {
  if (principal.role === 'office') return ALLOW;
  switch (action) {
    case 'unit.read':
    case 'plan.read':
    case 'task.read':
      return ALLOW;
    case 'duty.read':
      if (principal.role === 'leader') return ALLOW;
      return ownerUnitId !== undefined && ownerUnitId === principal.unitId
        ? ALLOW
        : deny('只能查看本单位的任务');
    case 'duty.submit':
      if (principal.role === 'leader') return deny('领导只能查看,不能代替单位提交');
      return ownerUnitId !== undefined && ownerUnitId === principal.unitId
        ? ALLOW
        : deny('只能提交本单位的任务');
    case 'unit.create':
    case 'plan.create':
    case 'task.create':
      return deny('只有领导小组办公室可以执行此操作');
  }
}
