import { type DutyLightFields, dutyLight, type LightSettings, type ProgressLight } from './light.js';

export type LightCounts = Record<ProgressLight, number>;

export const emptyLightCounts = (): LightCounts => ({ red: 0, yellow: 0, blue: 0, green: 0 });

/**
 * Counts by light per unit and per phase (and in all) over the duties given — the open duties a
 * page already reads, so the counts cost no read of their own.
 */
export function lightCountsByUnit(
  duties: Iterable<DutyLightFields & { unitId: string; phaseKey?: string }>,
  now: Date,
  settings: LightSettings,
): { all: LightCounts; byUnit: Map<string, LightCounts>; byPhase: Map<string, LightCounts> } {
  const all = emptyLightCounts();
  const byUnit = new Map<string, LightCounts>();
  const byPhase = new Map<string, LightCounts>();
  const add = (map: Map<string, LightCounts>, key: string, light: ProgressLight) => {
    const counts = map.get(key) ?? emptyLightCounts();
    counts[light] += 1;
    map.set(key, counts);
  };
  for (const duty of duties) {
    const { light } = dutyLight(duty, now, settings);
    all[light] += 1;
    add(byUnit, duty.unitId, light);
    if (duty.phaseKey !== undefined) add(byPhase, duty.phaseKey, light);
  }
  return { all, byUnit, byPhase };
}

/** Worst first: more red, then more yellow, then more blue. */
export function compareByLight(a: LightCounts, b: LightCounts): number {
  return b.red - a.red || b.yellow - a.yellow || b.blue - a.blue;
}

/** A unit's (or a phase's) light: the worst among its counted duties, green with none. */
export function lightOfCounts(c: LightCounts): ProgressLight {
  if (c.red > 0) return 'red';
  if (c.yellow > 0) return 'yellow';
  if (c.blue > 0) return 'blue';
  return 'green';
}
