import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { type LightInput, type ProgressLight, progressLight } from './light.js';

export type LightCounts = Record<ProgressLight, number>;

export const emptyLightCounts = (): LightCounts => ({ red: 0, yellow: 0, blue: 0, green: 0 });

/**
 * Counts by light per unit (and in all) over the duties given — the open duties a page already
 * reads, so the counts cost no read of their own.
 */
export function lightCountsByUnit(
  duties: Iterable<LightInput & { unitId: string }>,
  now: Date,
  settings: { timeZone: string; calendar: WorkingCalendar },
): { all: LightCounts; byUnit: Map<string, LightCounts> } {
  const all = emptyLightCounts();
  const byUnit = new Map<string, LightCounts>();
  for (const duty of duties) {
    const { light } = progressLight(duty, now, settings);
    const unit = byUnit.get(duty.unitId) ?? emptyLightCounts();
    unit[light] += 1;
    all[light] += 1;
    byUnit.set(duty.unitId, unit);
  }
  return { all, byUnit };
}

/** Worst first: more red, then more yellow, then more blue. */
export function compareByLight(a: LightCounts, b: LightCounts): number {
  return b.red - a.red || b.yellow - a.yellow || b.blue - a.blue;
}
