import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { CreateUnitInput, Unit } from '../schemas/units.js';
import { authorize } from './access.js';

export interface UnitService {
  create(principal: Principal, input: CreateUnitInput, now: Date): Promise<Unit>;
  get(principal: Principal, id: string): Promise<Unit>;
  list(principal: Principal, page: PageRequest): Promise<Page<Unit>>;
}

export function unitService(units: UnitRepository): UnitService {
  return {
    async create(principal, input, now) {
      authorize(principal, 'unit.create');
      if (input.parentId !== undefined) {
        const parent = await units.get(input.parentId);
        if (parent === undefined) {
          throw new ValidationError('上级单位不存在', [
            { field: 'parentId', message: `上级单位不存在:${input.parentId}` },
          ]);
        }
        if (input.id !== undefined && input.parentId === input.id) {
          throw new ValidationError('上级单位不能是自己', [
            { field: 'parentId', message: '上级单位不能是自己' },
          ]);
        }
      }
      const unit: Unit = {
        id: input.id ?? newId('u', now),
        name: input.name,
        kind: input.kind,
        parentId: input.parentId ?? null,
        active: true,
        createdAt: now.toISOString(),
        createdBy: principal.sub,
        version: 1,
      };
      await units.create(
        unit,
        auditEvent(
          principal,
          'unit.create',
          { type: 'unit', id: unit.id },
          { before: null, after: unit },
          now,
        ),
      );
      return unit;
    },

    async get(principal, id) {
      authorize(principal, 'unit.read');
      const unit = await units.get(id);
      if (unit === undefined) throw new NotFoundError('单位', id);
      return unit;
    },

    async list(principal, page) {
      authorize(principal, 'unit.read');
      return units.list(page);
    },
  };
}
