import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { ConflictError, NotFoundError, UnitInactiveError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { CreateUnitInput, SetUnitAliasesInput, Unit } from '../schemas/units.js';
import { authorize } from './access.js';

export interface UnitService {
  create(principal: Principal, input: CreateUnitInput, now: Date): Promise<Unit>;
  get(principal: Principal, id: string): Promise<Unit>;
  list(principal: Principal, page: PageRequest): Promise<Page<Unit>>;
  /** Townships merge, schools close: the unit's tokens stop working at once; its record stays. */
  deactivate(principal: Principal, id: string, now: Date): Promise<Unit>;
  /** Replaces the other names the office keeps for a unit (县教体局 for 县教育体育局), audited. */
  setAliases(principal: Principal, id: string, input: SetUnitAliasesInput, now: Date): Promise<Unit>;
  /**
   * Throws UnauthorizedError if a unit principal's unit is gone or inactive; otherwise answers that
   * unit (undefined for the office and leaders), so a caller that shows it need not read it again.
   */
  assertActive(principal: Principal): Promise<Unit | undefined>;
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
        aliases: [],
        active: true,
        deactivatedAt: null,
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

    async deactivate(principal, id, now) {
      authorize(principal, 'unit.deactivate');
      const unit = await units.get(id);
      if (unit === undefined) throw new NotFoundError('单位', id);
      if (!unit.active) throw new ConflictError('unit_inactive', `单位已停用:${id}`);
      const at = now.toISOString();
      const audit = auditEvent(
        principal,
        'unit.deactivate',
        { type: 'unit', id },
        { before: { active: true }, after: { active: false, deactivatedAt: at } },
        now,
      );
      if (!(await units.deactivate(unit, at, audit))) {
        throw new ConflictError('version_conflict', '单位刚被他人修改,请刷新后重试');
      }
      return { ...unit, active: false, deactivatedAt: at, version: unit.version + 1 };
    },

    async setAliases(principal, id, input, now) {
      authorize(principal, 'unit.update');
      const unit = await units.get(id);
      if (unit === undefined) throw new NotFoundError('单位', id);
      const aliases = input.aliases.map((a) => a.trim());
      if (aliases.includes(unit.name)) {
        throw new ValidationError('别名不能与单位名称相同', [
          { field: `aliases.${aliases.indexOf(unit.name)}`, message: `别名不能与单位名称相同:${unit.name}` },
        ]);
      }
      const audit = auditEvent(
        principal,
        'unit.aliases',
        { type: 'unit', id },
        { before: { aliases: unit.aliases }, after: { aliases } },
        now,
      );
      if (!(await units.setAliases(unit, aliases, audit))) {
        throw new ConflictError('version_conflict', '单位刚被他人修改,请刷新后重试');
      }
      return { ...unit, aliases, version: unit.version + 1 };
    },

    async assertActive(principal) {
      if (principal.role !== 'unit' || principal.unitId === undefined) return undefined;
      const unit = await units.get(principal.unitId);
      if (unit === undefined || !unit.active) throw new UnitInactiveError();
      return unit;
    },

    async list(principal, page) {
      authorize(principal, 'unit.read');
      return units.list(page);
    },
  };
}
