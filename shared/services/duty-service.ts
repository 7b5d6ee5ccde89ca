import type { Principal } from '../auth/principal.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { DUTY_STATUS_LABELS, type DutyStatus, transition } from '../domain/duty/duty-status.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { Duty, DutyRecord, SubmitDutyInput } from '../schemas/duties.js';
import { authorize } from './access.js';
import { toDutyView } from './duty-view.js';

export interface PlanDutyQuery {
  unitId?: string | undefined;
  status?: DutyStatus | undefined;
  overdue?: boolean | undefined;
}

export interface DutyService {
  get(principal: Principal, id: string, now: Date): Promise<Duty>;
  listForPlan(
    principal: Principal,
    planId: string,
    query: PlanDutyQuery,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Duty>>;
  listForUnit(
    principal: Principal,
    unitId: string,
    query: { planId?: string | undefined; status?: DutyStatus | undefined },
    page: PageRequest,
    now: Date,
  ): Promise<Page<Duty>>;
  submit(principal: Principal, id: string, input: SubmitDutyInput, now: Date): Promise<Duty>;
}

const view = (page: Page<DutyRecord>, now: Date, keep: (d: Duty) => boolean = () => true): Page<Duty> => ({
  items: page.items.map((r) => toDutyView(r, now)).filter(keep),
  nextCursor: page.nextCursor,
});

const versionConflict = (current: DutyRecord) =>
  new ConflictError('version_conflict', '任务已被他人修改,请刷新后重试', {
    currentVersion: current.version,
    status: current.status,
  });

export function dutyService(deps: {
  duties: DutyRepository;
  plans: PlanRepository;
  units: UnitRepository;
}): DutyService {
  const { duties, plans, units } = deps;

  async function mustGet(id: string): Promise<DutyRecord> {
    const duty = await duties.get(id);
    if (duty === undefined) throw new NotFoundError('任务', id);
    return duty;
  }

  return {
    async get(principal, id, now) {
      const duty = await mustGet(id);
      authorize(principal, 'duty.read', duty.unitId);
      return toDutyView(duty, now);
    },

    async listForPlan(principal, planId, query, page, now) {
      // A unit that does not name itself is asking for its own duties.
      const unitId = query.unitId ?? (principal.role === 'unit' ? principal.unitId : undefined);
      if (unitId === undefined) {
        if (principal.role === 'unit') throw new ForbiddenError('只能查看本单位的任务');
        authorize(principal, 'duty.read');
      } else {
        authorize(principal, 'duty.read', unitId);
      }
      if ((await plans.get(planId)) === undefined) throw new NotFoundError('工作方案', planId);
      const { status, overdue } = query;
      const nowIso = now.toISOString();

      if (overdue === true) {
        // Overdue means open and past due: any other status has none.
        if (status !== undefined && status !== 'open') return { items: [], nextCursor: null };
        const found =
          unitId === undefined
            ? await duties.listOpenDueBefore(planId, nowIso, page)
            : await duties.listByUnit(unitId, { planId, status: 'open', dueBefore: nowIso }, page);
        return view(found, now);
      }
      const found =
        unitId === undefined
          ? await duties.listByPlan(planId, { status }, page)
          : await duties.listByUnit(unitId, { planId, status }, page);
      // overdue=false is rare (a list of what is on track); a page may then hold fewer than `limit`.
      return view(found, now, overdue === false ? (d) => !d.overdue : undefined);
    },

    async listForUnit(principal, unitId, query, page, now) {
      authorize(principal, 'duty.read', unitId);
      if ((await units.get(unitId)) === undefined) throw new NotFoundError('单位', unitId);
      return view(await duties.listByUnit(unitId, query, page), now);
    },

    async submit(principal, id, input, now) {
      const duty = await mustGet(id);
      authorize(principal, 'duty.submit', duty.unitId);
      if (input.version !== undefined && input.version !== duty.version) throw versionConflict(duty);
      if (input.nothingToReport && duty.kind !== 'report') {
        throw new ValidationError('只有定期报告类任务可以零报告', [
          { field: 'nothingToReport', message: '只有定期报告类任务可以选择“零报告”,请填写办理情况' },
        ]);
      }
      const step = transition(duty.status, 'submit');
      if (!step.ok) {
        throw new ConflictError('invalid_transition', step.message, {
          status: duty.status,
          statusLabel: DUTY_STATUS_LABELS[duty.status],
        });
      }
      const nowIso = now.toISOString();
      const next: DutyRecord = {
        ...duty,
        status: step.to,
        submission: {
          note: input.note ?? '零报告:本期无需报告的情况',
          evidence: input.evidence,
          nothingToReport: input.nothingToReport,
          submittedAt: nowIso,
          submittedBy: principal.sub,
        },
        updatedAt: nowIso,
        version: duty.version + 1,
      };
      const outcome = await duties.replace(next, { version: duty.version, status: duty.status });
      if (!outcome.ok) {
        // Someone else changed it between our read and our write: say what it is now.
        const current = await mustGet(id);
        const again = transition(current.status, 'submit');
        if (!again.ok) {
          throw new ConflictError('invalid_transition', again.message, {
            status: current.status,
            statusLabel: DUTY_STATUS_LABELS[current.status],
          });
        }
        throw versionConflict(current);
      }
      return toDutyView(outcome.duty, now);
    },
  };
}
