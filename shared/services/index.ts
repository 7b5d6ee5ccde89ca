import type { TableRef } from '../db/client.js';
import { dutyRepository } from '../db/duty-repository.js';
import { planRepository } from '../db/plan-repository.js';
import { unitRepository } from '../db/unit-repository.js';
import { type DutyService, dutyService } from './duty-service.js';
import { type PlanService, planService } from './plan-service.js';
import { type UnitService, unitService } from './unit-service.js';

export interface Services {
  units: UnitService;
  plans: PlanService;
  duties: DutyService;
}

/** Wires repositories on one table into the services; the only place they meet. */
export function createServices(table: TableRef): Services {
  const units = unitRepository(table);
  const plans = planRepository(table);
  const duties = dutyRepository(table);
  return {
    units: unitService(units),
    plans: planService({ plans, units, duties }),
    duties: dutyService({ duties, plans, units }),
  };
}
