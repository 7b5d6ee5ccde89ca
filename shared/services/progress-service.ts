import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { ConflictError, NotFoundError, UnitInactiveError } from '../errors.js';
import type { Duty, ReportProgressInput } from '../schemas/duties.js';
import { authorize } from './access.js';
import { toDutyView } from './duty-view.js';

export interface ProgressService {
  /**
   * The unit reports how far its open duty has got (a percentage and a note), as often as it likes;
   * the last report is kept on the duty for the light rule (序时进度) and every report is audited.
   */
  report(principal: Principal, dutyId: string, input: ReportProgressInput, now: Date): Promise<Duty>;
}

export function progressService(deps: { duties: DutyRepository; units: UnitRepository }): ProgressService {
  const { duties, units } = deps;
  const stale = (current: { version: number; status: string }) =>
    new ConflictError('version_conflict', '任务已被他人修改,请刷新后重试', {
      currentVersion: current.version,
      status: current.status,
    });

  return {
    async report(principal, dutyId, input, now) {
      const duty = await duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      authorize(principal, 'duty.submit', duty.unitId);
      if (duty.status !== 'open') {
        throw new ConflictError('invalid_transition', '只有待办任务可以报告进度(已提交或已办结的不用再报)', {
          status: duty.status,
        });
      }
      if (input.version !== undefined && input.version !== duty.version) throw stale(duty);
      const nowIso = now.toISOString();
      const progress = { percent: input.percent, note: input.note ?? null, at: nowIso, by: principal.sub };
      const next = { ...duty, progress, updatedAt: nowIso, version: duty.version + 1 };
      const audit = auditEvent(
        principal,
        'duty.progress',
        { type: 'duty', id: duty.id, planId: duty.planId },
        { before: { progress: duty.progress ?? null }, after: { progress } },
        now,
      );
      const unitId = principal.role === 'unit' ? principal.unitId : undefined;
      const outcome = await duties.replace(
        next,
        { ...duty, read: duty },
        audit,
        'keep',
        unitId === undefined ? [] : [units.activeCheck(unitId)],
      );
      if (outcome.ok) return toDutyView(outcome.duty, now);
      const [current, unit] = await Promise.all([duties.get(dutyId), unitId && units.get(unitId)]);
      if (unitId !== undefined && (unit === undefined || unit === '' || unit.active !== true)) {
        throw new UnitInactiveError();
      }
      throw stale(current ?? duty);
    },
  };
}
